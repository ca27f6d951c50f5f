package outboundtest

import (
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// recorder is a testing.TB that notes a failure instead of failing the
// test, so the checks can be shown to fail where they must.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) FailNow()              { r.failed = true; runtime.Goexit() }

// fails runs check against a recorder and reports whether it failed.
func fails(t *testing.T, check func(tb testing.TB)) bool {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		check(r)
	}()
	<-done
	return r.failed
}

func TestStatus(t *testing.T) {
	for n, want := range map[uint16]int{0: 100, 99: 199, 100: 100, 204: 204, 599: 599, 600: 200, 65535: 135} {
		assert.Equal(t, want, Status(n), "Status(%d)", n)
	}
	for n := 0; n <= 65535; n++ {
		s := Status(uint16(n))
		require.True(t, s >= 100 && s <= 599, "Status(%d) = %d", n, s)
	}
}

func TestResponse(t *testing.T) {
	v := Vendor{RequestURL: "https://x.example/a?key=k"}
	r := v.Response(429, "7")
	assert.Equal(t, 429, r.StatusCode)
	assert.Equal(t, "7", r.Header.Get("Retry-After"))
	assert.Equal(t, http.MethodGet, r.Request.Method)
	assert.Equal(t, "https://x.example/a?key=k", r.Request.URL.String())
	assert.Empty(t, Vendor{Method: http.MethodPost}.Response(200, "").Header)
	assert.Equal(t, http.MethodPost, Vendor{Method: http.MethodPost}.Response(200, "").Request.Method)
}

func TestReplyText(t *testing.T) {
	text := ReplyText([]byte(`{"a\u0062":["https:\/\/x.example\/p?q=1",{"n":"\u00e9"}]}`))
	for _, want := range []string{`"a\u0062"`, "\nab", "\nhttps://x.example/p?q=1", "\nn", "\né"} {
		assert.Contains(t, text, want)
	}
	assert.Equal(t, "not json", ReplyText([]byte("not json")))
}

func TestCheckError(t *testing.T) {
	const secret = "SECRET-1"
	plain := Vendor{Name: "acme", Secrets: []string{secret}, MaxMessage: 10}
	scrubbed := Vendor{Name: "acme", Secrets: []string{"OTHER", secret}, Scrubbed: true}
	ok := func() *outbound.Error {
		return &outbound.Error{Vendor: "acme", Kind: outbound.KindBadInput, HTTPStatus: 400, Message: "bad"}
	}
	with := func(change func(e *outbound.Error)) *outbound.Error {
		e := ok()
		change(e)
		return e
	}
	cases := []struct {
		name   string
		v      Vendor
		err    error
		reply  string
		failed bool
	}{
		{"well formed", plain, ok(), "", false},
		{"wrapped", plain, errors.Join(errors.New("call"), ok()), "", false},
		{"not an outbound.Error", plain, errors.New("bare"), "", true},
		{"other vendor", plain, with(func(e *outbound.Error) { e.Vendor = "other" }), "", true},
		{"unknown kind", plain, with(func(e *outbound.Error) { e.Kind = 99 }), "", true},
		{"negative RetryAfter", plain, with(func(e *outbound.Error) { e.RetryAfter = -time.Second }), "", true},
		{"message not UTF-8", plain, with(func(e *outbound.Error) { e.Message = "\xff" }), "", true},
		{"message too long", plain, with(func(e *outbound.Error) { e.Message = strings.Repeat("x", 11) }), "", true},
		{"unbounded", Vendor{Name: "acme"}, with(func(e *outbound.Error) { e.Message = strings.Repeat("x", 1000) }), "", false},
		{"secret made up", plain, with(func(e *outbound.Error) { e.Message = secret }), `{"m":"no"}`, true},
		{"secret the reply sent", plain, with(func(e *outbound.Error) { e.Message = secret }), `{"m":"SECRET-\u0031"}`, false},
		{"scrubbed: secret the reply sent", scrubbed, with(func(e *outbound.Error) { e.Message = secret }), secret, true},
		{"scrubbed: secret in the cause", scrubbed, with(func(e *outbound.Error) { e.Err = errors.New("key " + secret) }), "", true},
		{"scrubbed: clean", scrubbed, with(func(e *outbound.Error) { e.Err = errors.New("eof") }), secret, false},
		{"query URL made up", plain, with(func(e *outbound.Error) { e.Code = "https://x.example/p?q=1" }), "", true},
		{"query URL the reply sent", plain, with(func(e *outbound.Error) { e.Code = "https://x.example/p?q=1" }), `{"m":"see https:\/\/x.example\/p?z"}`, false},
		{"query URL redacted", plain, with(func(e *outbound.Error) { e.Code = "https://x.example/p?REDACTED" }), "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.failed, fails(t, func(tb testing.TB) { tc.v.CheckError(tb, tc.err, []byte(tc.reply)) }))
		})
	}
}

func TestCheckCallError(t *testing.T) {
	v := Vendor{Name: "acme"}
	cases := []struct {
		name       string
		kind       outbound.Kind
		httpStatus int
		status     int
		failed     bool
	}{
		{"transport failure", outbound.KindUnavailable, 0, 503, false},
		{"timeout", outbound.KindTimeout, 0, 200, false},
		{"no reply but not transport", outbound.KindUpstream, 0, 500, true},
		{"same status", outbound.KindUpstream, 500, 500, false},
		{"unusable 2xx", outbound.KindUpstream, 200, 204, false},
		{"other status", outbound.KindUpstream, 500, 404, true},
		{"2xx reported as non-200", outbound.KindUpstream, 201, 204, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := &outbound.Error{Vendor: "acme", Kind: tc.kind, HTTPStatus: tc.httpStatus}
			assert.Equal(t, tc.failed, fails(t, func(tb testing.TB) { v.CheckCallError(tb, err, nil, tc.status) }))
		})
	}
}

func TestRoundTrip(t *testing.T) {
	type item struct {
		N int `json:"n"`
	}
	assert.False(t, fails(t, func(tb testing.TB) { RoundTrip(tb, &item{N: 3}, &item{}) }))
	assert.True(t, fails(t, func(tb testing.TB) { RoundTrip(tb, func() {}, &item{}) }), "a value that does not encode")
	assert.True(t, fails(t, func(tb testing.TB) { RoundTrip(tb, map[string]int{"n": 3, "m": 4}, &item{}) }), "a fresh value that loses data")
}

func get(t *testing.T, s *Server, path string) (*http.Response, []byte, error) {
	t.Helper()
	resp, err := s.Client.Get(s.URL + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func TestServer(t *testing.T) {
	s := NewServer(t, nil)
	assert.Equal(t, 200, s.Answer(100, "3", []byte(`{"a":1}`), false), "a 1xx becomes a 2xx")
	resp, body, err := get(t, s, "/x")
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "3", resp.Header.Get("Retry-After"))
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	assert.Equal(t, `{"a":1}`, string(body))
	_, _, err = get(t, s, "/y")
	require.NoError(t, err)
	assert.Equal(t, "{\"a\":1}\n{\"a\":1}", string(s.Sent()))

	assert.Equal(t, 503, s.Answer(503, "", []byte("short"), true))
	assert.Empty(t, s.Sent(), "Answer forgets what was sent")
	resp, _, err = get(t, s, "/z")
	assert.Equal(t, 503, resp.StatusCode)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF, "a truncated body")
}

func TestServerRoute(t *testing.T) {
	s := NewServer(t, func(r *http.Request, reply Reply) (Reply, bool) {
		reply.Body = []byte(strings.ReplaceAll(string(reply.Body), "$PATH", r.URL.Path))
		reply.ContentType = "text/plain"
		return reply, r.URL.Path != "/token"
	})
	s.Answer(404, "", []byte("no $PATH"), false)
	for _, p := range []string{"/a", "/token", "/b"} {
		resp, body, err := get(t, s, p)
		require.NoError(t, err)
		assert.Equal(t, 404, resp.StatusCode)
		assert.Equal(t, "text/plain", resp.Header.Get("Content-Type"))
		assert.Equal(t, "no "+p, string(body))
	}
	assert.Equal(t, "no /a\nno /b", string(s.Sent()), "only recorded bodies count")
}

func TestFixtures(t *testing.T) {
	root := t.TempDir()
	pkg := filepath.Join(root, "repo", "vendors", "acme")
	for name, data := range map[string]string{
		"shared/fixtures/acme/a/one.json":    "1",
		"shared/fixtures/acme/b/c/two.json":  "2",
		"shared/fixtures/acme/notes.md":      "no",
		"shared/fixtures/acme/vcr/three.yml": "3",
		"shared/fixtures/other/four.json":    "no",
	} {
		p := filepath.Join(root, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(data), 0o644))
	}
	require.NoError(t, os.MkdirAll(pkg, 0o755))
	t.Chdir(pkg)
	collect := func(dir, ext string) []string {
		var got []string
		Fixtures(dir, ext, func(raw []byte) { got = append(got, string(raw)) })
		sort.Strings(got)
		return got
	}
	assert.Equal(t, []string{"1", "2"}, collect("acme", ".json"))
	assert.Equal(t, []string{"3"}, collect("acme/vcr", ".yml"))
	assert.Empty(t, collect("absent", ".json"))
}

func TestNonSuccess(t *testing.T) {
	e := &outbound.Error{Kind: outbound.KindUpstream}
	cases := []struct {
		name            string
		status          int
		e               *outbound.Error
		isError, failed bool
	}{
		{"2xx success", 204, nil, false, false},
		{"2xx error", 200, e, false, true},
		{"non-2xx error", 302, e, true, false},
		{"non-2xx success", 500, nil, false, true},
		{"1xx success", 199, nil, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var isError bool
			assert.Equal(t, tc.failed, fails(t, func(tb testing.TB) { isError = NonSuccess(tb, tc.status, tc.e) }))
			assert.Equal(t, tc.isError, isError)
		})
	}
}
