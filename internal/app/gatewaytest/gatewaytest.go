// Package gatewaytest starts the real gateway over a fresh set of vendor
// simulators, the way `go run .` wires its sandbox, and decodes its
// GraphQL replies, so that the tests of every package exercise the same
// wiring instead of each keeping a copy of it.
//
// It is an ordinary package only so that several packages' tests can
// share it: import it from _test.go files and nowhere else. It imports
// internal/app/gateway, so a package that gateway imports (resolvers,
// telemetry, querylimits, persisted, ...) may import it only from its
// external test package (package x_test), never from its own code or
// internal tests, or the build has an import cycle.
package gatewaytest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/config"
	"github.com/switchyard/switchyard/internal/app/gateway"
	"github.com/switchyard/switchyard/internal/app/sandbox"
	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/internal/policy/logging"
	"github.com/switchyard/switchyard/internal/policy/sharedstate"
)

// Env is one gateway wired to simulators over loopback and served by an
// httptest server.
type Env struct {
	// T is the test Env was started for; its methods fail it.
	T       testing.TB
	Sandbox *sandbox.Sandbox
	Gateway *gateway.Gateway
	Server  *httptest.Server
	// Logs holds what the gateway logged.
	Logs *LogBuffer
}

// Setup is what Start builds the gateway from; each Option changes it
// after the sandbox has configured Config.
type Setup struct {
	Config  *config.Config
	Options *gateway.Options
	// Logs is where Options.Logger writes; an option that replaces the
	// logger sets its sink here, so that Env.Logs is still what was logged.
	Logs *LogBuffer
	// Wrap, if set, puts a handler in front of the gateway in Server, as
	// a middleware or a mux of another package would.
	Wrap func(http.Handler) http.Handler
}

// Option changes the Setup of Start.
type Option func(*Setup)

// Start starts a fresh sandbox and serves a gateway over it; both are
// closed when the test ends.
func Start(t testing.TB, opts ...Option) *Env {
	t.Helper()
	sb, err := sandbox.Start("")
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	return StartOn(t, sb, opts...)
}

// StartOn serves a gateway over sb, which the caller owns: several
// gateways over one sandbox are replicas of one deployment.
func StartOn(t testing.TB, sb *sandbox.Sandbox, opts ...Option) *Env {
	t.Helper()
	cfg, err := config.Load(func(string) string { return "" })
	require.NoError(t, err)
	require.NoError(t, sb.Configure(cfg))
	// The vendor read cache is on in production, off here: the tests
	// count vendor calls, and a repeated read must reach the simulator
	// unless a test asks for the cache (WithCache).
	cfg.Cache.Enabled = false
	logs := &LogBuffer{}
	// The production redaction handler, with no secret registered, so that
	// a test still sees any credential logged raw.
	s := &Setup{Config: cfg, Logs: logs, Options: &gateway.Options{
		Simulated: true,
		Logger:    slog.New(logging.NewHandler(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
	}}
	for _, o := range opts {
		o(s)
	}
	gw, err := gateway.New(cfg, *s.Options)
	require.NoError(t, err)
	var h http.Handler = gw
	if s.Wrap != nil {
		h = s.Wrap(gw)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = gw.Close() })
	return &Env{T: t, Sandbox: sb, Gateway: gw, Server: srv, Logs: s.Logs}
}

// WithOnly configures just the named vendors (the others are left
// unconfigured, as in a partial production deployment).
func WithOnly(vendors ...string) Option {
	return func(s *Setup) {
		keep := map[string]bool{}
		for _, v := range vendors {
			keep[v] = true
		}
		for _, m := range s.Config.Modules {
			if !keep[m.Name()] {
				s.Config.VendorConfig[m.Name()] = m.Config() // its defaults: no credentials
			}
		}
	}
}

// WithCache turns the vendor read cache on, as it is by default outside
// tests, with ttl as every vendor's TTL (0: the default).
func WithCache(ttl time.Duration) Option {
	return func(s *Setup) {
		s.Config.Cache.Enabled = true
		if ttl > 0 {
			s.Config.Cache.TTL = ttl
		}
	}
}

// WithRedis keeps every shared store in the Redis at url, under prefix
// ("" for the default), as server.go wires a replica: gateways started
// with the same url and prefix are replicas of one deployment.
func WithRedis(t testing.TB, url, prefix string) Option {
	return func(s *Setup) {
		stores, err := sharedstate.Open(context.Background(), sharedstate.Config{RedisURL: url, Prefix: prefix}, s.Options.Logger)
		require.NoError(t, err)
		t.Cleanup(func() { _ = stores.Close() })
		o := s.Options
		o.APQCache, o.Idempotency, o.CacheStore, o.Generations, o.RateLimiter, o.Stores = stores.APQ, stores.Idempotency, stores.Cache, stores.Generations, stores.RateLimiter, stores
	}
}

// WithClientTimeout bounds every vendor call, so that timeout paths are
// tested in milliseconds.
func WithClientTimeout(d time.Duration) Option {
	return func(s *Setup) {
		for _, v := range config.Vendors {
			s.Config.VendorTimeouts[v] = d
		}
	}
}

// WithoutRateLimits lifts the client-side rate limits (benchmarks, and
// tests that call the vendors faster than their limits allow).
func WithoutRateLimits() Option {
	return func(s *Setup) {
		for v, l := range s.Config.Limits {
			l.RatePerSecond = 0
			s.Config.Limits[v] = l
		}
	}
}

// Query POSTs a GraphQL request to the gateway's /query, with extra
// headers as name, value pairs, and decodes the reply.
func (e *Env) Query(q string, vars map[string]any, header ...string) *Response {
	e.T.Helper()
	return Query(e.T, e.Server.URL+"/query", q, vars, header...)
}

// Post POSTs body to the gateway's /query as contentType, with extra
// headers as name, value pairs.
func (e *Env) Post(contentType string, body []byte, header ...string) *Response {
	e.T.Helper()
	return Post(e.T, e.Server.URL+"/query", contentType, body, header...)
}

// Send sends req and decodes the reply.
func (e *Env) Send(req *http.Request) *Response {
	e.T.Helper()
	return Send(e.T, req)
}

// Calls returns the requests the simulators received for vendor.
func (e *Env) Calls(vendor string) []simkit.Entry { return Calls(e.Sandbox, vendor) }

// APICalls is Calls without AppDirect's token requests.
func (e *Env) APICalls(vendor string) []simkit.Entry { return APICalls(e.Sandbox, vendor) }

// Error is one entry of a GraphQL reply's errors.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Response is a reply to a GraphQL request. Data and Errors are decoded
// only when the reply's Content-Type is JSON; Raw always has the body.
type Response struct {
	Status int
	Header http.Header
	Raw    string
	Data   json.RawMessage `json:"data"`
	Errors []Error         `json:"errors"`
}

// Into decodes the data into v; no data fails the test.
func (r *Response) Into(t testing.TB, v any) {
	t.Helper()
	require.NotEmpty(t, r.Data, "no data in %s", r.Raw)
	require.NoError(t, json.Unmarshal(r.Data, v), r.Raw)
}

// Codes lists each error's extensions.code.
func (r *Response) Codes() []string {
	var out []string
	for _, e := range r.Errors {
		c, _ := e.Extensions["code"].(string)
		out = append(out, c)
	}
	return out
}

// HasData reports whether the reply has data other than null, that is
// whether the operation ran.
func (r *Response) HasData() bool { return len(r.Data) > 0 && string(r.Data) != "null" }

// Query POSTs {"query": q, "variables": vars} to url as JSON, with extra
// headers as name, value pairs.
func Query(t testing.TB, url, q string, vars map[string]any, header ...string) *Response {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": q, "variables": vars})
	require.NoError(t, err)
	return Post(t, url, "application/json", body, header...)
}

// Post POSTs body to url as contentType, with extra headers as name,
// value pairs.
func Post(t testing.TB, url, contentType string, body []byte, header ...string) *Response {
	t.Helper()
	require.Zero(t, len(header)%2, "headers come in name, value pairs: %q", header)
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", contentType)
	for i := 0; i < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return Send(t, req)
}

// Send sends req with http.DefaultClient and decodes the reply: a JSON
// reply that does not decode fails the test.
func Send(t testing.TB, req *http.Request) *Response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	r := &Response{Status: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
	if strings.Contains(resp.Header.Get("Content-Type"), "json") {
		require.NoError(t, json.Unmarshal(raw, r), string(raw))
	}
	return r
}

// Calls returns the requests sb's simulators received for vendor.
func Calls(sb *sandbox.Sandbox, vendor string) []simkit.Entry {
	var out []simkit.Entry
	for _, en := range sb.Recorder.Entries() {
		if en.Vendor == vendor {
			out = append(out, en)
		}
	}
	return out
}

// APICalls is Calls without AppDirect's token requests, which happen
// outside any client request.
func APICalls(sb *sandbox.Sandbox, vendor string) []simkit.Entry {
	var out []simkit.Entry
	for _, en := range Calls(sb, vendor) {
		if !strings.HasSuffix(en.Path, "/oauth2/token") {
			out = append(out, en)
		}
	}
	return out
}

// LogBuffer is a log sink that the server's goroutines write while the
// test reads it.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Browser starts headless Chromium for a browser test and returns its
// context, closed when the test ends. It finds the browser in
// $CHROMIUM_PATH, else as Debian's chromium (or another distribution's
// chromium-browser) on the PATH; without one the test skips, unless
// CHROMIUM_REQUIRED is set (as CI sets it), so that a missing install
// cannot pass unnoticed. The browser runs on a context without a deadline:
// a test's own deadlines end a step, not the browser, which a screenshot
// at failure still needs.
func Browser(t testing.TB) context.Context {
	t.Helper()
	exe := os.Getenv("CHROMIUM_PATH")
	for _, name := range []string{"chromium", "chromium-browser", "/usr/bin/chromium"} {
		if exe != "" {
			break
		}
		exe, _ = exec.LookPath(name)
	}
	if exe == "" && os.Getenv("CHROMIUM_REQUIRED") != "" {
		t.Fatal("chromium not found, and CHROMIUM_REQUIRED is set (CI installs it: apt-get install -y chromium)")
	}
	if exe == "" {
		t.Skip("chromium not found (set CHROMIUM_PATH, or install it: apt-get install -y chromium); skipping this browser test")
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 1000),
	)
	t.Cleanup(cancelAlloc)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)
	require.NoError(t, chromedp.Do(browserCtx), "starting %s", exe)
	return browserCtx
}
