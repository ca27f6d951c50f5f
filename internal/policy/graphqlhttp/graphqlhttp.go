// Package graphqlhttp holds the GraphQL-over-HTTP rules /query follows
// where gqlgen's transports alone do not: method and content-type checks,
// a bounded body, Accept negotiation (JSON, graphql-response+json and
// multipart/mixed for @defer) and request errors without "data". It sits
// in front of the gqlgen handler as one middleware (GuardWith), apart from
// the HTTP wiring, so the spec's rules can be read and tested in one place.
package graphqlhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/switchyard/switchyard/internal/policy/errcode"
)

// MaxBodyBytes is the largest request body /query accepts.
const MaxBodyBytes = 1 << 20

// MaxVariableValues is the most JSON values (objects, arrays and scalars)
// the variables of one request may hold. gqlgen decodes variables into
// maps and slices and coerces them again before any limit on the
// operation can look at them; a megabyte of small objects costs a hundred
// megabytes of allocation. The largest legitimate lists (bulk ids, people
// refs) are bounded by the complexity limit well below this.
const MaxVariableValues = 20000

// The other parts of a request's budget (issue 18: a 1 MiB extensions
// object, which had no cap, cost 64 MiB of allocation as gqlgen decoded
// it, 120 MiB on a mutation). The body is checked as a whole first,
// without decoding (MaxBodyBytes, MaxJSONDepth), then each part by size
// before anything decodes it into maps:
//
//   - extensions carry a persisted-query hash or a tracing flag: a few
//     hundred bytes; MaxExtensionsBytes is ample;
//   - an operation name is one GraphQL name;
//   - variables are held to MaxVariableValues, and the query to the
//     token limit (querylimits) which bounds its parse.
const (
	MaxExtensionsBytes    = 16 << 10
	MaxOperationNameBytes = 1 << 10
	// MaxJSONDepth bounds the nesting of the body's JSON: input objects
	// nest a few levels, and each level of a decoded value is a map.
	MaxJSONDepth = 64
)

// The response media types /query serves.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
	mediaMultipart       = "multipart/mixed"
	// deferSpec is the incremental delivery format gqlgen's multipart
	// transport writes (the 2022-08-24 @defer RFC, as Apollo Client reads
	// it).
	deferSpec = "20220824"
	// acceptMultipart is the Accept header that asks for @defer's
	// incremental delivery.
	acceptMultipart = mediaMultipart + "; deferSpec=" + deferSpec
)

// GuardWith returns middleware that makes /query follow GraphQL over HTTP
// where gqlgen's transports alone do not:
//
//   - wrong methods (405, with Allow), wrong content types (415), bodies
//     over MaxBodyBytes (413) and malformed request parameters (400) get a
//     coded GraphQL error instead of a bare "transport not supported";
//   - GET runs queries only (405 for a mutation or subscription);
//   - the response media type is negotiated from Accept, q-values and
//     all: application/json when Accept is absent or a wildcard,
//     application/graphql-response+json when the client prefers it,
//     multipart/mixed (POST only) for incremental delivery, and 406 when
//     none of them is acceptable. An operation that uses @defer gets
//     multipart/mixed whenever the client accepts it, and 406 otherwise.
//     gqlgen is then handed an Accept header naming exactly the chosen
//     type;
//   - request errors (parse, validation, variable coercion) carry no
//     "data" key, and under application/json get 200 rather than gqlgen's
//     422.
func GuardWith(opts Options) func(http.Handler) http.Handler {
	if opts.MaxTokens <= 0 {
		opts.MaxTokens = DefaultMaxTokens
	}
	return func(next http.Handler) http.Handler { return guard(opts, next) }
}

// Options tune GuardWith.
type Options struct {
	// MaxTokens bounds the parse the guard makes to tell queries from
	// mutations (GET) and to find @defer: a document with more tokens is
	// left for gqlgen to refuse. Zero takes DefaultMaxTokens.
	MaxTokens int
}

// DefaultMaxTokens is the guard's parser token limit when Options do not
// set one (the gateway's query limit default).
const DefaultMaxTokens = 15000

func guard(opts Options, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		params := requestParams{maxTokens: opts.MaxTokens}
		switch r.Method {
		case http.MethodGet:
			var msg string
			if params, msg = getParams(r, opts.MaxTokens); msg != "" {
				requestError(w, http.StatusBadRequest, errcode.BadRequest, msg)
				return
			}
			if params.documentID != "" {
				if err := getWithDocumentID(r, params.documentID); err != nil {
					requestError(w, http.StatusBadRequest, errcode.BadRequest, "extensions must be a JSON object")
					return
				}
			}
			if op := params.operation(); op != nil && op.Operation != ast.Query {
				w.Header().Set("Allow", "POST")
				requestError(w, http.StatusMethodNotAllowed, errcode.BadRequest, "only queries may be sent with GET: send "+string(op.Operation)+"s with POST")
				return
			}
		case http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		case http.MethodPost:
			if msg := checkContentType(r.Header.Get("Content-Type")); msg != "" {
				requestError(w, http.StatusUnsupportedMediaType, errcode.BadRequest, msg)
				return
			}
			// Read the body here, bounded, so that an oversized one gets 413
			// whether or not it announced its length.
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
			var mbe *http.MaxBytesError
			switch {
			case errors.As(err, &mbe):
				requestError(w, http.StatusRequestEntityTooLarge, errcode.PayloadTooLarge, "request body is larger than the gateway accepts")
				return
			case err != nil:
				requestError(w, http.StatusBadRequest, errcode.BadRequest, "could not read the request body")
				return
			}
			if jsonDepth(body) > MaxJSONDepth {
				requestError(w, http.StatusRequestEntityTooLarge, errcode.PayloadTooLarge, "the request body nests deeper than "+strconv.Itoa(MaxJSONDepth)+" levels")
				return
			}
			var msg string
			var tooLarge bool
			if params, msg, tooLarge = postParams(body, opts.MaxTokens); msg != "" {
				status, code := http.StatusBadRequest, errcode.BadRequest
				if tooLarge {
					status, code = http.StatusRequestEntityTooLarge, errcode.PayloadTooLarge
				}
				requestError(w, status, code, msg)
				return
			}
			if params.documentID != "" {
				if body, err = withDocumentID(body, params.documentID); err != nil {
					requestError(w, http.StatusBadRequest, errcode.BadRequest, "the request body is not a JSON object of GraphQL request parameters")
					return
				}
				r.ContentLength = int64(len(body))
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		default:
			w.Header().Set("Allow", "GET, POST, OPTIONS")
			requestError(w, http.StatusMethodNotAllowed, errcode.BadRequest, "use GET for queries or POST")
			return
		}

		accept := r.Header.Values("Accept")
		var media string
		switch {
		case params.defers():
			// Deferred results only have a place in a multipart response
			// (gqlgen streams POSTs only): without one, gqlgen would answer
			// with the deferred fields missing.
			if r.Method == http.MethodPost {
				media = negotiate(accept, mediaMultipart)
			}
			if media == "" {
				requestError(w, http.StatusNotAcceptable, errcode.BadRequest,
					"this operation uses @defer, whose results come in parts: send it with POST and the header Accept: "+acceptMultipart)
				return
			}
		case r.Method == http.MethodPost:
			media = negotiate(accept, mediaJSON, mediaGraphQLResponse, mediaMultipart)
		default:
			media = negotiate(accept, mediaJSON, mediaGraphQLResponse)
		}
		if media == "" {
			requestError(w, http.StatusNotAcceptable, errcode.BadRequest,
				"none of the media types in Accept can be served: accept application/graphql-response+json or application/json")
			return
		}
		if media == mediaMultipart {
			media = acceptMultipart
			// gqlgen's multipart transport drops a deferred result once
			// the request's context is cancelled and then waits for it
			// for ever: a client that hung up mid-stream left the handler
			// (and a graceful shutdown) waiting without end. A stream's
			// operation therefore runs to its end, or to the request's
			// deadline (set after this guard), whether or not the client
			// still reads it.
			r = r.WithContext(context.WithoutCancel(r.Context()))
		}
		r.Header.Set("Accept", media)
		sw := &specWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		sw.finish()
	})
}

func requestError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"errors": []map[string]any{{"message": msg, "extensions": map[string]any{"code": code}}}})
}

// checkContentType accepts application/json in UTF-8, the one request body
// format GraphQL over HTTP requires (and the only one that cannot be sent
// cross-site without a CORS preflight).
func checkContentType(ct string) string {
	mt, p, err := mime.ParseMediaType(ct)
	switch {
	case err != nil || mt != mediaJSON:
		return "POST bodies must be application/json"
	case p["charset"] != "" && !strings.EqualFold(p["charset"], "utf-8"):
		return "POST bodies must be encoded in UTF-8"
	}
	return ""
}

// requestParams are the GraphQL request parameters the guard looks into.
type requestParams struct {
	Query         string
	OperationName string
	Variables     map[string]any
	// rawVariables are a POST's variables, decoded into Variables only
	// when an @defer's `if` needs them: a large variables object is
	// decoded once, by gqlgen, not twice.
	rawVariables json.RawMessage

	// persisted marks a request naming a persisted query by hash
	// (extensions.persistedQuery), which may come without the query.
	persisted bool
	// documentID names a persisted document the GraphQL-over-HTTP way
	// (documentId); the guard rewrites it into extensions.persistedQuery.
	documentID string

	doc       *ast.QueryDocument
	parsed    bool
	maxTokens int
}

// check reports what makes the parameters unusable whatever the schema: a
// request must carry a query, or name a persisted one.
func (p *requestParams) check() string {
	if msg := p.documentIDConflict(); msg != "" {
		return msg
	}
	if p.Query == "" && !p.persisted && p.documentID == "" {
		return "query is required: a GraphQL request carries the query string, or a persisted document's documentId"
	}
	return ""
}

// document parses the query once, or returns nil when it does not parse
// or has more tokens than the limit (gqlgen then reports it).
func (p *requestParams) document() *ast.QueryDocument {
	if !p.parsed {
		p.parsed = true
		if p.Query != "" {
			p.doc, _ = parser.ParseQueryWithTokenLimit(&ast.Source{Input: p.Query}, p.maxTokens)
		}
	}
	return p.doc
}

// operation is the operation the request would run, or nil when there is
// none to pick (gqlgen reports why).
func (p *requestParams) operation() *ast.OperationDefinition {
	doc := p.document()
	if doc == nil {
		return nil
	}
	if op := doc.Operations.ForName(p.OperationName); op != nil {
		return op
	}
	if p.OperationName == "" && len(doc.Operations) == 1 {
		return doc.Operations[0]
	}
	return nil
}

// defers reports whether the operation defers any fragment: @defer
// without `if: false`. Such an operation's later results only have a place
// in a multipart response; gqlgen's single-result transports would drop
// them and answer with the deferred fields missing.
func (p *requestParams) defers() bool {
	if !strings.Contains(p.Query, "defer") {
		return false // cheap: nothing to parse for most requests
	}
	op := p.operation()
	if op == nil {
		return false
	}
	doc := p.document()
	seen := map[string]bool{}
	var walk func(ast.SelectionSet) bool
	walk = func(set ast.SelectionSet) bool {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if walk(s.SelectionSet) {
					return true
				}
			case *ast.InlineFragment:
				if deferred(s.Directives, p.variables) || walk(s.SelectionSet) {
					return true
				}
			case *ast.FragmentSpread:
				if deferred(s.Directives, p.variables) {
					return true
				}
				if !seen[s.Name] {
					seen[s.Name] = true
					if f := doc.Fragments.ForName(s.Name); f != nil && walk(f.SelectionSet) {
						return true
					}
				}
			}
		}
		return false
	}
	return walk(op.SelectionSet)
}

// variables are the request's variables, decoded on first use.
func (p *requestParams) variables() map[string]any {
	if p.Variables == nil && len(p.rawVariables) > 0 {
		_ = json.Unmarshal(p.rawVariables, &p.Variables)
		p.rawVariables = nil
	}
	return p.Variables
}

// deferred reports whether dirs hold an @defer that is on: its `if`
// argument is absent or anything but false.
func deferred(dirs ast.DirectiveList, vars func() map[string]any) bool {
	d := dirs.ForName("defer")
	if d == nil {
		return false
	}
	arg := d.Arguments.ForName("if")
	if arg == nil || arg.Value == nil {
		return true
	}
	v, err := arg.Value.Value(vars())
	on, isBool := v.(bool)
	return err != nil || !isBool || on
}

// postParams decodes a POST body and checks its shape before gqlgen reads
// it, so that a malformed request gets a coded error: gqlgen's transports
// answer these with messages but no extensions.code.
//
// tooLarge marks a part over its size limit (413 rather than 400).
func postParams(body []byte, maxTokens int) (_ requestParams, msg string, tooLarge bool) {
	var raw struct {
		Query         json.RawMessage `json:"query"`
		OperationName json.RawMessage `json:"operationName"`
		Variables     json.RawMessage `json:"variables"`
		Extensions    json.RawMessage `json:"extensions"`
		DocumentID    json.RawMessage `json:"documentId"`
	}
	// Into raw messages: a scan and a copy of each part, nothing decoded.
	if err := json.Unmarshal(body, &raw); err != nil {
		return requestParams{}, "the request body is not a JSON object of GraphQL request parameters", false
	}
	switch {
	case !isJSON(raw.Query, '"'):
		return requestParams{}, "query must be a string", false
	case !isJSON(raw.OperationName, '"'):
		return requestParams{}, "operationName must be a string", false
	case !isJSON(raw.Variables, '{'):
		return requestParams{}, "variables must be an object", false
	case !isJSON(raw.Extensions, '{'):
		return requestParams{}, "extensions must be an object", false
	case !isJSON(raw.DocumentID, '"'):
		return requestParams{}, "documentId must be a string", false
	case len(raw.DocumentID) > MaxOperationNameBytes:
		return requestParams{}, "documentId is longer than " + strconv.Itoa(MaxOperationNameBytes) + " bytes", true
	case len(raw.Extensions) > MaxExtensionsBytes:
		return requestParams{}, "extensions are larger than " + strconv.Itoa(MaxExtensionsBytes) + " bytes", true
	case len(raw.OperationName) > MaxOperationNameBytes:
		return requestParams{}, "operationName is longer than " + strconv.Itoa(MaxOperationNameBytes) + " bytes", true
	case jsonValues(raw.Variables) > MaxVariableValues:
		return requestParams{}, "variables hold more than " + strconv.Itoa(MaxVariableValues) + " values", true
	}
	p := requestParams{maxTokens: maxTokens}
	// The shapes are checked, so these decode; a value left empty is one
	// gqlgen reports on.
	_ = json.Unmarshal(raw.Query, &p.Query)
	_ = json.Unmarshal(raw.OperationName, &p.OperationName)
	_ = json.Unmarshal(raw.DocumentID, &p.documentID)
	p.rawVariables = raw.Variables
	var ext map[string]json.RawMessage
	_ = json.Unmarshal(raw.Extensions, &ext)
	_, p.persisted = ext["persistedQuery"]
	return p, p.check(), false
}

// getParams reads the request parameters of a GET from its query string,
// where variables and extensions are JSON-encoded objects.
func getParams(r *http.Request, maxTokens int) (requestParams, string) {
	q := r.URL.Query()
	p := requestParams{Query: q.Get("query"), OperationName: q.Get("operationName"), documentID: q.Get("documentId"), maxTokens: maxTokens}
	if len(p.OperationName) > MaxOperationNameBytes {
		return requestParams{}, "operationName is longer than " + strconv.Itoa(MaxOperationNameBytes) + " bytes"
	}
	if len(p.documentID) > MaxOperationNameBytes {
		return requestParams{}, "documentId is longer than " + strconv.Itoa(MaxOperationNameBytes) + " bytes"
	}
	for _, name := range []string{"variables", "extensions"} {
		if v := q.Get(name); v != "" {
			switch {
			case name == "extensions" && len(v) > MaxExtensionsBytes:
				return requestParams{}, "extensions are larger than " + strconv.Itoa(MaxExtensionsBytes) + " bytes"
			case jsonValues([]byte(v)) > MaxVariableValues:
				return requestParams{}, name + " hold more than " + strconv.Itoa(MaxVariableValues) + " values"
			case jsonDepth([]byte(v)) > MaxJSONDepth:
				return requestParams{}, name + " nest deeper than " + strconv.Itoa(MaxJSONDepth) + " levels"
			}
			var obj map[string]any
			if err := json.Unmarshal([]byte(v), &obj); err != nil {
				return requestParams{}, name + " must be a JSON object"
			}
			if name == "variables" {
				p.Variables = obj
			} else {
				_, p.persisted = obj["persistedQuery"]
			}
		}
	}
	return p, p.check()
}

// jsonValues counts, without decoding, about how many values the JSON
// text raw holds: each object, array and element after a comma (a count
// that can only err high). It allocates nothing.
func jsonValues(raw []byte) int {
	n, _ := scanJSON(raw)
	return n
}

// jsonDepth is the deepest nesting of objects and arrays in the JSON
// text raw, found without decoding it.
func jsonDepth(raw []byte) int {
	_, d := scanJSON(raw)
	return d
}

// scanJSON is one pass over raw outside its strings: the value count of
// jsonValues and the depth of jsonDepth.
func scanJSON(raw []byte) (values, deepest int) {
	depth, inString, escaped := 0, false, false
	for _, c := range raw {
		switch {
		case escaped:
			escaped = false
		case inString:
			switch c {
			case '\\':
				escaped = true
			case '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			values++
			depth++
			deepest = max(deepest, depth)
		case c == ',':
			values++
		case c == '}' || c == ']':
			depth--
		}
	}
	return values, deepest
}

// isJSON reports whether raw is absent, null, or a JSON value starting
// with want.
func isJSON(raw json.RawMessage, want byte) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null" || raw[0] == want
}

// negotiate picks, from offers, the response media type for the Accept
// header values: the acceptable offer with the highest q-value, a more
// specific match winning a tie, then the one the client listed first, then
// the earlier offer. No Accept header means application/json, as GraphQL
// over HTTP asks. multipart/mixed is only chosen when named, never through a
// wildcard: a client that sends */* may not read multipart. It returns ""
// when no offer is acceptable.
func negotiate(accept []string, offers ...string) (media string) {
	type mediaRange struct {
		typ, sub string
		params   map[string]string
		q        float64
	}
	var ranges []mediaRange
	for _, value := range accept {
		for part := range strings.SplitSeq(value, ",") {
			if strings.TrimSpace(part) == "" {
				continue
			}
			mt, params, err := mime.ParseMediaType(part)
			typ, sub, found := strings.Cut(mt, "/")
			if err != nil || !found {
				continue
			}
			q := 1.0
			if s, has := params["q"]; has {
				if q, err = strconv.ParseFloat(s, 64); err != nil || q < 0 || q > 1 {
					continue
				}
			}
			ranges = append(ranges, mediaRange{typ, sub, params, q})
		}
	}
	if len(ranges) == 0 {
		// No Accept, or none that parses: treat it as absent, which asks
		// for application/json.
		if slices.Contains(offers, mediaJSON) {
			return mediaJSON
		}
		return ""
	}
	bestQ, bestSpec, bestOrder := 0.0, -1, 0
	for _, offer := range offers {
		typ, sub, _ := strings.Cut(offer, "/")
		// The most specific range that matches the offer sets its q.
		q, spec, order := 0.0, -1, 0
		for i, rg := range ranges {
			s := -1
			switch {
			case rg.typ == typ && rg.sub == sub:
				s = 2
				if offer == mediaMultipart && rg.params["deferspec"] != "" && rg.params["deferspec"] != deferSpec {
					s = -1 // a delivery format gqlgen does not write
				}
			case offer == mediaMultipart:
			case rg.typ == typ && rg.sub == "*":
				s = 1
			case rg.typ == "*" && rg.sub == "*":
				s = 0
			}
			if s > spec {
				q, spec, order = rg.q, s, i
			}
		}
		if spec < 0 || q <= 0 {
			continue
		}
		if q > bestQ || q == bestQ && (spec > bestSpec || spec == bestSpec && order < bestOrder) {
			media, bestQ, bestSpec, bestOrder = offer, q, spec, order
		}
	}
	return media
}

// specWriter adjusts what gqlgen writes for a request error, which comes
// with a status of 400 (graphql-response+json) or 422 (application/json),
// and a "data": null. GraphQL over HTTP wants no data key on a request
// error, and 200 for any well-formed request answered with
// application/json. Such a response is held back until the handler
// returns and then written adjusted; everything else, multipart parts
// included, streams through.
type specWriter struct {
	http.ResponseWriter
	wroteHeader bool
	status      int
	held        *bytes.Buffer
}

func (s *specWriter) WriteHeader(code int) {
	if s.wroteHeader || code < 200 {
		s.ResponseWriter.WriteHeader(code)
		return
	}
	s.wroteHeader = true
	mt, _, _ := mime.ParseMediaType(s.Header().Get("Content-Type"))
	if mt != mediaJSON && mt != mediaGraphQLResponse || code < 400 {
		s.ResponseWriter.WriteHeader(code)
		return
	}
	if code == http.StatusUnprocessableEntity && mt == mediaJSON {
		code = http.StatusOK
	}
	s.status, s.held = code, &bytes.Buffer{}
}

func (s *specWriter) Write(p []byte) (int, error) {
	if !s.wroteHeader {
		s.WriteHeader(http.StatusOK)
	}
	if s.held != nil {
		return s.held.Write(p)
	}
	return s.ResponseWriter.Write(p)
}

// Flush lets gqlgen's multipart transport send each part as it is ready,
// through writers outside the guard that only offer Unwrap.
func (s *specWriter) Flush() {
	if s.held == nil {
		_ = http.NewResponseController(s.ResponseWriter).Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *specWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// finish writes a held response, without a null data entry.
func (s *specWriter) finish() {
	if s.held == nil {
		return
	}
	body := s.held.Bytes()
	var doc map[string]json.RawMessage
	if json.Unmarshal(body, &doc) == nil && string(bytes.TrimSpace(doc["data"])) == "null" {
		delete(doc, "data")
		if out, err := json.Marshal(doc); err == nil {
			body = out
		}
	}
	s.Header().Del("Content-Length")
	s.ResponseWriter.WriteHeader(s.status)
	_, _ = s.ResponseWriter.Write(body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
