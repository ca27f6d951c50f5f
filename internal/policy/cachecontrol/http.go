package cachecontrol

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/switchyard/switchyard/internal/policy/auth"
	"github.com/switchyard/switchyard/internal/policy/costplan"
	"github.com/switchyard/switchyard/internal/policy/graphqlhttp"
)

// maxBufferedBody bounds the POST body HTTPWithMaxAge reads to tell a
// request by hash from one with its text: graphqlhttp.MaxBodyBytes, beyond
// which the guard refuses the request anyway.
const maxBufferedBody = graphqlhttp.MaxBodyBytes

// hints is what one response's fields and result say about caching it,
// filled by Fields and Responses while the operation runs.
type hints struct {
	mu sync.Mutex
	// maxAge is the smallest @cacheControl(maxAge) among the resolved
	// fields; -1 while no hinted field has resolved.
	maxAge int
	// private: a resolved field is @cacheControl(scope: PRIVATE).
	private bool
	// unhinted: a root field without @cacheControl resolved.
	unhinted bool
	// noStore: the response must not be kept at all (errors, stale
	// fields, an operation other than a query, incremental delivery).
	noStore bool
	// done: the executor produced the response (a request refused before
	// it ran never gets here).
	done bool
}

type hintsKey struct{}

// field records one resolved field's @cacheControl, read from the schema:
// the directive has no generated runtime part.
func (h *hints) field(fc *graphql.FieldContext) {
	if fc.Field.Field == nil || fc.Field.Definition == nil {
		return
	}
	d := fc.Field.Definition.Directives.ForName("cacheControl")
	if d == nil {
		if isRoot(fc) {
			h.mu.Lock()
			h.unhinted = true
			h.mu.Unlock()
		}
		return
	}
	age := 0 // a hint without maxAge allows no caching, as in Apollo
	if a := d.Arguments.ForName("maxAge"); a != nil && a.Value != nil {
		if n, err := strconv.Atoi(a.Value.Raw); err == nil && n > 0 {
			age = n
		}
	}
	s := d.Arguments.ForName("scope")
	private := s != nil && s.Value != nil && s.Value.Raw == "PRIVATE"
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.maxAge < 0 || age < h.maxAge {
		h.maxAge = age
	}
	h.private = h.private || private
}

// isRoot reports whether fc is a field of the operation's root type.
func isRoot(fc *graphql.FieldContext) bool {
	for it := fc.Parent; it != nil; it = it.Parent {
		if it.Index != nil || it.Field.Field != nil {
			return false
		}
	}
	return true
}

// response records what one result of the executor says: the
// operation's type, its errors, stale fields and further parts.
func (h *hints) response(ctx context.Context, resp *graphql.Response, stale bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.done = true
	if p, ok := auth.FromContext(ctx); ok && p.Method != auth.MethodOpen {
		h.private = true // the response may depend on who asked
	}
	if len(resp.Errors) > 0 || stale || resp.HasNext != nil {
		h.noStore = true
	}
	if !graphql.HasOperationContext(ctx) {
		h.noStore = true
		return
	}
	if op := graphql.GetOperationContext(ctx).Operation; op == nil || op.Operation != ast.Query {
		h.noStore = true
	}
}

// HTTPWithMaxAge returns middleware that sets Cache-Control, ETag and
// Vary on /query's responses to GET requests and to POSTs of a persisted
// query by hash alone (extensions.persistedQuery or documentId without a
// query), and answers a matching If-None-Match with 304 Not Modified. Other POSTs pass
// through untouched: HTTP caches do not reuse POST responses.
//
// Such a response is held in memory until the operation is done, then:
//
//   - Cache-Control: no-store when it is not a 200 JSON response of a
//     query that ran without errors, stale fields (extensions.stale) or
//     deferred parts, or when it was asked for with X-Switchyard-Plan or
//     X-Switchyard-Cost (a plan is not the operation's result; a cost
//     report counts this request's vendor calls). It gets no ETag.
//   - Otherwise max-age is the smallest @cacheControl(maxAge) among the
//     fields it resolved, "no-cache" (revalidate every time) when a root
//     field has no @cacheControl or no hinted field resolved; "private"
//     when a field is @cacheControl(scope: PRIVATE), the caller is
//     authenticated (the gateway is not open), or the request carries an
//     Authorization or Cookie header, and "public" otherwise. ETag is a
//     strong validator: a SHA-256 of the response's media type and body.
//
// max-age is never above limit (whole seconds; 0: no limit): the gateway
// passes the read cache's TTL when the operator shortened it, so that
// browsers and CDNs refresh at least as often as the gateway itself does.
//
// A multipart/mixed response (incremental delivery of @defer), to any
// request, streams through with no-store. Vary names Authorization and Accept on all of
// them (CORS adds Origin).
//
// Install it before authentication, which removes the Authorization
// header, and before the GraphQL-over-HTTP guard and CSRF prevention, so
// that their refusals are marked no-store too. A POST body is not read
// here: the middleware looks at what the guard read once the response
// starts, so an unauthenticated body is still never read. Fields and
// Responses must be installed on the gqlgen server.
func HTTPWithMaxAge(limit time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler { return withMaxAge(next, int(limit/time.Second)) }
}

func withMaxAge(next http.Handler, limit int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &cacheWriter{w: w}
		switch r.Method {
		case http.MethodGet:
			cw.eligible = func() bool { return true }
		case http.MethodPost:
			body := &peekBody{ReadCloser: r.Body}
			r.Body, cw.eligible = body, body.byHash
		default:
			next.ServeHTTP(w, r)
			return
		}
		credentials := r.Header.Get("Authorization") != "" || r.Header.Get("Cookie") != ""
		h := &hints{maxAge: -1}
		next.ServeHTTP(cw, r.WithContext(context.WithValue(r.Context(), hintsKey{}, h)))
		cw.decide()
		if cw.buffer {
			finish(w, r, h, cw, credentials, limit)
		}
	})
}

// finish writes a held response with its caching headers, or 304.
func finish(w http.ResponseWriter, r *http.Request, h *hints, cw *cacheWriter, credentials bool, limit int) {
	hdr := w.Header()
	status := cw.status
	if status == 0 {
		status = http.StatusOK
	}
	body := cw.body.Bytes()
	mt, _, _ := mime.ParseMediaType(hdr.Get("Content-Type"))
	h.mu.Lock()
	fresh := status == http.StatusOK && (mt == "application/json" || mt == "application/graphql-response+json") &&
		h.done && !h.noStore && !on(r.Header.Get(costplan.PlanHeader)) && !on(r.Header.Get(costplan.CostHeader))
	maxAge, unhinted, private := h.maxAge, h.unhinted, h.private || credentials
	h.mu.Unlock()
	if limit > 0 && maxAge > limit {
		maxAge = limit
	}
	vary(hdr)
	if !fresh {
		hdr.Set("Cache-Control", "no-store")
		hdr.Del("ETag")
		w.WriteHeader(status)
		_, _ = w.Write(body)
		return
	}
	cc := "public"
	if private {
		cc = "private"
	}
	if maxAge <= 0 || unhinted {
		cc += ", no-cache"
	} else {
		cc += ", max-age=" + strconv.Itoa(maxAge)
	}
	hdr.Set("Cache-Control", cc)
	sum := sha256.New()
	sum.Write([]byte(mt))
	sum.Write([]byte{0})
	sum.Write(body)
	etag := `"` + base64.RawURLEncoding.EncodeToString(sum.Sum(nil)) + `"`
	hdr.Set("ETag", etag)
	if matches(r.Header.Values("If-None-Match"), etag) {
		hdr.Del("Content-Type")
		hdr.Del("Content-Length")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func vary(hdr http.Header) {
	hdr.Add("Vary", "Authorization")
	hdr.Add("Vary", "Accept")
}

// peekBody keeps a copy of the first bytes of a request body read through
// it, up to maxBufferedBody.
type peekBody struct {
	io.ReadCloser
	seen     bytes.Buffer
	overflow bool
}

func (b *peekBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if room := maxBufferedBody - b.seen.Len(); n > room {
		b.overflow = true
		b.seen.Write(p[:room])
	} else {
		b.seen.Write(p[:n])
	}
	return n, err
}

// byHash reports whether the body read so far is a request for a
// persisted query by hash alone.
func (b *peekBody) byHash() bool {
	if b.overflow || b.seen.Len() == 0 {
		return false
	}
	var req struct {
		Query      string `json:"query"`
		DocumentID string `json:"documentId"` // GraphQL over HTTP's persisted documents
		Extensions struct {
			PersistedQuery json.RawMessage `json:"persistedQuery"`
		} `json:"extensions"`
	}
	if json.Unmarshal(b.seen.Bytes(), &req) != nil {
		return false
	}
	return req.Query == "" && (req.DocumentID != "" || len(req.Extensions.PersistedQuery) > 0 && string(req.Extensions.PersistedQuery) != "null")
}

// matches reports whether an If-None-Match header lists etag, with the
// weak comparison RFC 9110 prescribes for it, or is "*".
func matches(values []string, etag string) bool {
	for _, v := range values {
		for tag := range strings.SplitSeq(v, ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			if tag == "*" || tag == etag {
				return true
			}
		}
	}
	return false
}

func on(v string) bool {
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	return err == nil && b
}

// cacheWriter holds a response until HTTPWithMaxAge has seen all of it,
// or passes it through when it turns out not to be HTTPWithMaxAge's: it
// decides when the response starts, by which time the guard has read a
// POST's body. It shares the header map with the real writer.
type cacheWriter struct {
	w        http.ResponseWriter
	eligible func() bool
	decided  bool
	buffer   bool
	status   int
	body     bytes.Buffer
}

func (c *cacheWriter) decide() {
	if c.decided {
		return
	}
	c.decided = true
	if mt, _, _ := mime.ParseMediaType(c.w.Header().Get("Content-Type")); mt == "multipart/mixed" {
		// Incremental delivery streams; it is never kept, whatever the
		// request (gqlgen's transport marks it no-cache, which lets a
		// cache keep it).
		vary(c.w.Header())
		c.w.Header().Set("Cache-Control", "no-store")
		return
	}
	if !c.eligible() {
		return
	}
	c.buffer = true
}

func (c *cacheWriter) Header() http.Header { return c.w.Header() }

func (c *cacheWriter) WriteHeader(code int) {
	if code >= 200 {
		c.decide()
	}
	switch {
	case !c.buffer:
		c.w.WriteHeader(code)
	case c.status == 0 && code >= 200:
		c.status = code
	}
}

func (c *cacheWriter) Write(p []byte) (int, error) {
	c.decide()
	if !c.buffer {
		return c.w.Write(p)
	}
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return c.body.Write(p)
}

// Flush sends a streamed response's parts as they come; a held response
// is sent whole at the end.
func (c *cacheWriter) Flush() {
	c.decide()
	if !c.buffer {
		_ = http.NewResponseController(c.w).Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (c *cacheWriter) Unwrap() http.ResponseWriter { return c.w }
