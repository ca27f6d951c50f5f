package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gateway"
	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/app/sandbox"
	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/internal/policy/logging"
	"github.com/switchyard/switchyard/internal/policy/telemetry"
)

// withTelemetry wires a Telemetry the way server.go does, but without
// touching otel's globals, so that only the explicit wiring is tested.
func withTelemetry(t testing.TB) (gatewaytest.Option, *telemetry.Telemetry) {
	t.Helper()
	tel, err := telemetry.New(context.Background(), telemetry.Options{
		ServiceVersion: gateway.Version,
		Getenv:         func(string) string { return "" }, // export off
		NoGlobal:       true,
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	return func(s *gatewaytest.Setup) { s.Options.Telemetry = tel }, tel
}

const (
	callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	callerSpan  = "00f067aa0ba902b7"
)

var traceparentRE = regexp.MustCompile(`^00-([0-9a-f]{32})-([0-9a-f]{16})-01$`)

// An incoming traceparent is continued to every vendor (export off), and
// the request's access log line carries the trace id.
func TestTraceparentReachesEveryVendor(t *testing.T) {
	t.Parallel()
	opt, _ := withTelemetry(t)
	e := newEnv(t, opt)
	body, err := json.Marshal(map[string]any{"query": fanOut})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, e.Server.URL+"/query", strings.NewReader(string(body)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Traceparent", "00-"+callerTrace+"-"+callerSpan+"-01")
	r := e.Send(req)
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Empty(t, r.Errors, r.Raw)

	for _, v := range fanOutVendors() {
		calls := e.APICalls(v)
		require.NotEmpty(t, calls, "%s was called", v)
		for _, c := range calls {
			m := traceparentRE.FindStringSubmatch(c.Headers["Traceparent"])
			require.NotNil(t, m, "%s got traceparent %q", v, c.Headers["Traceparent"])
			assert.Equal(t, callerTrace, m[1], v)
			assert.NotEqual(t, callerSpan, m[2], "%s's parent is a span of the gateway's", v)
		}
	}

	var found bool
	for line := range strings.SplitSeq(e.Logs.String(), "\n") {
		if strings.Contains(line, "msg=request") && strings.Contains(line, "path=/query") {
			found = true
			assert.Contains(t, line, logging.TraceIDKey+"="+callerTrace)
			assert.Regexp(t, logging.SpanIDKey+`=[0-9a-f]{16}`, line)
		}
	}
	assert.True(t, found, "an access log line for /query in\n%s", e.Logs.String())
}

// /metrics after real requests: operations by name and outcome, vendor
// calls by vendor, operation and status, breaker and dedup per vendor;
// every label value bounded and free of credentials.
func TestMetricsExposition(t *testing.T) {
	t.Parallel()
	opt, _ := withTelemetry(t)
	e := newEnv(t, opt)
	require.Empty(t, e.Query(`query Overview `+fanOut, nil).Errors)
	e.Sandbox.Faults.Set(simkit.Fault{Vendor: "cordial", Status: http.StatusInternalServerError})
	require.NotEmpty(t, e.Query(`query Partial `+fanOut, nil).Errors)
	e.Sandbox.Faults.Clear()
	e.Query(`query Broken {`, nil)

	resp, err := http.Get(e.Server.URL + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	text := string(raw)
	for _, want := range []string{
		`switchyard_graphql_operations_total{operation="Overview",outcome="success",type="query"} 1`,
		`switchyard_graphql_operations_total{operation="Partial",outcome="partial",type="query"} 1`,
		`switchyard_graphql_operations_total{operation="unknown",outcome="rejected",type="unknown"} 1`,
		`switchyard_graphql_operation_duration_seconds_count{operation="Overview",outcome="success",type="query"} 1`,
		`switchyard_vendor_calls_total{operation="list lists",status="5xx",vendor="cordial"}`,
		`switchyard_vendor_call_duration_seconds_count{operation="list lists",status="2xx",vendor="cordial"} 1`,
		`switchyard_vendor_attempts_total{status="5xx",vendor="cordial"}`,
		`switchyard_vendor_breaker_state{vendor="cordial"} 0`,
		`switchyard_vendor_dedup_shared_total{vendor="ortto"}`,
		`switchyard_http_requests_total{code="200",method="POST",route="/query"}`,
		`switchyard_build_info{version="` + gateway.Version + `"} 1`,
		"go_goroutines ",
		"process_cpu_seconds_total ",
	} {
		assert.Contains(t, text, want)
	}
	for _, v := range fanOutVendors() {
		assert.Contains(t, text, `switchyard_vendor_calls_total{operation=`)
		assert.Regexp(t, `switchyard_vendor_calls_total\{operation="[^"]+",status="2xx",vendor="`+v+`"\}`, text)
	}
	safe := regexp.MustCompile(`^[A-Za-z0-9_ ./:+-]{0,64}$`)
	for _, m := range regexp.MustCompile(`="([^"]*)"`).FindAllStringSubmatch(text, -1) {
		assert.Regexp(t, safe, m[1])
		for name, secret := range sandbox.Credentials() {
			assert.NotContains(t, m[1], secret, name)
		}
	}
}
