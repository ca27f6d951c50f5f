package gateway_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/config"
	"github.com/switchyard/switchyard/internal/gateway"
	"github.com/switchyard/switchyard/internal/logging"
	"github.com/switchyard/switchyard/internal/sandbox"
	"github.com/switchyard/switchyard/internal/simkit"
)

// env is one gateway wired to a fresh set of simulators over loopback,
// the same way `go run .` wires its sandbox.
type env struct {
	t    testing.TB
	sb   *sandbox.Sandbox
	gw   *gateway.Gateway
	srv  *httptest.Server
	logs *syncBuffer
}

type envOption func(*config.Config, *gateway.Options)

// withOnly configures just the named vendors (the others are left
// unconfigured, as in a partial production deployment).
func withOnly(vendors ...string) envOption {
	return func(c *config.Config, _ *gateway.Options) {
		keep := map[string]bool{}
		for _, v := range vendors {
			keep[v] = true
		}
		if !keep[config.Ortto] {
			c.OrttoAPIKey = ""
		}
		if !keep[config.Apptivo] {
			c.ApptivoAPIKey, c.ApptivoAccessKey = "", ""
		}
		if !keep[config.AppDirect] {
			c.AppDirectBaseURL, c.AppDirectClientID, c.AppDirectClientSecret = "", "", ""
		}
		if !keep[config.Cordial] {
			c.CordialAPIKey = ""
		}
	}
}

// withClientTimeout bounds every vendor call, so that timeout paths are
// tested in milliseconds.
func withClientTimeout(d time.Duration) envOption {
	return func(c *config.Config, _ *gateway.Options) {
		for _, v := range config.Vendors {
			c.VendorTimeouts[v] = d
		}
	}
}

func newEnv(t *testing.T, opts ...envOption) *env { return newEnvTB(t, opts...) }

// withoutRateLimits lifts the client-side rate limits (benchmarks).
func withoutRateLimits() envOption {
	return func(c *config.Config, _ *gateway.Options) {
		for v, l := range c.Limits {
			l.RatePerSecond = 0
			c.Limits[v] = l
		}
	}
}

func newEnvTB(t testing.TB, opts ...envOption) *env {
	t.Helper()
	sb, err := sandbox.Start("")
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	cfg, err := config.Load(func(string) string { return "" })
	require.NoError(t, err)
	sb.Configure(cfg)
	logs := &syncBuffer{}
	// The production redaction handler, with no secret registered, so that
	// TestSecretsNeverLeak still sees any credential logged raw.
	gopts := gateway.Options{Simulated: true, Logger: slog.New(logging.NewHandler(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))}
	for _, o := range opts {
		o(cfg, &gopts)
	}
	gw, err := gateway.New(cfg, gopts)
	require.NoError(t, err)
	srv := httptest.NewServer(gw)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = gw.Close() })
	return &env{t: t, sb: sb, gw: gw, srv: srv, logs: logs}
}

// gqlError is one entry of a GraphQL response's errors.
type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type response struct {
	Status int
	Header http.Header
	Raw    string
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

// into decodes the data into v.
func (r *response) into(t testing.TB, v any) {
	t.Helper()
	require.NotEmpty(t, r.Data, "no data in %s", r.Raw)
	require.NoError(t, json.Unmarshal(r.Data, v), r.Raw)
}

// codes lists each error's extensions.code.
func (r *response) codes() []string {
	var out []string
	for _, e := range r.Errors {
		c, _ := e.Extensions["code"].(string)
		out = append(out, c)
	}
	return out
}

// query POSTs a GraphQL request and decodes the reply.
func (e *env) query(q string, vars map[string]any) *response {
	e.t.Helper()
	body, err := json.Marshal(map[string]any{"query": q, "variables": vars})
	require.NoError(e.t, err)
	return e.post("application/json", body)
}

func (e *env) post(contentType string, body []byte) *response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/query", bytes.NewReader(body))
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", contentType)
	return e.send(req)
}

func (e *env) send(req *http.Request) *response {
	e.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	r := &response{Status: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
	if strings.Contains(resp.Header.Get("Content-Type"), "json") {
		require.NoError(e.t, json.Unmarshal(raw, r), string(raw))
	}
	return r
}

// calls returns the requests the simulators received for vendor.
func (e *env) calls(vendor string) []simkit.Entry {
	var out []simkit.Entry
	for _, en := range e.sb.Recorder.Entries() {
		if en.Vendor == vendor {
			out = append(out, en)
		}
	}
	return out
}

// apiCalls is calls without AppDirect's token requests.
func (e *env) apiCalls(vendor string) []simkit.Entry {
	var out []simkit.Entry
	for _, en := range e.calls(vendor) {
		if !strings.HasSuffix(en.Path, "/oauth2/token") {
			out = append(out, en)
		}
	}
	return out
}

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
