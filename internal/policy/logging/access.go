package logging

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// AccessLog logs one line per request when it finishes: method, path
// (never the query string, which for GET /query holds the whole operation
// and its variables), status, duration_ms, bytes, request_id, and, when
// the GraphQL server has the Operation extension, the operation's name and
// type. Headers are never logged, Authorization included. 5xx responses
// log at Error, the rest at Info.
func AccessLog(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &accessInfo{}
		rec := &recorder{ResponseWriter: w}
		ctx := context.WithValue(r.Context(), accessKey{}, info)
		defer func() {
			p := recover()
			status := rec.status
			switch {
			case p != nil && !rec.wrote:
				status = http.StatusInternalServerError
			case status == 0:
				status = http.StatusOK
			}
			attrs := []slog.Attr{
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", status),
				slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
				slog.Int64("bytes", rec.bytes),
			}
			if id := FromContext(ctx); id != "" {
				attrs = append(attrs, slog.String(RequestIDKey, id))
			}
			if name, typ := info.operation(); typ != "" {
				attrs = append(attrs, slog.String("operation", name), slog.String("operation_type", typ))
			}
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			logger.LogAttrs(ctx, level, "request", attrs...)
			if p != nil {
				panic(p)
			}
		}()
		next.ServeHTTP(rec, r.WithContext(ctx))
	})
}

// Operation is a gqlgen extension (srv.Use(logging.Operation{})) that
// tells AccessLog which GraphQL operation a request ran: its name ("" when
// anonymous) and type. An operation refused by a limit is named too; one
// that failed to parse or validate is not. The name comes from the parsed
// document, so it is always a GraphQL name, never arbitrary client text.
type Operation struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = Operation{}

func (Operation) ExtensionName() string                   { return "SwitchyardAccessLogOperation" }
func (Operation) Validate(graphql.ExecutableSchema) error { return nil }

func (Operation) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if info, ok := ctx.Value(accessKey{}).(*accessInfo); ok && graphql.HasOperationContext(ctx) {
		if op := graphql.GetOperationContext(ctx).Operation; op != nil {
			info.set(op.Name, op.Operation)
		}
	}
	return next(ctx)
}

type accessKey struct{}

// accessInfo is what the GraphQL server learns about a request for its
// access-log line.
type accessInfo struct {
	mu      sync.Mutex
	name    string
	opType  ast.Operation
	written bool
}

func (i *accessInfo) set(name string, typ ast.Operation) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.name, i.opType, i.written = name, typ, true
}

func (i *accessInfo) operation() (name, typ string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if !i.written {
		return "", ""
	}
	return i.name, string(i.opType)
}

// recorder notes the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote && code >= 200 {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wrote {
		r.status, r.wrote = http.StatusOK, true
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer
// (Flush, deadlines).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
