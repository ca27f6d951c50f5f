package logging_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"

	"github.com/switchyard/switchyard/internal/policy/logging"
)

func TestTraceIDOnEveryRecord(t *testing.T) {
	traceID, err := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	require.NoError(t, err)
	spanID, err := trace.SpanIDFromHex("00f067aa0ba902b7")
	require.NoError(t, err)
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: traceID, SpanID: spanID, TraceFlags: trace.FlagsSampled})
	ctx := trace.ContextWithSpanContext(logging.WithRequestID(context.Background(), "req-1"), sc)

	var buf bytes.Buffer
	l := logging.New(true, &buf)
	l.InfoContext(ctx, "plain")
	l.WithGroup("vendor").With("name", "ortto").InfoContext(ctx, "grouped")
	l.InfoContext(trace.ContextWithSpanContext(context.Background(), sc), "trace only")
	l.InfoContext(context.Background(), "no span")
	l.InfoContext(trace.ContextWithSpanContext(context.Background(), trace.SpanContext{}), "invalid span")

	got := lines(t, buf.String())
	require.Len(t, got, 5)
	for _, m := range got[:3] {
		assert.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", m[logging.TraceIDKey], "%v", m)
		assert.Equal(t, "00f067aa0ba902b7", m[logging.SpanIDKey], "%v", m)
	}
	assert.Equal(t, "req-1", got[0]["request_id"])
	assert.Equal(t, "req-1", got[1]["request_id"])
	assert.Equal(t, map[string]any{"name": "ortto"}, got[1]["vendor"], "ids stay top-level")
	assert.NotContains(t, got[2], "request_id")
	for _, m := range got[3:] {
		assert.NotContains(t, m, logging.TraceIDKey)
		assert.NotContains(t, m, logging.SpanIDKey)
	}
}
