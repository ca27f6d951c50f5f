package telemetry_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/sandbox"
	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/internal/policy/idempotency"
	"github.com/switchyard/switchyard/internal/policy/telemetry"
)

func TestMetricsAfterRealRequests(t *testing.T) {
	s := newStack(t, telemetry.Options{ServiceVersion: "v1.2.3"})

	// success: all four vendors answer.
	r := s.query(overview)
	require.Empty(t, r.Errors)
	// partial: Cordial fails, the others answer.
	s.sb.Faults.Set(simkit.Fault{Vendor: "cordial", Status: http.StatusInternalServerError})
	r = s.query(strings.Replace(overview, "Overview", "Partial", 1))
	require.NotEmpty(t, r.Errors)
	var partial map[string]json.RawMessage
	r.Into(t, &partial)
	require.NotEqual(t, "null", string(partial["customers"]))
	// error: the only root field fails.
	r = s.query(`query OnlyLists { accountLists { id } }`)
	require.NotEmpty(t, r.Errors)
	s.sb.Faults.Clear()
	// rejected: unparsable, invalid, and over the depth limit.
	s.query(`query Broken {`)
	s.query(`query Invalid { noSuchField }`)
	s.query(`query TooDeep { customers { nodes { person { subscriptions { audienceName } } } } }`)
	s.query(`query Overview { customers { nodes { person { subscriptions { audienceName } } } } }`)
	// anonymous
	s.query(`{ accountLists { id } }`)
	// a route outside the gateway's
	resp, err := http.Get(s.srv.URL + "/no/such/" + "thing")
	require.NoError(t, err)
	resp.Body.Close()

	samples, raw := scrape(t, s.srv.URL)
	want := map[string]float64{
		`switchyard_graphql_operations_total{operation="Overview",outcome="success",type="query"}`:           1,
		`switchyard_graphql_operations_total{operation="Partial",outcome="partial",type="query"}`:            1,
		`switchyard_graphql_operations_total{operation="OnlyLists",outcome="error",type="query"}`:            1,
		`switchyard_graphql_operations_total{operation="unknown",outcome="rejected",type="unknown"}`:         2,
		`switchyard_graphql_operations_total{operation="anonymous",outcome="success",type="query"}`:          1,
		`switchyard_graphql_operation_duration_seconds{operation="Overview",outcome="success",type="query"}`: 1,

		`switchyard_vendor_calls_total{operation="list lists",status="2xx",vendor="cordial"}`: 2,
		`switchyard_vendor_breaker_state{vendor="cordial"}`:                                   0,
		`switchyard_vendor_breaker_state{vendor="ortto"}`:                                     0,
		`switchyard_vendor_dedup_shared_total{vendor="apptivo"}`:                              0,
		`switchyard_build_info{version="v1.2.3"}`:                                             1,
		`switchyard_http_requests_total{code="200",method="POST",route="/query"}`:             4,
		`switchyard_http_requests_total{code="422",method="POST",route="/query"}`:             4,
		`switchyard_http_requests_total{code="404",method="GET",route="other"}`:               1,
	}
	for k, v := range want {
		assert.Contains(t, samples, k, "in\n%s", raw)
		assert.Equal(t, v, samples[k], k)
	}
	// The depth-limited operation is rejected; TooDeep was never seen
	// running, so its name takes no label place, while Overview keeps its
	// own.
	rejected := samples[`switchyard_graphql_operations_total{operation="other",outcome="rejected",type="query"}`] +
		samples[`switchyard_graphql_operations_total{operation="Overview",outcome="rejected",type="query"}`]
	assert.Equal(t, 2.0, rejected, raw)

	// Every vendor was called, each call named and classified.
	assert.Equal(t, []string{"appdirect", "apptivo", "cordial", "ortto"}, labelValues(samples, "switchyard_vendor_calls_total", "vendor"))
	assert.Contains(t, labelValues(samples, "switchyard_vendor_calls_total", "status"), "5xx")
	assert.Contains(t, labelValues(samples, "switchyard_vendor_attempts_total", "status"), "5xx")
	for _, v := range vendors {
		assert.Contains(t, samples, fmt.Sprintf(`switchyard_vendor_breaker_state{vendor=%q}`, v))
		assert.Contains(t, samples, fmt.Sprintf(`switchyard_vendor_dedup_shared_total{vendor=%q}`, v))
	}
	// Go and process collectors.
	assert.Contains(t, raw, "go_goroutines ")
	assert.Contains(t, raw, "process_cpu_seconds_total ")
	assertSafeLabels(t, samples)
}

func TestBreakerGaugeFollowsTheBreaker(t *testing.T) {
	s := newStack(t, telemetry.Options{})
	s.sb.Faults.Set(simkit.Fault{Vendor: "cordial", Status: http.StatusInternalServerError})
	// The documented breaker opens after 5 consecutive failures.
	for range 5 {
		s.query(`{ accountLists { id } }`)
	}
	samples, raw := scrape(t, s.srv.URL)
	assert.Equal(t, 2.0, samples[`switchyard_vendor_breaker_state{vendor="cordial"}`], raw)
	s.query(`{ accountLists { id } }`)
	samples, raw = scrape(t, s.srv.URL)
	assert.Equal(t, 1.0, samples[`switchyard_vendor_calls_total{operation="list lists",status="circuit_open",vendor="cordial"}`], raw)
}

// A client choosing operation names cannot grow the label set, nor take
// it over: junk names sent first, or in a burst later, never keep an
// operation clients really run (established by OperationNameRuns
// successes) from its own label.
func TestOperationNamesAreBounded(t *testing.T) {
	s := newStack(t, telemetry.Options{MaxOperationNames: 3, OperationNameRuns: 2})
	junk := func(from, to int) {
		for i := from; i < to; i++ {
			s.query(fmt.Sprintf(`query Junk%d { gateway { version } }`, i))
		}
	}
	junk(0, 6) // fills the set before any real operation arrives
	for range 3 {
		s.query(`query Real { gateway { version } }`)
	}
	junk(6, 20) // a burst after it is established
	s.query(`query Real { gateway { version } }`)
	long := "L" + strings.Repeat("o", 80) + "ng"
	s.query(`query ` + long + ` { gateway { version } }`)

	samples, raw := scrape(t, s.srv.URL)
	assert.Equal(t, 4.0, samples[`switchyard_graphql_operations_total{operation="Real",outcome="success",type="query"}`], raw)
	names := labelValues(samples, "switchyard_graphql_operations_total", "operation")
	assert.Equal(t, []string{"Junk18", "Junk19", "Real", "other"}, names, "the least recently used junk made way")
	assert.Equal(t, 1.0, samples[`switchyard_graphql_operations_total{operation="other",outcome="success",type="query"}`], "the name too long")
	assertSafeLabels(t, samples)
}

// Once every place is held by an established name, new names are other.
func TestEstablishedOperationNamesAreNeverEvicted(t *testing.T) {
	s := newStack(t, telemetry.Options{MaxOperationNames: 2, OperationNameRuns: 2})
	for range 2 {
		s.query(`query A { gateway { version } }`)
		s.query(`query B { gateway { version } }`)
	}
	for i := range 5 {
		s.query(fmt.Sprintf(`query Junk%d { gateway { version } }`, i))
	}
	samples, raw := scrape(t, s.srv.URL)
	assert.Equal(t, []string{"A", "B", "other"}, labelValues(samples, "switchyard_graphql_operations_total", "operation"), raw)
	assert.Equal(t, 5.0, samples[`switchyard_graphql_operations_total{operation="other",outcome="success",type="query"}`])
}

// Lost idempotency reservations are exported, so that an alert can watch
// for a mutation that may have run twice.
func TestLostIdempotencyReservationsAreExported(t *testing.T) {
	s := newStack(t, telemetry.Options{})
	samples, raw := scrape(t, s.srv.URL)
	require.Contains(t, samples, "switchyard_idempotency_reservations_lost_total{}", raw)
	assert.Equal(t, float64(idempotency.LostReservations()), samples["switchyard_idempotency_reservations_lost_total{}"])
	require.Contains(t, samples, "switchyard_idempotency_outcome_unknown_total{}", raw)
}

// safeLabel is what any label value may look like: short, no quotes,
// braces, equals signs or control characters.
var safeLabel = regexp.MustCompile(`^[A-Za-z0-9_ ./:+-]{0,64}$`)

// assertSafeLabels checks every label value of every sample: bounded in
// shape, and never a credential.
func assertSafeLabels(t *testing.T, samples map[string]float64) {
	t.Helper()
	secrets := sandbox.Credentials()
	value := regexp.MustCompile(`="([^"]*)"`)
	for k := range samples {
		for _, m := range value.FindAllStringSubmatch(k, -1) {
			assert.Regexp(t, safeLabel, m[1], k)
			for name, secret := range secrets {
				assert.NotContains(t, m[1], secret, "%s in %s", name, k)
			}
		}
	}
}

// An operation delivered in parts (@defer) is counted once, when its last
// part is out, with the errors of every part.
func TestDeferredOperationCountedOnce(t *testing.T) {
	s := newStack(t, telemetry.Options{})
	q := `query Deferred { customers(first: 2) { nodes { id ... @defer { person { id } } } } }`
	send := func() string {
		body := `{"query":` + strconv.Quote(q) + `}`
		req, err := http.NewRequest(http.MethodPost, s.srv.URL+"/query", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "multipart/mixed;deferSpec=20220824")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.Contains(t, resp.Header.Get("Content-Type"), "multipart/mixed")
		return string(raw)
	}
	raw := send()
	require.Contains(t, raw, `"incremental"`, "the people came in a later part")
	s.sb.Faults.Set(simkit.Fault{Vendor: "ortto", Status: http.StatusBadRequest})
	raw = send()
	require.Contains(t, raw, `"errors"`)
	samples, exposition := scrape(t, s.srv.URL)
	assert.Equal(t, 1.0, samples[`switchyard_graphql_operations_total{operation="Deferred",outcome="success",type="query"}`], exposition)
	assert.Equal(t, 1.0, samples[`switchyard_graphql_operations_total{operation="Deferred",outcome="partial",type="query"}`], exposition)
	assert.Equal(t, []string{"partial", "success"}, labelValues(samples, "switchyard_graphql_operations_total", "outcome"))
}

// Every cache outcome the chain reports keeps its own label: a refused
// invalidation was counted as "other", so an alert on it never fired.
func TestCacheOutcomesKeepTheirLabels(t *testing.T) {
	s := newStack(t, telemetry.Options{})
	for _, outcome := range []string{outbound.CacheHit, outbound.CacheMiss, outbound.CacheStale, outbound.CacheInvalidate, outbound.CacheInvalidateFailed} {
		s.tel.ObserveCache("cordial", "get list", outcome)
	}
	samples, raw := scrape(t, s.srv.URL)
	for _, outcome := range []string{"hit", "miss", "stale", "invalidate", "invalidate_failed"} {
		assert.Contains(t, samples, `switchyard_vendor_cache_total{operation="get list",outcome="`+outcome+`",vendor="cordial"}`, raw)
	}
}
