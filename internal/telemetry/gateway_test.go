package telemetry_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/switchyard/switchyard/internal/config"
	"github.com/switchyard/switchyard/internal/gateway"
	"github.com/switchyard/switchyard/internal/logging"
	"github.com/switchyard/switchyard/internal/sandbox"
	"github.com/switchyard/switchyard/internal/telemetry"
)

// gatewayEnv is the production gateway (gateway.New, as server.go builds
// it) over the simulators, wrapped in the telemetry middleware. Its
// vendor chains are built without telemetry options, so they trace
// through otel's globals, which telemetry.New installs: this is what
// carries the trace to the vendors even before the gateway passes the
// provider explicitly.
type gatewayEnv struct {
	sb   *sandbox.Sandbox
	srv  *httptest.Server
	logs *syncBuffer
}

func newGatewayEnv(t *testing.T) *gatewayEnv {
	t.Helper()
	logs := &syncBuffer{}
	logger := slog.New(logging.NewHandler(slog.NewJSONHandler(logs, nil)))
	tel, err := telemetry.New(context.Background(), telemetry.Options{Getenv: env(), Logger: logger})
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = tel.Shutdown(context.Background())
		otel.SetTracerProvider(noop.NewTracerProvider())
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator())
	})
	sb, err := sandbox.Start("")
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	cfg, err := config.Load(func(string) string { return "" })
	require.NoError(t, err)
	sb.Configure(cfg)
	gw, err := gateway.New(cfg, gateway.Options{Simulated: true, Logger: logger})
	require.NoError(t, err)
	t.Cleanup(func() { _ = gw.Close() })
	srv := httptest.NewServer(tel.Middleware(gw))
	t.Cleanup(srv.Close)
	return &gatewayEnv{sb: sb, srv: srv, logs: logs}
}

var traceparentRE = regexp.MustCompile(`^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$`)

// The trace id of an incoming traceparent reaches every vendor, with
// export off: each vendor's parent is a span of ours, and the sampling
// flag is the caller's.
func TestTraceparentReachesEveryVendor(t *testing.T) {
	e := newGatewayEnv(t)
	for _, flags := range []string{"01", "00"} {
		t.Run("flags "+flags, func(t *testing.T) {
			e.sb.Recorder.Clear()
			r := post(t, e.srv.URL+"/query", overview, "Traceparent", "00-"+incomingTrace+"-"+incomingSpan+"-"+flags)
			require.Empty(t, r.Errors)
			for _, v := range vendors {
				tps := traceparents(e.sb, v)
				require.NotEmpty(t, tps, "%s was called", v)
				for _, tp := range tps {
					m := traceparentRE.FindStringSubmatch(tp)
					require.NotNil(t, m, "%s got traceparent %q", v, tp)
					assert.Equal(t, incomingTrace, m[1], v)
					assert.NotEqual(t, incomingSpan, m[2], "%s's parent is our span, not the caller's", v)
					assert.Equal(t, flags, m[3], v)
				}
			}
		})
	}
	t.Run("no traceparent: one new trace for the whole request", func(t *testing.T) {
		e.sb.Recorder.Clear()
		require.Empty(t, post(t, e.srv.URL+"/query", overview).Errors)
		ids := map[string]bool{}
		for _, v := range vendors {
			for _, tp := range traceparents(e.sb, v) {
				m := traceparentRE.FindStringSubmatch(tp)
				require.NotNil(t, m, "%s got traceparent %q", v, tp)
				ids[m[1]] = true
			}
		}
		assert.Len(t, ids, 1)
		assert.NotContains(t, ids, incomingTrace)
	})
}

// The access log line of a request carries its trace id.
func TestLogLineCarriesTraceID(t *testing.T) {
	e := newGatewayEnv(t)
	require.Empty(t, post(t, e.srv.URL+"/query", overview, "Traceparent", "00-"+incomingTrace+"-"+incomingSpan+"-01").Errors)
	var found bool
	for line := range strings.SplitSeq(strings.TrimSpace(e.logs.String()), "\n") {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec), line)
		if rec["msg"] != "request" || rec["path"] != "/query" {
			continue
		}
		found = true
		assert.Equal(t, incomingTrace, rec[logging.TraceIDKey], line)
		assert.Regexp(t, `^[0-9a-f]{16}$`, rec[logging.SpanIDKey], line)
		assert.NotEqual(t, incomingSpan, rec[logging.SpanIDKey], "the span is the gateway's server span")
	}
	assert.True(t, found, "an access log line for /query in\n%s", e.logs.String())
}
