package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/switchyard/switchyard/internal/errcode"
)

// guardQuery answers, with GraphQL-over-HTTP status codes and a GraphQL
// error body, the requests gqlgen's transports would otherwise answer with
// a bare "transport not supported": wrong methods, wrong content types and
// bodies over MaxBodyBytes.
func guardQuery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			if msg := checkGetParams(r); msg != "" {
				requestError(w, http.StatusBadRequest, errcode.BadRequest, msg)
				return
			}
			if getMutation(r) {
				w.Header().Set("Allow", "POST")
				requestError(w, http.StatusMethodNotAllowed, errcode.BadRequest, "mutations must be sent with POST")
				return
			}
		case http.MethodOptions:
		case http.MethodPost:
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || mt != "application/json" {
				requestError(w, http.StatusUnsupportedMediaType, errcode.BadRequest, "POST bodies must be application/json")
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
			if msg := checkParams(body); msg != "" {
				requestError(w, http.StatusBadRequest, errcode.BadRequest, msg)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		default:
			w.Header().Set("Allow", "GET, POST, OPTIONS")
			requestError(w, http.StatusMethodNotAllowed, errcode.BadRequest, "use GET for queries or POST")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func requestError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"errors": []map[string]any{{"message": msg, "extensions": map[string]any{"code": code}}}})
}

// getMutation reports whether a GET request asks to run a mutation, which
// GraphQL over HTTP answers with 405 (gqlgen alone answers 406).
func getMutation(r *http.Request) bool {
	q := r.URL.Query()
	doc, err := parser.ParseQuery(&ast.Source{Input: q.Get("query")})
	if err != nil {
		return false // gqlgen reports the syntax error
	}
	op := doc.Operations.ForName(q.Get("operationName"))
	if op == nil && len(doc.Operations) == 1 {
		op = doc.Operations[0]
	}
	return op != nil && op.Operation != ast.Query
}

// checkParams checks the shape of a POST body before gqlgen reads it, so
// that a malformed request gets a coded error: gqlgen's transports answer
// these with messages but no extensions.code.
func checkParams(body []byte) string {
	var params struct {
		Query         json.RawMessage `json:"query"`
		OperationName json.RawMessage `json:"operationName"`
		Variables     json.RawMessage `json:"variables"`
		Extensions    json.RawMessage `json:"extensions"`
	}
	if err := json.Unmarshal(body, &params); err != nil {
		return "the request body is not a JSON object of GraphQL request parameters"
	}
	switch {
	case !isJSON(params.Query, '"'):
		return "query must be a string"
	case !isJSON(params.OperationName, '"'):
		return "operationName must be a string"
	case !isJSON(params.Variables, '{'):
		return "variables must be an object"
	case !isJSON(params.Extensions, '{'):
		return "extensions must be an object"
	}
	return ""
}

// checkGetParams is checkParams for the query string of a GET.
func checkGetParams(r *http.Request) string {
	q := r.URL.Query()
	for _, name := range []string{"variables", "extensions"} {
		if v := q.Get(name); v != "" {
			var obj map[string]any
			if err := json.Unmarshal([]byte(v), &obj); err != nil {
				return name + " must be a JSON object"
			}
		}
	}
	return ""
}

// isJSON reports whether raw is absent, null, or a JSON value starting
// with want.
func isJSON(raw json.RawMessage, want byte) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null" || raw[0] == want
}
