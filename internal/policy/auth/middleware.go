package auth

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
)

// Middleware authenticates every request but OPTIONS (CORS preflights carry
// no credentials) and stores its Principal in the request context. A
// request without a valid token gets the 401 and never reaches next.
//
// The Authorization header is removed from the request next sees, so that
// nothing past this point can log or forward the token.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		var (
			p   *Principal
			err error
		)
		if a.Open() {
			p = openPrincipal()
		} else {
			var token string
			if token, err = bearerToken(r.Header); err == nil {
				p, err = a.Authenticate(token)
			}
		}
		if err != nil {
			a.logRefusal(r, err)
			if r.ContentLength != 0 {
				// The body (announced, or chunked) is never read: close the
				// connection after the 401, or the server would first wait
				// to drain a body that may never arrive.
				w.Header().Set("Connection", "close")
			}
			writeUnauthenticated(w, err)
			return
		}
		r2 := r.WithContext(WithPrincipal(r.Context(), p))
		if _, ok := r.Header["Authorization"]; ok {
			r2.Header = r.Header.Clone()
			r2.Header.Del("Authorization")
		}
		next.ServeHTTP(w, r2)
	})
}

// bearerToken takes the token from "Authorization: Bearer <token>". The
// scheme is case-insensitive (RFC 7235 section 2.1); the token is one
// word, and a request with two Authorization headers is refused rather
// than guessed at.
func bearerToken(h http.Header) (string, error) {
	vals := h.Values("Authorization")
	switch {
	case len(vals) == 0 || len(vals) == 1 && strings.TrimSpace(vals[0]) == "":
		return "", &refusal{ErrNoToken, "no authorization header"}
	case len(vals) > 1:
		return "", &refusal{ErrMalformedHeader, "several authorization headers"}
	}
	scheme, token, _ := strings.Cut(strings.TrimSpace(vals[0]), " ")
	token = strings.TrimLeft(token, " ")
	switch {
	case !strings.EqualFold(scheme, "Bearer"):
		return "", &refusal{ErrMalformedHeader, "authorization scheme is not bearer"}
	case token == "":
		return "", &refusal{ErrMalformedHeader, "empty bearer token"}
	case strings.ContainsFunc(token, func(c rune) bool { return c <= ' ' || c == 0x7f }):
		return "", &refusal{ErrMalformedHeader, "bearer token has spaces or control characters"}
	}
	return token, nil
}

// unauthenticated says, per refusal, what the client is told and what goes
// in WWW-Authenticate (RFC 6750 section 3: no error code when no
// credentials were sent).
var unauthenticated = []struct {
	err             error
	message, header string
}{
	{ErrNoToken, "authentication required: send Authorization: Bearer <token>", `Bearer realm="switchyard"`},
	{ErrMalformedHeader, `the Authorization header must be "Bearer <token>"`, `Bearer realm="switchyard", error="invalid_request"`},
	{ErrTokenExpired, "the bearer token has expired", `Bearer realm="switchyard", error="invalid_token", error_description="the token has expired"`},
	{ErrTokenNotValidYet, "the bearer token is not valid yet", `Bearer realm="switchyard", error="invalid_token", error_description="the token is not valid yet"`},
}

// writeUnauthenticated writes the 401 with a GraphQL-style error body. The
// message is chosen from fixed texts: nothing of the request is echoed.
func writeUnauthenticated(w http.ResponseWriter, err error) {
	message, header := "the bearer token is not valid", `Bearer realm="switchyard", error="invalid_token"`
	for _, u := range unauthenticated {
		if errors.Is(err, u.err) {
			message, header = u.message, u.header
			break
		}
	}
	w.Header().Set("WWW-Authenticate", header)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusUnauthorized)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]any{{"message": message, "extensions": map[string]any{"code": CodeUnauthenticated}}},
	})
}

// logRefusal logs why a request was refused, with the reason's fixed text
// only. A request that sent no token at all is routine, so it is logged at
// debug level.
func (a *Authenticator) logRefusal(r *http.Request, err error) {
	reason := err.Error()
	var rf *refusal
	if errors.As(err, &rf) {
		reason = rf.reason
	}
	level := slog.LevelInfo
	if errors.Is(err, ErrNoToken) {
		level = slog.LevelDebug
	}
	a.logger().Log(r.Context(), level, "client authentication refused", "reason", reason, "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
}

func (a *Authenticator) logger() *slog.Logger {
	if a.log != nil {
		return a.log
	}
	return slog.Default()
}
