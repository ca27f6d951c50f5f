// Package crossorigin holds what keeps browsers safe around the GraphQL
// endpoint: CORS with an allow-list of origins, and CSRF prevention in the
// manner of Apollo Router.
//
// CORS only governs which web pages may read responses. It does not stop
// a page on another site from making a browser send a "simple" request
// (one that needs no preflight) with the user's ambient credentials; for
// a GET query that would run the operation. CSRF prevention refuses such
// requests, so every operation that runs was either sent by a non-browser
// client or passed a CORS preflight.
package crossorigin

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// CSRFPrevented is the extensions.code of a request refused as a possible
// cross-site request forgery (HTTP 400).
const CSRFPrevented = "CSRF_PREVENTED"

// What a preflight allows and what page code may read: every request and
// response header the README documents, so that a browser client can use
// all that a server-side one can (a header missing here is blocked at the
// preflight, or hidden from the page, with no error the page can see).
// The gateway's TestCORSCoversDocumentedHeaders checks them against the
// constants of the packages that read and write them.
const (
	allowedMethods = "GET, POST, OPTIONS"
	// AllowedHeaders: the body's type and Accept (multipart/mixed for
	// @defer); the bearer token; Idempotency-Key for mutations; the Apollo
	// headers for CSRF prevention; X-Switchyard-Cost and -Plan; the
	// client's own X-Request-Id; If-None-Match to revalidate an ETag;
	// traceparent and tracestate for distributed tracing.
	AllowedHeaders = "Content-Type, Accept, Authorization, Idempotency-Key, Apollo-Require-Preflight, X-Apollo-Operation-Name, " +
		"X-Switchyard-Cost, X-Switchyard-Plan, X-Request-Id, If-None-Match, traceparent, tracestate"
	// ExposedHeaders are the response headers beyond the CORS-safelisted
	// ones (Cache-Control, Content-Type, Content-Length...) that page code
	// may read: ETag to revalidate, Idempotent-Replayed on a replayed
	// mutation, Retry-After on 429 and 503, WWW-Authenticate on 401, Allow
	// on 405, and X-Request-Id to quote in a support request.
	ExposedHeaders = "ETag, Idempotent-Replayed, Retry-After, WWW-Authenticate, Allow, X-Request-Id"
	// maxAge lets a browser reuse a preflight for ten minutes.
	maxAge = "600"
)

// preflightHeaders are the request headers that a browser cannot send
// cross-origin without a preflight; their presence proves that CORS was
// checked (Apollo's csrfPrevention requestHeaders).
var preflightHeaders = []string{"Apollo-Require-Preflight", "X-Apollo-Operation-Name"}

// Config says which origins may read responses and whether CSRF
// prevention is on. The env tags name the variables internal/app/config
// fills it from, over DefaultConfig, before Resolve.
type Config struct {
	// AllowedOrigins are serialized origins (scheme://host[:port]) whose
	// pages may call the endpoint; as read from the environment, a list
	// that Resolve checks and tidies, "*" included.
	AllowedOrigins []string `env:"SWITCHYARD_CORS_ORIGINS"`
	// AllowAny reflects any origin (the sandbox).
	AllowAny bool
	// CSRF refuses simple requests that carry no preflight-forcing header.
	CSRF bool `env:"SWITCHYARD_CSRF_PREVENTION"`
}

// DefaultConfig is CSRF prevention on and no origin named.
func DefaultConfig() Config { return Config{CSRF: true} }

// Resolve checks c as read from the environment and settles its
// defaults. An origin list that is empty allows any origin in the
// sandbox and none elsewhere; "*" allows any. CSRF prevention cannot be
// turned off in production. An entry that is not an origin is an error:
// a typo would otherwise silently lock out the front end it was meant to
// allow.
func (c Config) Resolve(sandbox, production bool) (Config, error) {
	if !c.CSRF && production {
		return Config{}, errors.New("SWITCHYARD_CSRF_PREVENTION cannot be turned off in production")
	}
	out := Config{CSRF: c.CSRF, AllowAny: c.AllowAny}
	if len(c.AllowedOrigins) == 0 {
		out.AllowAny = out.AllowAny || (sandbox && !production)
		return out, nil
	}
	for _, entry := range c.AllowedOrigins {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		if entry == "*" {
			out.AllowAny = true
			continue
		}
		origin, err := normalizeOrigin(entry)
		if err != nil {
			return Config{}, fmt.Errorf("SWITCHYARD_CORS_ORIGINS: %w", err)
		}
		out.AllowedOrigins = append(out.AllowedOrigins, origin)
	}
	return out, nil
}

// normalizeOrigin accepts an origin as browsers send it in the Origin
// header, tolerating a trailing slash and upper case.
func normalizeOrigin(s string) (string, error) {
	u, err := url.Parse(strings.TrimSuffix(s, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q is not an origin such as https://app.example.com", s)
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}

// Middleware applies CORS and then, when cfg.CSRF is set, CSRF prevention.
func Middleware(cfg Config, next http.Handler) http.Handler {
	return CORS(cfg, CSRF(cfg, next))
}

// CORS answers preflights and adds CORS headers to responses for allowed
// origins. A request from an origin that is not allowed gets no CORS
// headers (the browser then hides the response from the page); its
// preflight gets 403. OPTIONS without Access-Control-Request-Method is
// not a preflight and goes to next.
func CORS(cfg Config, next http.Handler) http.Handler {
	allowed := make(map[string]bool, len(cfg.AllowedOrigins))
	for _, o := range cfg.AllowedOrigins {
		if n, err := normalizeOrigin(o); err == nil {
			allowed[n] = true
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// The answer depends on Origin whether or not it is allowed, so
		// caches must key on it either way.
		h.Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		ok := origin != "" && (cfg.AllowAny || allowed[strings.ToLower(origin)])
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			if !ok {
				w.WriteHeader(http.StatusForbidden)
				return
			}
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Methods", allowedMethods)
			h.Set("Access-Control-Allow-Headers", AllowedHeaders)
			h.Set("Access-Control-Max-Age", maxAge)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if ok {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Expose-Headers", ExposedHeaders)
		}
		next.ServeHTTP(w, r)
	})
}

// CSRF refuses, with 400 and CSRF_PREVENTED, a request a browser could
// send cross-site without a preflight: a GET, or a POST whose Content-Type
// is missing, unparseable, text/plain, application/x-www-form-urlencoded
// or multipart/form-data, unless it carries an Apollo-Require-Preflight or
// X-Apollo-Operation-Name header (any value). A POST with
// application/json needs a preflight, so it passes. Non-browser clients
// that query with GET add `Apollo-Require-Preflight: true`.
func CSRF(cfg Config, next http.Handler) http.Handler {
	if !cfg.CSRF {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions || !simple(r) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
			"message": "this request has been blocked as a possible cross-site request forgery: " +
				"send it as a POST with Content-Type application/json, or add the header Apollo-Require-Preflight: true",
			"extensions": map[string]any{"code": CSRFPrevented},
		}}})
	})
}

// simple reports whether a browser could have sent r cross-origin without
// a preflight, and r proves nothing to the contrary.
func simple(r *http.Request) bool {
	for _, name := range preflightHeaders {
		if len(r.Header.Values(name)) > 0 {
			return false
		}
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return true
	case http.MethodPost:
	default:
		return false // any other method needs a preflight
	}
	types := r.Header.Values("Content-Type")
	if len(types) == 0 {
		return true
	}
	for _, ct := range types {
		mt, _, err := mime.ParseMediaType(ct)
		// An unparseable type counts as simple, to be safe: browsers
		// parse Content-Type more leniently than mime does and may have
		// sent it as safelisted.
		if err != nil || slices.Contains([]string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}, mt) {
			return true
		}
	}
	return false
}
