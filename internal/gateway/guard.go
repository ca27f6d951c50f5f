package gateway

import (
	"bytes"
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
