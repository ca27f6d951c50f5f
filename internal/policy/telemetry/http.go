package telemetry

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/switchyard/switchyard/internal/policy/logging"
)

// DefaultRoutes are the gateway's routes, each its own route label
// ("/graphiql/" stands for every GraphiQL asset below it).
var DefaultRoutes = []string{"/", "/query", "/schema.graphql", "/healthz", "/readyz", "/metrics", "/graphiql/"}

// untraced routes are probed every few seconds, or are static files; a
// span each would bury the traces anyone looks at. Their incoming trace
// context is still continued, so a log line they write carries the
// caller's trace id.
var untraced = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true, "/graphiql/": true}

// Middleware continues the trace of an incoming W3C traceparent header
// (or starts one) and serves the request inside a server span, so that
// every span and log line of the request shares one trace id, and the
// vendors see it too. It counts the request by route, method and status.
//
// Place it inside logging.RequestID (so the span can carry the request
// id) and outside everything else (so that the access log line carries
// the trace id).
func (t *Telemetry) Middleware(next http.Handler) http.Handler {
	if t == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		route := t.route(r.URL.Path)
		method := methodLabel(r.Method)
		ctx := t.prop.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		span := trace.SpanFromContext(ctx) // the remote parent, until ours starts
		if !untraced[route] {
			name := method
			if route != labelOther {
				name += " " + route
			}
			ctx, span = t.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindServer))
			if span.IsRecording() { // attributes only for a span that keeps them
				span.SetAttributes(
					attribute.String("http.request.method", method),
					attribute.String("http.route", route),
					attribute.String("url.scheme", scheme(r)),
				)
				if id := logging.FromContext(ctx); id != "" {
					span.SetAttributes(attribute.String("switchyard.request_id", id))
				}
			}
		}
		end := &requestEnd{}
		ctx = context.WithValue(ctx, requestEndKey{}, end)
		rec := &statusWriter{ResponseWriter: w}
		defer func() {
			p := recover()
			end.run()
			code := rec.status
			if code == 0 {
				code = http.StatusOK
				if p != nil {
					code = http.StatusInternalServerError
				}
			}
			if !untraced[route] {
				if span.IsRecording() {
					span.SetAttributes(attribute.Int("http.response.status_code", code))
				}
				if code >= 500 {
					span.SetStatus(codes.Error, "")
				}
				span.End()
			}
			m := t.metrics
			m.httpRequests.WithLabelValues(route, method, strconv.Itoa(code)).Inc()
			m.httpDuration.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
			if p != nil {
				panic(p)
			}
		}()
		next.ServeHTTP(rec, r.WithContext(ctx))
	})
}

// route is path's route label: one of t.routes, or other.
func (t *Telemetry) route(path string) string {
	for _, r := range t.routes {
		if path == r || (r != "/" && strings.HasSuffix(r, "/") && strings.HasPrefix(path, r)) {
			return r
		}
	}
	return labelOther
}

func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return m
	}
	return "OTHER"
}

func scheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// statusWriter notes the response status. It is an http.Flusher, as the
// multipart (@defer) transport requires of its writer.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush implements http.Flusher when the underlying writer can flush.
func (w *statusWriter) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

type requestEndKey struct{}

// requestEnd runs what must happen when the request is over at the
// latest, whatever the handlers inside did.
type requestEnd struct {
	mu  sync.Mutex
	fns []func()
}

func (e *requestEnd) run() {
	e.mu.Lock()
	fns := e.fns
	e.fns = nil
	e.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

// onRequestEnd has fn run when the request ctx belongs to ends (nothing
// when ctx did not come through Middleware).
func onRequestEnd(ctx context.Context, fn func()) {
	if e, ok := ctx.Value(requestEndKey{}).(*requestEnd); ok {
		e.mu.Lock()
		e.fns = append(e.fns, fn)
		e.mu.Unlock()
	}
}
