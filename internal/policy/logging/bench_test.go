package logging_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/switchyard/switchyard/internal/policy/logging"
)

// BenchmarkAccessLine is one access-log line as AccessLog writes it for a
// pass-through GraphQL request, through the production (JSON) logger with
// the four vendor secrets a gateway registers: what redaction costs per
// request.
func BenchmarkAccessLine(b *testing.B) {
	logger := logging.New(true, io.Discard,
		"ortto-api-key-0123456789", "apptivo-api-key-0123456789", "apptivo-access-key-0123456789",
		"appdirect-client-secret-0123456789", "cordial-api-key-0123456789", "jwt-secret-0123456789abcdef0123456789")
	ctx := logging.WithRequestID(context.Background(), "4bf92f3577b34da6a3ce929d0e0e4736")
	b.ReportAllocs()
	for b.Loop() {
		logger.LogAttrs(ctx, slog.LevelInfo, "request",
			slog.String("method", "POST"),
			slog.String("path", "/query"),
			slog.Int("status", 200),
			slog.Float64("duration_ms", 12.345),
			slog.Int64("bytes", 1834),
			slog.String("operation", "CustomersWithPeople"),
			slog.String("operation_type", "query"),
		)
	}
}
