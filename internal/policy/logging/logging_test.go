package logging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/graph/generated"
	"github.com/switchyard/switchyard/graph/model"
	"github.com/switchyard/switchyard/internal/policy/logging"
	"github.com/switchyard/switchyard/resolvers"
)

// syncBuffer is written by the server goroutine and read by the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lines decodes JSON log lines.
func lines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for l := range strings.SplitSeq(strings.TrimSpace(s), "\n") {
		if l == "" {
			continue
		}
		m := map[string]any{}
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
		out = append(out, m)
	}
	return out
}

const (
	vendorKey = "sk-live-0123456789abcdef"
	jwtSecret = "jwt-signing-secret-value"
	escaped   = "p@ss/word+12" // appears URL-escaped
	short     = "abc12"        // too short to register
)

type creds struct{ User, Key string }

func TestRedaction(t *testing.T) {
	cases := []struct {
		name   string
		log    func(l *slog.Logger)
		leaked []string // must not appear
		kept   []string // must still appear
	}{
		{"registered secret in the message", func(l *slog.Logger) { l.Info("calling with key " + vendorKey) }, []string{vendorKey}, []string{"calling with key REDACTED"}},
		{"registered secret in an attribute", func(l *slog.Logger) { l.Info("x", "jwt", jwtSecret) }, []string{jwtSecret}, []string{"REDACTED"}},
		{"registered secret inside a longer string", func(l *slog.Logger) { l.Info("x", "url", "https://h/x?k="+vendorKey+"&n=1") }, []string{vendorKey}, []string{"n=1"}},
		{"URL-escaped secret", func(l *slog.Logger) { l.Info("x", "url", "https://h/x?password_hint=&k=p%40ss%2Fword%2B12") }, []string{"p%40ss%2Fword%2B12", escaped}, nil},
		{"secret in a group", func(l *slog.Logger) {
			l.Info("x", slog.Group("vendor", slog.String("key", vendorKey), slog.Int("n", 3)))
		}, []string{vendorKey}, []string{"REDACTED"}},
		{"secret in a nested group", func(l *slog.Logger) {
			l.Info("x", slog.Group("a", slog.Group("b", slog.String("c", "Bearer tok3n.value"))))
		}, []string{"tok3n.value"}, []string{"Bearer REDACTED"}},
		{"secret in With attributes", func(l *slog.Logger) { l.With("key", vendorKey).Info("x") }, []string{vendorKey}, nil},
		{"secret in WithGroup attributes", func(l *slog.Logger) { l.WithGroup("g").With("key", vendorKey).Info("x", "k2", jwtSecret) }, []string{vendorKey, jwtSecret}, nil},
		{"secret in an error", func(l *slog.Logger) {
			l.Error("failed", "error", fmt.Errorf("get: %w", errors.New("bad key "+vendorKey)))
		}, []string{vendorKey}, []string{"bad key REDACTED"}},
		{"secret in a struct", func(l *slog.Logger) { l.Info("x", "creds", creds{User: "ada", Key: vendorKey}) }, []string{vendorKey}, []string{"ada"}},
		{"secret in bytes", func(l *slog.Logger) { l.Info("x", "body", []byte(`{"k":"`+vendorKey+`"}`)) }, []string{vendorKey}, nil},
		{"Bearer token", func(l *slog.Logger) {
			l.Info("auth header Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln")
		},
			[]string{"eyJhbGciOiJIUzI1NiJ9", "c2ln"}, []string{"Bearer REDACTED"}},
		{"Basic credentials", func(l *slog.Logger) { l.Info("x", "header", "Basic c2FuZGJveC1rZXk6") }, []string{"c2FuZGJveC1rZXk6"}, []string{"Basic REDACTED"}},
		{"apiKey and accessKey query parameters", func(l *slog.Logger) {
			l.Info("GET https://api.apptivo.com/app/dao/v6/customers?a=getAll&apiKey=k-123456&accessKey=a-654321")
		}, []string{"k-123456", "a-654321"}, []string{"a=getAll", "apiKey=REDACTED", "accessKey=REDACTED"}},
		{"credential-named JSON fields", func(l *slog.Logger) {
			l.Info("x", "body", `{"client_secret":"cs-998877","access_token": "at-112233","name":"safe_drivers"}`)
		}, []string{"cs-998877", "at-112233"}, []string{"safe_drivers"}},
		{"X-Api-Key header", func(l *slog.Logger) { l.Info("sent X-Api-Key: xk-5566778899") }, []string{"xk-5566778899"}, []string{"X-Api-Key: REDACTED"}},
		{"URL user info", func(l *slog.Logger) { l.Info("x", "url", "https://key:pw-445566@api.example/") }, []string{"pw-445566"}, []string{"https://REDACTED@api.example/"}},
		{"ordinary text survives", func(l *slog.Logger) { l.Info("Basic auth refused for customer 42", "short", short) },
			nil, []string{"Basic auth refused for customer 42", short}},
		{"prose about bearer tokens survives", func(l *slog.Logger) {
			l.Warn("bearer token required", "reason", "missing Bearer token.", "hint", "Basic authentication is not supported")
		}, nil, []string{"bearer token required", "missing Bearer token.", "Basic authentication is not supported"}},
		{"prose with token: survives", func(l *slog.Logger) { l.Info("invalid token: signature mismatch") },
			nil, []string{"invalid token: signature mismatch"}},
		{"a redacted message with an unchanged attribute", func(l *slog.Logger) { l.Info("key "+vendorKey, "n", 1) },
			[]string{vendorKey}, []string{"key REDACTED"}},
		{"Authorization values of any shape", func(l *slog.Logger) {
			l.Info("sent Authorization: Bearer abcdefgh", "h", `{"Authorization":"Basic abcdefgh"}`, "q", "authorization=sesame")
		}, []string{"abcdefgh", "sesame"}, []string{"Authorization: Bearer REDACTED", "Basic REDACTED", "authorization=REDACTED"}},
		{"apiKey and token parameters of any shape", func(l *slog.Logger) {
			l.Info("GET /x?apiKey=abcdefgh&token=qwertyui", "body", `{"token":"zxcvbnm"}`)
		}, []string{"abcdefgh", "qwertyui", "zxcvbnm"}, []string{"apiKey=REDACTED", "token=REDACTED"}},
		{"bearer credential ending a sentence", func(l *slog.Logger) { l.Info("got Bearer abc123.") },
			[]string{"abc123"}, []string{"Bearer REDACTED."}},
	}
	for _, tc := range cases {
		for _, production := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/production=%v", tc.name, production), func(t *testing.T) {
				var buf bytes.Buffer
				tc.log(logging.New(production, &buf, vendorKey, jwtSecret, escaped, short, ""))
				out := buf.String()
				require.NotEmpty(t, out)
				for _, s := range tc.leaked {
					assert.NotContains(t, out, s)
				}
				for _, s := range tc.kept {
					assert.Contains(t, out, s)
				}
				if production {
					lines(t, out) // still valid JSON
				}
			})
		}
	}
}

func TestRequestIDOnEveryRecord(t *testing.T) {
	var buf bytes.Buffer
	l := logging.New(true, &buf)
	ctx := logging.WithRequestID(context.Background(), "req-1")

	l.InfoContext(ctx, "plain")
	l.With("a", 1).InfoContext(ctx, "with attrs")
	l.WithGroup("vendor").With("name", "ortto").InfoContext(ctx, "grouped", "status", 503)
	l.Info("no context")
	l.InfoContext(ctx, "explicit", logging.RequestIDKey, "req-1")

	got := lines(t, buf.String())
	require.Len(t, got, 5)
	for _, m := range got[:3] {
		assert.Equal(t, "req-1", m["request_id"], "%v", m)
	}
	assert.Equal(t, float64(1), got[1]["a"])
	assert.Equal(t, map[string]any{"name": "ortto", "status": float64(503)}, got[2]["vendor"], "group contents stay in the group")
	assert.NotContains(t, got[3], "request_id")
	assert.Equal(t, 1, strings.Count(strings.Split(buf.String(), "\n")[4], "request_id"), "an explicit request_id is not doubled")
}

func TestRequestIDMiddleware(t *testing.T) {
	generated := regexp.MustCompile(`^[0-9a-f]{32}$`)
	cases := []struct {
		name, sent string
		kept       bool
	}{
		{"none sent", "", false},
		{"safe id kept", "abc-123_X.y", true},
		{"64 characters kept", strings.Repeat("a", 64), true},
		{"65 characters replaced", strings.Repeat("a", 65), false},
		{"space replaced", "abc 123", false},
		{"newline replaced", "abc\nlevel=ERROR msg=forged", false},
		{"markup replaced", "<script>", false},
		{"unicode replaced", "reqé", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var seen string
			h := logging.RequestID(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { seen = logging.FromContext(r.Context()) }))
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			if tc.sent != "" {
				req.Header[logging.RequestIDHeader] = []string{tc.sent}
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			got := rec.Header().Get(logging.RequestIDHeader)
			assert.Equal(t, got, seen, "the context holds the id sent back")
			if tc.kept {
				assert.Equal(t, tc.sent, got)
			} else {
				assert.Regexp(t, generated, got)
			}
		})
	}

	ids := map[string]bool{}
	for range 100 {
		rec := httptest.NewRecorder()
		logging.RequestID(http.NotFoundHandler()).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		ids[rec.Header().Get(logging.RequestIDHeader)] = true
	}
	assert.Len(t, ids, 100, "generated ids are unique")
}

func TestAccessLog(t *testing.T) {
	logs := &syncBuffer{}
	logger := logging.New(true, logs)
	h := logging.RequestID(logging.AccessLog(logger, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logger.InfoContext(r.Context(), "inside")
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte("0123456789"))
	})))
	srv := httptest.NewServer(h)
	defer srv.Close()

	req, err := http.NewRequest(http.MethodGet, srv.URL+`/query?query={customers{nodes{name}}}&variables={"email":"ada@example.com"}&apiKey=qk-778899`, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer client-token-42")
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()

	out := logs.String()
	for _, s := range []string{"customers", "ada@example.com", "qk-778899", "client-token-42", "Authorization", "?"} {
		assert.NotContains(t, out, s)
	}
	got := lines(t, out)
	require.Len(t, got, 2)
	assert.Equal(t, got[0]["request_id"], got[1]["request_id"], "the access line and the handler's line share the id")
	line := got[1]
	assert.Equal(t, "request", line["msg"])
	assert.Equal(t, "INFO", line["level"])
	assert.Equal(t, "GET", line["method"])
	assert.Equal(t, "/query", line["path"])
	assert.Equal(t, float64(http.StatusTeapot), line["status"])
	assert.Equal(t, float64(10), line["bytes"])
	assert.Contains(t, line, "duration_ms")
	assert.Equal(t, resp.Header.Get(logging.RequestIDHeader), line["request_id"])
	assert.NotContains(t, line, "operation", "not a GraphQL request")
}

func TestAccessLogStatuses(t *testing.T) {
	cases := []struct {
		name   string
		h      http.HandlerFunc
		status float64
		level  string
	}{
		{"nothing written is 200", func(http.ResponseWriter, *http.Request) {}, 200, "INFO"},
		{"body without WriteHeader is 200", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("x")) }, 200, "INFO"},
		{"5xx logs at error", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) }, 502, "ERROR"},
		{"panic logs 500 and panics on", func(http.ResponseWriter, *http.Request) { panic("boom") }, 500, "ERROR"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			h := logging.AccessLog(logging.New(true, &buf), tc.h)
			func() {
				defer func() { _ = recover() }()
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/query", nil))
			}()
			got := lines(t, buf.String())
			require.Len(t, got, 1)
			assert.Equal(t, tc.status, got[0]["status"])
			assert.Equal(t, tc.level, got[0]["level"])
		})
	}
}

// The Operation extension names the GraphQL operation on the access line,
// through a real gqlgen server.
func TestAccessLogNamesTheOperation(t *testing.T) {
	es := generated.NewExecutableSchema(generated.Config{
		Resolvers: &resolvers.Resolver{Info: model.GatewayInfo{Version: "test"}},
		Directives: generated.DirectiveRoot{HasScope: func(ctx context.Context, _ any, next graphql.Resolver, _ model.Scope) (any, error) {
			return next(ctx)
		}},
	})
	gql := handler.New(es)
	gql.AddTransport(transport.POST{})
	gql.Use(logging.Operation{})
	logs := &syncBuffer{}
	srv := httptest.NewServer(logging.RequestID(logging.AccessLog(logging.New(true, logs), gql)))
	defer srv.Close()

	for _, body := range []string{
		`{"query":"query Overview { gateway { version } }"}`,
		`{"query":"mutation Drop($id: ID!) { deleteAccountList(id: $id) { success } }","variables":{"id":"1"}}`,
		`{"query":"{ gateway { version } }"}`,
		`{"query":"query Bad { nope }"}`,
	} {
		resp, err := srv.Client().Post(srv.URL, "application/json", strings.NewReader(body))
		require.NoError(t, err)
		resp.Body.Close()
	}
	got := lines(t, logs.String())
	require.Len(t, got, 4)
	assert.Equal(t, "Overview", got[0]["operation"])
	assert.Equal(t, "query", got[0]["operation_type"])
	assert.Equal(t, "Drop", got[1]["operation"])
	assert.Equal(t, "mutation", got[1]["operation_type"])
	assert.Equal(t, "", got[2]["operation"], "anonymous")
	assert.Equal(t, "query", got[2]["operation_type"])
	assert.NotContains(t, got[3], "operation", "a document that failed validation ran no operation")
}
