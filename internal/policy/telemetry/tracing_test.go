package telemetry_test

import (
	"context"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/switchyard/switchyard/internal/app/sandbox"
	"github.com/switchyard/switchyard/internal/policy/telemetry"
)

// collector is a fake OTLP/HTTP endpoint that keeps the spans it gets.
type collector struct {
	*httptest.Server
	mu       sync.Mutex
	paths    []string
	services []string
	spans    []*tracepb.Span
}

func newCollector(t *testing.T) *collector {
	t.Helper()
	c := &collector{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		var req coltracepb.ExportTraceServiceRequest
		if err := proto.Unmarshal(body, &req); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		c.mu.Lock()
		c.paths = append(c.paths, r.URL.Path)
		for _, rs := range req.GetResourceSpans() {
			for _, kv := range rs.GetResource().GetAttributes() {
				if kv.GetKey() == "service.name" {
					c.services = append(c.services, kv.GetValue().GetStringValue())
				}
			}
			for _, ss := range rs.GetScopeSpans() {
				c.spans = append(c.spans, ss.GetSpans()...)
			}
		}
		c.mu.Unlock()
		out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(out)
	}))
	t.Cleanup(c.Close)
	return c
}

func (c *collector) got() ([]*tracepb.Span, []string, []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*tracepb.Span(nil), c.spans...), append([]string(nil), c.paths...), append([]string(nil), c.services...)
}

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

const (
	incomingTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	incomingSpan  = "00f067aa0ba902b7"
)

// One query across the four vendors, with an incoming traceparent and
// export on: the collector gets one trace, continuing the caller's, with
// a server span, an operation span, resolver spans, vendor call spans and
// wire attempt spans, correctly nested; each vendor saw its attempt's
// span as parent; no span carries a credential or a URL.
func TestSpansOfOneQuery(t *testing.T) {
	col := newCollector(t)
	s := newStack(t, telemetry.Options{Getenv: env(
		"OTEL_EXPORTER_OTLP_ENDPOINT", col.URL,
		"OTEL_SERVICE_NAME", "switchyard-test",
	)})
	require.True(t, s.tel.Exporting())
	r := s.query(overview, "Traceparent", "00-"+incomingTrace+"-"+incomingSpan+"-01")
	require.Empty(t, r.Errors)
	require.NoError(t, s.tel.Shutdown(context.Background()))

	all, paths, services := col.got()
	// AppDirect's OAuth token fetch is shared by every request and made
	// outside any: it is a trace of its own.
	tokenTraces := map[string]bool{}
	for _, sp := range all {
		if len(sp.GetParentSpanId()) == 0 && strings.HasPrefix(sp.GetName(), "appdirect") {
			tokenTraces[hex.EncodeToString(sp.GetTraceId())] = true
		}
	}
	var spans []*tracepb.Span
	for _, sp := range all {
		if !tokenTraces[hex.EncodeToString(sp.GetTraceId())] {
			spans = append(spans, sp)
		}
	}
	require.NotEmpty(t, spans)
	assert.Contains(t, paths, "/v1/traces")
	assert.Contains(t, services, "switchyard-test")

	byID := map[string]*tracepb.Span{}
	for _, sp := range spans {
		byID[hex.EncodeToString(sp.GetSpanId())] = sp
	}
	parentName := func(sp *tracepb.Span) string {
		if p, ok := byID[hex.EncodeToString(sp.GetParentSpanId())]; ok {
			return p.GetName()
		}
		return hex.EncodeToString(sp.GetParentSpanId())
	}
	// ancestors lists the names above sp, nearest first.
	ancestors := func(sp *tracepb.Span) []string {
		var out []string
		for p, ok := byID[hex.EncodeToString(sp.GetParentSpanId())]; ok; p, ok = byID[hex.EncodeToString(p.GetParentSpanId())] {
			out = append(out, p.GetName())
		}
		return out
	}
	names := map[string]int{}
	secrets := sandbox.Credentials()
	for _, sp := range spans {
		names[sp.GetName()]++
		assert.Equal(t, incomingTrace, hex.EncodeToString(sp.GetTraceId()), "span %q continues the caller's trace", sp.GetName())
		for _, kv := range sp.GetAttributes() {
			assert.NotContains(t, []string{"url.full", "url.query", "http.url"}, kv.GetKey())
			for name, secret := range secrets {
				assert.NotContains(t, kv.GetValue().String(), secret, "%s in span %q attribute %s", name, sp.GetName(), kv.GetKey())
			}
		}
	}
	for _, want := range []string{"POST /query", "query Overview", "Query.accounts", "Query.customers", "Query.accountLists", "Query.people",
		"appdirect list accounts", "apptivo list customers", "cordial list lists", "ortto get subscriptions"} {
		assert.Contains(t, names, want)
	}
	for _, sp := range spans {
		switch {
		case sp.GetName() == "POST /query":
			assert.Equal(t, incomingSpan, hex.EncodeToString(sp.GetParentSpanId()), "the server span's parent is the caller's")
			assert.Equal(t, tracepb.Span_SPAN_KIND_SERVER, sp.GetKind())
		case sp.GetName() == "query Overview":
			assert.Equal(t, "POST /query", parentName(sp))
		case strings.HasPrefix(sp.GetName(), "Query."):
			assert.Equal(t, "query Overview", parentName(sp))
		case sp.GetKind() == tracepb.Span_SPAN_KIND_CLIENT:
			assert.Contains(t, []string{"GET", "POST"}, sp.GetName())
			assert.Regexp(t, `^(ortto|apptivo|appdirect|cordial)`, parentName(sp), "an attempt's parent is its vendor call")
		default: // vendor calls
			assert.Contains(t, ancestors(sp), "query Overview", "vendor call %q is inside the operation", sp.GetName())
		}
	}

	// Each vendor's recorded traceparent names one of our attempt spans.
	for _, v := range vendors {
		tps := traceparents(s.sb, v)
		require.NotEmpty(t, tps, v)
		for _, tp := range tps {
			parts := strings.Split(tp, "-")
			require.Len(t, parts, 4, "%s traceparent %q", v, tp)
			assert.Equal(t, incomingTrace, parts[1], v)
			sp, ok := byID[parts[2]]
			if assert.True(t, ok, "%s: parent %s is a span we exported", v, parts[2]) {
				assert.Equal(t, tracepb.Span_SPAN_KIND_CLIENT, sp.GetKind())
			}
		}
	}
}

func TestExporterSettings(t *testing.T) {
	ok := []struct {
		name      string
		env       func(string) string
		exporting bool
	}{
		{"nothing set: no export", env(), false},
		{"endpoint", env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"), true},
		{"traces endpoint", env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://collector.example/v1/traces"), true},
		{"json", env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318", "OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"), true},
		{"exporter none", env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318", "OTEL_TRACES_EXPORTER", "none"), false},
		{"sdk disabled", env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318", "OTEL_SDK_DISABLED", "true"), false},
		{"ratio sampler", env("OTEL_TRACES_SAMPLER", "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG", "0.25"), false},
	}
	for _, tc := range ok {
		t.Run(tc.name, func(t *testing.T) {
			tel, err := telemetry.New(context.Background(), telemetry.Options{Getenv: tc.env, NoGlobal: true})
			require.NoError(t, err)
			assert.Equal(t, tc.exporting, tel.Exporting())
			require.NoError(t, tel.Shutdown(context.Background()))
		})
	}
	bad := []struct {
		name string
		env  func(string) string
	}{
		{"grpc", env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317", "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")},
		{"unknown exporter", env("OTEL_TRACES_EXPORTER", "zipkin")},
		{"not a URL", env("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318")},
		{"unknown sampler", env("OTEL_TRACES_SAMPLER", "sometimes")},
		{"bad ratio", env("OTEL_TRACES_SAMPLER", "traceidratio", "OTEL_TRACES_SAMPLER_ARG", "2")},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := telemetry.New(context.Background(), telemetry.Options{Getenv: tc.env, NoGlobal: true})
			assert.Error(t, err)
		})
	}
	t.Run("the endpoint's credentials are not repeated", func(t *testing.T) {
		_, err := telemetry.New(context.Background(), telemetry.Options{Getenv: env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "ftp://user:hunter2secret@x"), NoGlobal: true})
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "hunter2secret")
	})
}
