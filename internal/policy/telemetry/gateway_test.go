package telemetry_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/policy/logging"
	"github.com/switchyard/switchyard/internal/policy/telemetry"
)

// newGatewayEnv is the production gateway (gateway.New, as server.go
// builds it) over the simulators, wrapped in the telemetry middleware. Its
// vendor chains are built without telemetry options, so they trace
// through otel's globals, which telemetry.New installs: this is what
// carries the trace to the vendors even before the gateway passes the
// provider explicitly.
func newGatewayEnv(t *testing.T) *gatewaytest.Env {
	t.Helper()
	logs := &gatewaytest.LogBuffer{}
	logger := slog.New(logging.NewHandler(slog.NewJSONHandler(logs, nil)))
	tel, err := telemetry.New(context.Background(), telemetry.Options{Getenv: env(), Logger: logger})
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = tel.Shutdown(context.Background())
		otel.SetTracerProvider(noop.NewTracerProvider())
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator())
	})
	return gatewaytest.Start(t, func(s *gatewaytest.Setup) {
		s.Logs, s.Options.Logger, s.Wrap = logs, logger, tel.Middleware
	})
}

var traceparentRE = regexp.MustCompile(`^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$`)

// The trace id of an incoming traceparent reaches every vendor, with
// export off: each vendor's parent is a span of ours, and the sampling
// flag is the caller's.
func TestTraceparentReachesEveryVendor(t *testing.T) {
	e := newGatewayEnv(t)
	for _, flags := range []string{"01", "00"} {
		t.Run("flags "+flags, func(t *testing.T) {
			e.Sandbox.Recorder.Clear()
			r := gatewaytest.Query(t, e.Server.URL+"/query", overview, nil, "Traceparent", "00-"+incomingTrace+"-"+incomingSpan+"-"+flags)
			require.Empty(t, r.Errors)
			for _, v := range vendors {
				tps := traceparents(e.Sandbox, v)
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
		e.Sandbox.Recorder.Clear()
		require.Empty(t, gatewaytest.Query(t, e.Server.URL+"/query", overview, nil).Errors)
		ids := map[string]bool{}
		for _, v := range vendors {
			for _, tp := range traceparents(e.Sandbox, v) {
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
	require.Empty(t, e.Query(overview, nil, "Traceparent", "00-"+incomingTrace+"-"+incomingSpan+"-01").Errors)
	var found bool
	for line := range strings.SplitSeq(strings.TrimSpace(e.Logs.String()), "\n") {
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
	assert.True(t, found, "an access log line for /query in\n%s", e.Logs.String())
}
