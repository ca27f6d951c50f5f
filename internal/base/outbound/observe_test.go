package outbound_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// observed records what the chain tells its Observer.
type observed struct {
	mu       sync.Mutex
	calls    []string // "vendor/op/status"
	attempts []string // "vendor/status"
}

func (o *observed) ObserveCall(vendor, op, status string, d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = append(o.calls, vendor+"/"+op+"/"+status)
}

func (o *observed) ObserveAttempt(vendor, status string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.attempts = append(o.attempts, vendor+"/"+status)
}

func (o *observed) get() (calls, attempts []string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.calls...), append([]string(nil), o.attempts...)
}

func TestObserverSeesEveryCallAndAttempt(t *testing.T) {
	cases := []struct {
		name     string
		method   string
		handle   func(w http.ResponseWriter, r *http.Request, n int)
		opts     outbound.ChainOptions
		ctx      func() (context.Context, context.CancelFunc)
		call     string
		attempts []string
	}{
		{name: "success", method: "GET", handle: func(http.ResponseWriter, *http.Request, int) {},
			call: "acme/test op/2xx", attempts: []string{"acme/2xx"}},
		{name: "not found", method: "GET", handle: func(w http.ResponseWriter, _ *http.Request, _ int) { w.WriteHeader(404) },
			call: "acme/test op/4xx", attempts: []string{"acme/4xx"}},
		{name: "read retried on 503", method: "GET", handle: func(w http.ResponseWriter, _ *http.Request, _ int) { w.WriteHeader(503) },
			call: "acme/test op/5xx", attempts: []string{"acme/5xx", "acme/5xx", "acme/5xx"}},
		{name: "read retried, then served", method: "GET", handle: func(w http.ResponseWriter, _ *http.Request, n int) {
			if n == 1 {
				w.WriteHeader(502)
			}
		}, call: "acme/test op/2xx", attempts: []string{"acme/5xx", "acme/2xx"}},
		{name: "mutation reset", method: "POST", handle: resetOnce,
			call: "acme/test op/error", attempts: []string{"acme/error"}},
		{name: "vendor timeout", method: "POST", opts: outbound.ChainOptions{Timeout: 50 * time.Millisecond},
			handle: func(http.ResponseWriter, *http.Request, int) { time.Sleep(200 * time.Millisecond) },
			call:   "acme/test op/timeout", attempts: []string{"acme/timeout"}},
		{name: "caller gave up", method: "POST",
			handle: func(http.ResponseWriter, *http.Request, int) { time.Sleep(200 * time.Millisecond) },
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				time.AfterFunc(30*time.Millisecond, cancel)
				return ctx, cancel
			},
			call: "acme/test op/canceled", attempts: []string{"acme/canceled"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := newVendor(t, tc.handle)
			rec := &observed{}
			tc.opts.Observer = rec
			c := newChain(t, tc.opts)
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if tc.ctx != nil {
				ctx, cancel = tc.ctx()
			}
			defer cancel()
			body := ""
			if tc.method == "POST" {
				body = "{}"
			}
			call(t, ctx, c, tc.method, v.URL, body)
			calls, attempts := rec.get()
			assert.Equal(t, []string{tc.call}, calls)
			assert.Equal(t, tc.attempts, attempts)
		})
	}
}

func TestObserverSeesChainRefusals(t *testing.T) {
	t.Run("circuit open", func(t *testing.T) {
		v := newVendor(t, func(w http.ResponseWriter, _ *http.Request, _ int) { w.WriteHeader(500) })
		rec := &observed{}
		c := newChain(t, outbound.ChainOptions{BreakerFailures: 1, BreakerOpen: time.Minute, NoDedup: true, Observer: rec})
		require.NotNil(t, call(t, context.Background(), c, "POST", v.URL, "{}"))
		require.Equal(t, "open", c.BreakerState())
		require.NotNil(t, call(t, context.Background(), c, "POST", v.URL, "{}"))
		calls, attempts := rec.get()
		assert.Equal(t, []string{"acme/test op/5xx", "acme/test op/circuit_open"}, calls)
		assert.Equal(t, []string{"acme/5xx"}, attempts, "the vendor was called once")
	})
	t.Run("client-side rate limit", func(t *testing.T) {
		v := newVendor(t, func(http.ResponseWriter, *http.Request, int) {})
		rec := &observed{}
		c := newChain(t, outbound.ChainOptions{RatePerSecond: 1, NoDedup: true, Observer: rec})
		require.Nil(t, call(t, context.Background(), c, "GET", v.URL, ""))
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		require.NotNil(t, call(t, ctx, c, "GET", v.URL, ""))
		calls, attempts := rec.get()
		assert.Equal(t, []string{"acme/test op/2xx", "acme/test op/rate_limited"}, calls)
		assert.Equal(t, []string{"acme/2xx"}, attempts)
	})
}

// Every attempt carries a traceparent of the caller's trace whose parent
// is that attempt's own span, and the spans say nothing of the URL.
func TestTraceparentSentWithEveryAttempt(t *testing.T) {
	var mu sync.Mutex
	var got []string
	v := newVendor(t, func(w http.ResponseWriter, r *http.Request, n int) {
		mu.Lock()
		got = append(got, r.Header.Get("Traceparent"))
		mu.Unlock()
		if n == 1 {
			w.WriteHeader(503)
		}
	})
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	c := newChain(t, outbound.ChainOptions{TracerProvider: tp, Propagator: propagation.TraceContext{}})

	ctx, parent := tp.Tracer("test").Start(context.Background(), "resolver")
	require.Nil(t, call(t, ctx, c, "GET", v.URL+"/v1/x?apiKey=sekrit-key-value", ""))
	parent.End()

	traceID := parent.SpanContext().TraceID().String()
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 2, "one failed attempt, one retry")
	var attemptIDs []string
	for _, s := range spans.Ended() {
		for _, kv := range s.Attributes() {
			assert.NotContains(t, kv.Value.Emit(), "sekrit", "span %q attribute %s", s.Name(), kv.Key)
		}
		if s.SpanKind() == trace.SpanKindClient {
			attemptIDs = append(attemptIDs, s.SpanContext().SpanID().String())
		}
	}
	require.Len(t, attemptIDs, 2)
	for i, tp := range got {
		parts := strings.Split(tp, "-")
		require.Len(t, parts, 4, "traceparent %q", tp)
		assert.Equal(t, traceID, parts[1])
		assert.Equal(t, attemptIDs[i], parts[2], "the vendor's parent is the attempt's span")
		assert.Equal(t, "01", parts[3])
	}

	names := map[string]string{}
	for _, s := range spans.Ended() {
		names[s.SpanContext().SpanID().String()] = s.Name()
	}
	var calls int
	for _, s := range spans.Ended() {
		switch {
		case s.Name() == "resolver":
		case s.SpanKind() == trace.SpanKindClient:
			assert.Equal(t, "GET", s.Name())
			assert.Equal(t, "acme test op", names[s.Parent().SpanID().String()], "attempts are children of the call")
		default:
			calls++
			assert.Equal(t, "acme test op", s.Name())
			assert.Equal(t, parent.SpanContext().SpanID(), s.Parent().SpanID(), "the call is a child of the caller's span")
		}
	}
	assert.Equal(t, 1, calls, "one call span for the retried call")
}

// Without telemetry set up the chain uses otel's no-op globals: nothing
// is sent that was not sent before.
func TestNoTraceparentWithoutTelemetry(t *testing.T) {
	headers := make(chan http.Header, 1)
	v := newVendor(t, func(_ http.ResponseWriter, r *http.Request, _ int) { headers <- r.Header.Clone() })
	c := newChain(t, outbound.ChainOptions{})
	require.Nil(t, call(t, context.Background(), c, "GET", v.URL, ""))
	assert.Empty(t, (<-headers).Get("Traceparent"))
}
