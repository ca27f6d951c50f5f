// Package logging builds Switchyard's structured logger and its HTTP
// middleware: every log line goes through one redacting handler (the one
// place secrets are scrubbed), carries the request id of the request it
// was logged for, and each request gets one access-log line.
//
// Wiring: RequestID outermost, so that everything inside, AccessLog
// included, sees the id; loggers built by New add it to every record
// logged with the request's context (logger.InfoContext(ctx, ...)), and
// with it the trace and span ids of the OpenTelemetry span the context
// carries, so that a log line leads to its trace.
package logging

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"

	"go.opentelemetry.io/otel/trace"
)

// RequestIDKey is the attribute every record logged for a request carries.
const RequestIDKey = "request_id"

// TraceIDKey and SpanIDKey are the attributes a record logged under a
// context carrying a valid span context gets: the W3C trace id (32 hex
// digits) and span id (16 hex digits).
const (
	TraceIDKey = "trace_id"
	SpanIDKey  = "span_id"
)

// RequestIDHeader carries the request id in both directions.
const RequestIDHeader = "X-Request-Id"

// New returns the process logger: JSON lines in production, text
// otherwise, at Info level, through NewHandler. secrets are the values
// never to be logged (vendor keys, the JWT secret); empty and short ones
// are ignored.
func New(production bool, w io.Writer, secrets ...string) *slog.Logger {
	var h slog.Handler
	if production {
		h = slog.NewJSONHandler(w, nil)
	} else {
		h = slog.NewTextHandler(w, nil)
	}
	return slog.New(NewHandler(h, secrets...))
}

// NewHandler wraps h so that records are redacted (registered secrets,
// Bearer and Basic credentials, apiKey=/accessKey=/token=-style values,
// URL user info) and carry the request id and trace/span ids of the
// context they are logged with. Tests use it to wrap a handler of their
// own.
func NewHandler(h slog.Handler, secrets ...string) slog.Handler {
	return &contextHandler{base: &redactHandler{next: h, r: newRedactor(secrets)}}
}

type ctxKey struct{}

// WithRequestID returns ctx carrying id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// FromContext returns the request id ctx carries, or "".
func FromContext(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// RequestID gives every request an id: the client's X-Request-Id when it
// is a safe token (1 to 64 of A-Z a-z 0-9 . _ -), so that a caller can
// follow its own id through our logs, or else a new random one. The id is
// sent back in X-Request-Id and stored in the request's context.
func RequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(RequestIDHeader)
		if !safeID(id) {
			id = newID()
		}
		w.Header().Set(RequestIDHeader, id)
		next.ServeHTTP(w, r.WithContext(WithRequestID(r.Context(), id)))
	})
}

// safeID accepts ids that cannot forge log lines or smuggle markup.
func safeID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range []byte(id) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand since Go 1.24)
	return hex.EncodeToString(b[:])
}

// contextHandler adds the context's request id, trace id and span id to
// each record. They are top-level attributes even on a logger with
// groups: base is the handler before the first WithGroup, and ops replays
// what came after it onto a base that has them.
type contextHandler struct {
	base slog.Handler
	ops  []func(slog.Handler) slog.Handler
	cur  slog.Handler // base with ops applied; nil when ops is empty
}

func (h *contextHandler) handler() slog.Handler {
	if h.cur != nil {
		return h.cur
	}
	return h.base
}

func (h *contextHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.handler().Enabled(ctx, l)
}

func (h *contextHandler) Handle(ctx context.Context, rec slog.Record) error {
	attrs := contextAttrs(ctx, rec)
	if len(attrs) == 0 {
		return h.handler().Handle(ctx, rec)
	}
	if len(h.ops) == 0 {
		rec = rec.Clone()
		rec.AddAttrs(attrs...)
		return h.base.Handle(ctx, rec)
	}
	withIDs := h.base.WithAttrs(attrs)
	for _, op := range h.ops {
		withIDs = op(withIDs)
	}
	return withIDs.Handle(ctx, rec)
}

// contextAttrs are the ids ctx carries that rec does not have yet.
func contextAttrs(ctx context.Context, rec slog.Record) []slog.Attr {
	var attrs []slog.Attr
	if id := FromContext(ctx); id != "" && !hasAttr(rec, RequestIDKey) {
		attrs = append(attrs, slog.String(RequestIDKey, id))
	}
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() && !hasAttr(rec, TraceIDKey) {
		attrs = append(attrs, slog.String(TraceIDKey, sc.TraceID().String()), slog.String(SpanIDKey, sc.SpanID().String()))
	}
	return attrs
}

func (h *contextHandler) WithAttrs(as []slog.Attr) slog.Handler {
	if len(h.ops) == 0 {
		return &contextHandler{base: h.base.WithAttrs(as)}
	}
	return h.with(func(next slog.Handler) slog.Handler { return next.WithAttrs(as) })
}

func (h *contextHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return h.with(func(next slog.Handler) slog.Handler { return next.WithGroup(name) })
}

func (h *contextHandler) with(op func(slog.Handler) slog.Handler) slog.Handler {
	return &contextHandler{base: h.base, ops: append(h.ops[:len(h.ops):len(h.ops)], op), cur: op(h.handler())}
}

func hasAttr(rec slog.Record, key string) bool {
	found := false
	rec.Attrs(func(a slog.Attr) bool {
		found = a.Key == key
		return !found
	})
	return found
}
