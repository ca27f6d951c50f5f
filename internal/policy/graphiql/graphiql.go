// Package graphiql serves the GraphiQL IDE from files embedded in the
// binary, so that the playground works offline, behind a firewall and under
// a strict Content-Security-Policy: the page loads nothing from another
// origin and runs no inline script.
//
// The third-party files in assets/ are copied unchanged from npm by
// update-assets.sh (versions, licences and checksums in assets/LICENSES.txt
// and assets/SHA256SUMS); switchyard.js and switchyard.css are our own.
package graphiql

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// AssetPath is the path prefix under which Handler serves the scripts and
// styles the page loads. Mount the handler there as well as at the page's
// own path.
const AssetPath = "/graphiql/"

// DefaultEndpoint is where the page sends queries when Options.Endpoint is
// empty.
const DefaultEndpoint = "/query"

//go:embed assets
var embedded embed.FS

// Tab is one editor tab GraphiQL opens with on a first visit (later visits
// restore the tabs the browser kept).
type Tab struct {
	// Name says what the tab shows. GraphiQL titles a tab with its
	// operation's name, so give the query an operation of this name.
	Name string `json:"name"`
	// Query is the GraphQL document.
	Query string `json:"query"`
	// Variables is a JSON object, or empty.
	Variables string `json:"variables,omitempty"`
	// Headers is a JSON object of request headers the tab adds to the
	// page's default headers, or empty.
	Headers string `json:"headers,omitempty"`
}

// Options configure the page.
type Options struct {
	// Endpoint is the GraphQL endpoint, a path on the page's own origin
	// (DefaultEndpoint when empty). An absolute URL on another origin is
	// added to the page's connect-src.
	Endpoint string
	// DefaultQuery fills the first tab and every tab the user adds.
	DefaultQuery string
	// DefaultHeaders is the JSON object the headers editor starts with,
	// empty by default. GraphiQL refuses to send anything while it is not
	// valid JSON, so a placeholder such as "Bearer <token>" would break the
	// first run; leave it empty unless it is a usable value.
	DefaultHeaders string
	// Tabs open after the default query's tab, in order.
	Tabs []Tab
	// Title is the page title ("Switchyard GraphiQL" when empty).
	Title string
}

// pageConfig is what switchyard.js reads from the page's JSON data block.
type pageConfig struct {
	Endpoint       string `json:"endpoint"`
	DefaultQuery   string `json:"defaultQuery"`
	DefaultHeaders string `json:"defaultHeaders,omitempty"`
	Tabs           []Tab  `json:"tabs"`
	StyleNonce     string `json:"styleNonce"`
}

type pageData struct {
	Title  string
	Assets map[string]string // file name -> versioned URL
	Config pageConfig
}

// The page references only same-origin files; the JSON data block is not
// script (the browser does not execute application/json), and html/template
// escapes "<" in it, so no query text can close the element.
var page = template.Must(template.New("graphiql").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<link rel="stylesheet" href="{{index .Assets "graphiql.min.css"}}">
<link rel="stylesheet" href="{{index .Assets "switchyard.css"}}">
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script type="application/json" id="graphiql-config">{{.Config}}</script>
<script src="{{index .Assets "react.production.min.js"}}"></script>
<script src="{{index .Assets "react-dom.production.min.js"}}"></script>
<script src="{{index .Assets "graphiql.min.js"}}"></script>
<script src="{{index .Assets "switchyard.js"}}"></script>
<noscript>GraphiQL needs JavaScript. The GraphQL endpoint itself is at {{.Config.Endpoint}}.</noscript>
</body>
</html>
`))

// asset is one embedded file, with its gzip form made on first request.
type asset struct {
	body        []byte
	contentType string
	version     string // hex prefix of the body's SHA-256
	gzipOnce    sync.Once
	gzipped     []byte
}

func (a *asset) gzipBody() []byte {
	a.gzipOnce.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(a.body)
		_ = zw.Close()
		a.gzipped = buf.Bytes()
	})
	return a.gzipped
}

var contentTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".txt": "text/plain; charset=utf-8",
}

// assets are the files served under AssetPath: everything in assets/ with a
// known content type (SHA256SUMS is for update-assets.sh, not browsers).
var assets = func() map[string]*asset {
	files, err := fs.ReadDir(embedded, "assets")
	if err != nil {
		panic(err)
	}
	m := map[string]*asset{}
	for _, f := range files {
		ct, ok := contentTypes[path.Ext(f.Name())]
		if !ok {
			continue
		}
		body, err := embedded.ReadFile("assets/" + f.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(body)
		m[f.Name()] = &asset{body: body, contentType: ct, version: hex.EncodeToString(sum[:8])}
	}
	return m
}()

// Handler serves the GraphiQL page, and the files it loads under AssetPath.
// Mount it at the page's path and at AssetPath, for GET (and HEAD).
func Handler(opts Options) http.Handler {
	if opts.Endpoint == "" {
		opts.Endpoint = DefaultEndpoint
	}
	if opts.Title == "" {
		opts.Title = "Switchyard GraphiQL"
	}
	tabs := append([]Tab{}, opts.Tabs...)
	urls := map[string]string{}
	for name, a := range assets {
		urls[name] = AssetPath + name + "?v=" + a.version
	}
	connectSrc := "'self'"
	if u, err := url.Parse(opts.Endpoint); err == nil && u.Scheme != "" && u.Host != "" {
		connectSrc += " " + u.Scheme + "://" + u.Host
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if name, ok := strings.CutPrefix(r.URL.Path, AssetPath); ok {
			serveAsset(w, r, name)
			return
		}
		nonce := newNonce()
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", ContentSecurityPolicy(nonce, connectSrc))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		// The nonce is new on every load, so the page must never be reused.
		h.Set("Cache-Control", "no-store")
		if r.Method == http.MethodHead {
			return
		}
		_ = page.Execute(w, pageData{
			Title:  opts.Title,
			Assets: urls,
			Config: pageConfig{
				Endpoint:       opts.Endpoint,
				DefaultQuery:   opts.DefaultQuery,
				DefaultHeaders: opts.DefaultHeaders,
				Tabs:           tabs,
				StyleNonce:     nonce,
			},
		})
	})
}

// ContentSecurityPolicy is the policy the page is served with. Scripts and
// stylesheets come from the page's origin only; the one <style> element
// GraphiQL inserts (while a dialog is open) carries the per-load nonce.
// Fonts and icons are data: URLs inside graphiql.min.css.
func ContentSecurityPolicy(nonce, connectSrc string) string {
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		fmt.Sprintf("style-src 'self' 'nonce-%s'", nonce),
		"connect-src " + connectSrc,
		"img-src 'self' data:",
		"font-src 'self' data:",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; ")
}

func newNonce() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// serveAsset answers with one embedded file. A request carrying the file's
// current version (as the page's links do) may be cached for good; any
// other is revalidated with the ETag.
func serveAsset(w http.ResponseWriter, r *http.Request, name string) {
	a, ok := assets[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Vary", "Accept-Encoding")
	if r.URL.Query().Get("v") == a.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	body, etag := a.body, `"`+a.version+`"`
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body, etag = a.gzipBody(), `"`+a.version+`-gz"`
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reports whether an Accept-Encoding value (RFC 9110 section
// 12.5.3) admits gzip: named, or covered by "*", with a q above zero; an
// explicit gzip entry outranks "*".
func acceptsGzip(header string) bool {
	gz, star := -1.0, -1.0
	for _, part := range strings.Split(header, ",") {
		fields := strings.Split(part, ";")
		q := 1.0
		for _, p := range fields[1:] {
			if v, ok := strings.CutPrefix(strings.ToLower(strings.TrimSpace(p)), "q="); ok {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
		}
		switch strings.ToLower(strings.TrimSpace(fields[0])) {
		case "gzip", "x-gzip":
			gz = q
		case "*":
			star = q
		}
	}
	if gz >= 0 {
		return gz > 0
	}
	return star > 0
}
