package telemetry_test

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"

	"github.com/switchyard/switchyard/graph/generated"
	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/internal/policy/telemetry"
	"github.com/switchyard/switchyard/resolvers"
)

// A gateway built without telemetry passes a nil *Telemetry around.
func TestNilTelemetryObservesNothing(t *testing.T) {
	var tel *telemetry.Telemetry
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	rec := httptest.NewRecorder()
	tel.Middleware(h).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Equal(t, http.StatusTeapot, rec.Code)

	handler.New(generated.NewExecutableSchema(generated.Config{Resolvers: &resolvers.Resolver{}})).Use(tel.Extension())
	var o outbound.Observer = tel
	o.ObserveCall("ortto", "list lists", outbound.Call2xx, time.Millisecond)
	o.ObserveAttempt("ortto", outbound.Call2xx)
	require.NoError(t, tel.ObserveChain("ortto", outbound.NewChain(outbound.ChainOptions{Vendor: "ortto"})))
	require.NoError(t, tel.Shutdown(context.Background()))
	assert.False(t, tel.Exporting())
	assert.Nil(t, tel.Registry())
	rec = httptest.NewRecorder()
	tel.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	assert.Equal(t, http.StatusNotFound, rec.Code)
}

func TestMiddleware(t *testing.T) {
	tel, err := telemetry.New(context.Background(), telemetry.Options{Getenv: env(), NoGlobal: true, Routes: []string{"/assets/"}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	var spanCtx trace.SpanContext
	var recording bool
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(_ http.ResponseWriter, r *http.Request) {
		spanCtx = trace.SpanContextFromContext(r.Context())
		recording = trace.SpanFromContext(r.Context()).IsRecording()
	})
	mux.HandleFunc("/query", func(_ http.ResponseWriter, r *http.Request) {
		spanCtx = trace.SpanContextFromContext(r.Context())
		recording = trace.SpanFromContext(r.Context()).IsRecording()
	})
	mux.HandleFunc("/assets/", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("/boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
	mux.Handle("/metrics", tel.MetricsHandler())
	srv := httptest.NewUnstartedServer(tel.Middleware(mux))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the /boom panic
	srv.Start()
	t.Cleanup(srv.Close)

	get := func(path string, header ...string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		require.NoError(t, err)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
	}
	tp := "00-" + incomingTrace + "-" + incomingSpan + "-01"

	get("/query", "Traceparent", tp)
	assert.Equal(t, incomingTrace, spanCtx.TraceID().String())
	assert.NotEqual(t, incomingSpan, spanCtx.SpanID().String(), "a server span of ours")
	assert.True(t, spanCtx.IsSampled(), "the caller's sampling decision is continued")
	assert.False(t, recording, "nothing is exported, so nothing is recorded")

	get("/query", "Traceparent", "00-"+incomingTrace+"-"+incomingSpan+"-00")
	assert.Equal(t, incomingTrace, spanCtx.TraceID().String())
	assert.NotEqual(t, incomingSpan, spanCtx.SpanID().String(), "a server span of ours")
	assert.False(t, spanCtx.IsSampled(), "an unsampled caller stays unsampled (parentbased_always_on)")

	get("/healthz", "Traceparent", tp)
	assert.Equal(t, incomingTrace, spanCtx.TraceID().String(), "probes continue the caller's trace")
	assert.Equal(t, incomingSpan, spanCtx.SpanID().String(), "but get no span of their own")
	assert.False(t, recording)

	get("/query", "Traceparent", "00-00000000000000000000000000000000-"+incomingSpan+"-01")
	assert.True(t, spanCtx.IsValid(), "an invalid traceparent starts a new trace")
	assert.True(t, spanCtx.IsSampled(), "a new trace is sampled (parentbased_always_on)")
	assert.NotEqual(t, "00000000000000000000000000000000", spanCtx.TraceID().String())

	get("/assets/app.js")
	get("/boom")
	get("/" + "x9f1-unlisted")

	samples, raw := scrape(t, srv.URL)
	for _, k := range []string{
		`switchyard_http_requests_total{code="200",method="GET",route="/query"}`,
		`switchyard_http_requests_total{code="200",method="GET",route="/healthz"}`,
		`switchyard_http_requests_total{code="200",method="GET",route="/assets/"}`,
		`switchyard_http_requests_total{code="500",method="GET",route="other"}`,
		`switchyard_http_requests_total{code="404",method="GET",route="other"}`,
		`switchyard_http_request_duration_seconds{method="GET",route="/query"}`,
	} {
		assert.Contains(t, samples, k, raw)
	}
	assertSafeLabels(t, samples)
}

func TestObserveChainOncePerVendor(t *testing.T) {
	tel, err := telemetry.New(context.Background(), telemetry.Options{Getenv: env(), NoGlobal: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	c := outbound.NewChain(outbound.ChainOptions{Vendor: "ortto"})
	require.NoError(t, tel.ObserveChain("ortto", c))
	assert.Error(t, tel.ObserveChain("ortto", c))
	assert.Error(t, tel.ObserveChain(`bad"name`, c))
	assert.Error(t, tel.ObserveChain("cordial", nil))
}
