package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestHealthcheck: the subcommand the image's HEALTHCHECK runs exits 0
// only on a 200, and says why otherwise.
func TestHealthcheck(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/healthz":
			_, _ = w.Write([]byte(`{"status":"ok"}`))
		case "/readyz":
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	// A port nothing listens on: bind one, then free it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	assert.NoError(t, err)
	_, closed, _ := net.SplitHostPort(ln.Addr().String())
	_ = ln.Close()

	cases := []struct {
		name string
		args []string
		port string
		code int
		says string
	}{
		{"default /healthz on PORT", nil, port, 0, ""},
		{"a path", []string{"/readyz"}, port, 1, "503"},
		{"a path without its slash", []string{"healthz"}, port, 0, ""},
		{"a URL", []string{srv.URL + "/healthz"}, "", 0, ""},
		{"a URL answering 404", []string{srv.URL + "/nope"}, "", 1, "404"},
		{"nothing listening", nil, closed, 1, "refused"},
		{"PORT not a number", nil, "http", 1, "PORT must be a port number"},
		{"too many arguments", []string{"/healthz", "/readyz"}, port, 2, "usage"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			code := healthcheck(tc.args, func(k string) string { return map[string]string{"PORT": tc.port}[k] }, &out)
			assert.Equal(t, tc.code, code, out.String())
			if tc.says == "" {
				assert.Empty(t, out.String())
			} else {
				assert.Contains(t, out.String(), tc.says)
			}
		})
	}
}

func TestBuildVersion(t *testing.T) {
	vcs := func(rev, modified string) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}}
	}
	cases := []struct {
		name   string
		linked string
		info   *debug.BuildInfo
		ok     bool
		want   string
	}{
		{"the linker flag wins", "1.4.0", vcs("0123456789abcdef0123", "false"), true, "1.4.0"},
		{"go install @version", "dev", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, true, "v1.2.3"},
		{"a git checkout", "dev", vcs("0123456789abcdef0123", "false"), true, "0123456789ab"},
		{"a dirty git checkout", "dev", vcs("0123456789abcdef0123", "true"), true, "0123456789ab-dirty"},
		{"no VCS stamp", "dev", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true, "dev"},
		{"no build info", "dev", nil, false, "dev"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, buildVersion(tc.linked, tc.info, tc.ok))
		})
	}
}
