package graphiql_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/switchyard/switchyard/internal/app/registry"
	"github.com/switchyard/switchyard/internal/base/vendorkit"
	"github.com/switchyard/switchyard/internal/policy/graphiql"
)

const defaultQuery = "query Overview { gateway { version } }\n"

// newServer mounts the handler the way the gateway does: at / and under
// AssetPath.
func newServer(t *testing.T, opts graphiql.Options) *httptest.Server {
	t.Helper()
	h := graphiql.Handler(opts)
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", h)
	mux.Handle("GET "+graphiql.AssetPath, h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	// A Transport of our own: the default one would ask for gzip and
	// decode it out of sight.
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, body
}

// directives splits a Content-Security-Policy into directive -> sources.
func directives(t *testing.T, csp string) map[string][]string {
	t.Helper()
	m := map[string][]string{}
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		require.NotEmpty(t, f, "empty directive in %q", csp)
		m[f[0]] = f[1:]
	}
	return m
}

var (
	configBlock = regexp.MustCompile(`(?s)<script type="application/json" id="graphiql-config">(.*?)</script>`)
	scriptTag   = regexp.MustCompile(`<script[^>]*>`)
	srcOrHref   = regexp.MustCompile(`(?:src|href)="([^"]*)"`)
)

type pageConfig struct {
	Endpoint       string         `json:"endpoint"`
	DefaultQuery   string         `json:"defaultQuery"`
	DefaultHeaders string         `json:"defaultHeaders"`
	Tabs           []graphiql.Tab `json:"tabs"`
	StyleNonce     string         `json:"styleNonce"`
}

func readConfig(t *testing.T, page []byte) pageConfig {
	t.Helper()
	m := configBlock.FindSubmatch(page)
	require.NotNil(t, m, "no config data block in the page")
	var c pageConfig
	require.NoError(t, json.Unmarshal(m[1], &c))
	return c
}

func TestPageIsServedUnderAStrictPolicy(t *testing.T) {
	srv := newServer(t, graphiql.Options{DefaultQuery: defaultQuery})
	resp, page := get(t, srv.URL+"/", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))

	csp := directives(t, resp.Header.Get("Content-Security-Policy"))
	c := readConfig(t, page)
	require.NotEmpty(t, c.StyleNonce)
	assert.Equal(t, map[string][]string{
		"default-src":     {"'self'"},
		"script-src":      {"'self'"},
		"style-src":       {"'self'", "'nonce-" + c.StyleNonce + "'"},
		"connect-src":     {"'self'"},
		"img-src":         {"'self'", "data:"},
		"font-src":        {"'self'", "data:"},
		"object-src":      {"'none'"},
		"base-uri":        {"'none'"},
		"form-action":     {"'none'"},
		"frame-ancestors": {"'none'"},
	}, csp)

	_, again := get(t, srv.URL+"/", nil)
	assert.NotEqual(t, c.StyleNonce, readConfig(t, again).StyleNonce, "the style nonce must change with every load")
}

func TestPageLoadsOnlyEmbeddedFiles(t *testing.T) {
	srv := newServer(t, graphiql.Options{DefaultQuery: defaultQuery})
	_, page := get(t, srv.URL+"/", nil)

	// Every script is either a same-origin file or the JSON data block,
	// which a browser does not execute.
	for _, tag := range scriptTag.FindAllString(string(page), -1) {
		if !strings.Contains(tag, `type="application/json"`) {
			assert.Contains(t, tag, `src="`+graphiql.AssetPath, "inline or foreign script: %s", tag)
		}
	}
	refs := srcOrHref.FindAllStringSubmatch(string(page), -1)
	require.Len(t, refs, 6, "2 stylesheets and 4 scripts")
	for _, ref := range refs {
		u := strings.ReplaceAll(ref[1], "&amp;", "&")
		require.True(t, strings.HasPrefix(u, graphiql.AssetPath), "%s is not an embedded file", u)
		resp, body := get(t, srv.URL+u, nil)
		require.Equal(t, http.StatusOK, resp.StatusCode, u)
		assert.NotEmpty(t, body, u)
		assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"), u)
		assert.Equal(t, "public, max-age=31536000, immutable", resp.Header.Get("Cache-Control"), "%s carries its version", u)
		switch {
		case strings.Contains(u, ".js?"):
			assert.Equal(t, "text/javascript; charset=utf-8", resp.Header.Get("Content-Type"), u)
		case strings.Contains(u, ".css?"):
			assert.Equal(t, "text/css; charset=utf-8", resp.Header.Get("Content-Type"), u)
		default:
			t.Errorf("unexpected file %s", u)
		}
	}
	assert.NotContains(t, string(page), "unpkg")
	assert.NotContains(t, string(page), "https://")
	assert.NotContains(t, string(page), "<style")
}

func TestPageConfig(t *testing.T) {
	tabs := []graphiql.Tab{{Name: "A", Query: "query A { a }", Variables: `{"x": 1}`}, {Name: "B", Query: "query B { b }"}}
	srv := newServer(t, graphiql.Options{DefaultQuery: defaultQuery, Tabs: tabs, DefaultHeaders: `{"X-Demo": "1"}`})
	_, page := get(t, srv.URL+"/", nil)
	c := readConfig(t, page)
	assert.Equal(t, graphiql.DefaultEndpoint, c.Endpoint)
	assert.Equal(t, defaultQuery, c.DefaultQuery)
	assert.Equal(t, `{"X-Demo": "1"}`, c.DefaultHeaders)
	assert.Equal(t, tabs, c.Tabs)
	assert.Contains(t, string(page), "<title>Switchyard GraphiQL</title>")
}

func TestQueryTextCannotEscapeTheDataBlock(t *testing.T) {
	evil := "# </script><script>alert(1)</script><!--\n{ a }"
	srv := newServer(t, graphiql.Options{DefaultQuery: evil, Title: "<b>x</b>"})
	_, page := get(t, srv.URL+"/", nil)
	assert.Equal(t, evil, readConfig(t, page).DefaultQuery)
	assert.NotContains(t, string(page), "<script>alert")
	assert.NotContains(t, string(page), "<b>x</b>")
	assert.Len(t, scriptTag.FindAllString(string(page), -1), 5, "the data block and the 4 files, nothing more")
}

func TestEndpointOnAnotherOriginIsAllowedToConnect(t *testing.T) {
	srv := newServer(t, graphiql.Options{Endpoint: "https://api.example.com/query"})
	resp, page := get(t, srv.URL+"/", nil)
	assert.Equal(t, []string{"'self'", "https://api.example.com"}, directives(t, resp.Header.Get("Content-Security-Policy"))["connect-src"])
	assert.Equal(t, "https://api.example.com/query", readConfig(t, page).Endpoint)
}

func TestAssets(t *testing.T) {
	srv := newServer(t, graphiql.Options{})
	raw, err := os.ReadFile(filepath.Join("assets", "graphiql.min.js"))
	require.NoError(t, err)
	url := srv.URL + graphiql.AssetPath + "graphiql.min.js"

	t.Run("unversioned requests are revalidated", func(t *testing.T) {
		resp, body := get(t, url, nil)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, raw, body)
		assert.Equal(t, "no-cache", resp.Header.Get("Cache-Control"))
		assert.Empty(t, resp.Header.Get("Content-Encoding"))
		etag := resp.Header.Get("ETag")
		require.NotEmpty(t, etag)
		resp, _ = get(t, url, map[string]string{"If-None-Match": etag})
		assert.Equal(t, http.StatusNotModified, resp.StatusCode)
	})
	t.Run("gzip when accepted", func(t *testing.T) {
		resp, body := get(t, url, map[string]string{"Accept-Encoding": "br, gzip"})
		require.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "gzip", resp.Header.Get("Content-Encoding"))
		assert.Contains(t, resp.Header.Values("Vary"), "Accept-Encoding")
		assert.Less(t, len(body), len(raw)/2)
		zr, err := gzip.NewReader(bytes.NewReader(body))
		require.NoError(t, err)
		plain, err := io.ReadAll(zr)
		require.NoError(t, err)
		assert.Equal(t, raw, plain)
	})
	t.Run("not found", func(t *testing.T) {
		for _, name := range []string{"nope.js", "SHA256SUMS", "assets/switchyard.js", ""} {
			resp, _ := get(t, srv.URL+graphiql.AssetPath+name, nil)
			assert.Equal(t, http.StatusNotFound, resp.StatusCode, name)
		}
	})
	t.Run("licences are served", func(t *testing.T) {
		resp, body := get(t, srv.URL+graphiql.AssetPath+"LICENSES.txt", nil)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Contains(t, string(body), "graphiql@")
	})
}

func TestOnlyGetAndHead(t *testing.T) {
	h := graphiql.Handler(graphiql.Options{})
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, "/", nil))
		assert.Equal(t, http.StatusMethodNotAllowed, rec.Code, method)
		assert.Equal(t, "GET, HEAD", rec.Header().Get("Allow"))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, "/", nil))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.NotEmpty(t, rec.Header().Get("Content-Security-Policy"))
	assert.Zero(t, rec.Body.Len())
}

// The committed third-party files are the ones update-assets.sh fetched:
// nobody edited them by hand.
func TestVendoredFilesMatchTheirChecksums(t *testing.T) {
	f, err := os.Open(filepath.Join("assets", "SHA256SUMS"))
	require.NoError(t, err)
	defer f.Close()
	n := 0
	for sc := bufio.NewScanner(f); sc.Scan(); n++ {
		want, name, ok := strings.Cut(sc.Text(), "  ")
		require.True(t, ok, sc.Text())
		body, err := os.ReadFile(filepath.Join("assets", name))
		require.NoError(t, err)
		sum := sha256.Sum256(body)
		assert.Equal(t, want, hex.EncodeToString(sum[:]), name)
	}
	assert.Equal(t, 5, n)
}

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"":                     false,
		"gzip":                 true,
		"GZIP":                 true,
		"br, gzip;q=0.5":       true,
		"gzip;q=0":             false,
		"gzip; q=0.000":        false,
		"*":                    true,
		"*;q=0":                false,
		"*;q=0, gzip":          true,
		"gzip;q=0, *":          false,
		"identity":             false,
		"deflate, br, zstd":    false,
		"x-gzip":               true,
		"gzip;q=1.0, identity": true,
	} {
		t.Run(header, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, graphiql.AssetPath+"switchyard.js", nil)
			req.Header.Set("Accept-Encoding", header)
			rec := httptest.NewRecorder()
			graphiql.Handler(graphiql.Options{}).ServeHTTP(rec, req)
			assert.Equal(t, want, rec.Header().Get("Content-Encoding") == "gzip")
		})
	}
}

// GraphiQL titles a tab by its operation's name, so each example names its
// one operation after the tab.
func TestExamplesAreNamedAfterTheirOperations(t *testing.T) {
	tabs := graphiql.Examples(vendorExamples()...)
	require.Len(t, tabs, 6, "one per vendor, the cross-vendor query and the plan")
	for _, tab := range tabs {
		doc, err := parser.ParseQuery(&ast.Source{Input: tab.Query})
		require.NoError(t, err, tab.Name)
		require.Len(t, doc.Operations, 1, tab.Name)
		assert.Equal(t, tab.Name, doc.Operations[0].Name)
		if tab.Variables != "" {
			assert.True(t, json.Valid([]byte(tab.Variables)), tab.Name)
		}
		if tab.Headers != "" {
			var h map[string]string
			assert.NoError(t, json.Unmarshal([]byte(tab.Headers), &h), tab.Name)
		}
	}
}

// vendorExamples are the registry's vendor tabs, as the gateway hands
// them to Examples.
func vendorExamples() []vendorkit.Example {
	var out []vendorkit.Example
	for _, m := range registry.Modules(registry.Entries()) {
		out = append(out, m.Examples...)
	}
	return out
}
