package appdirect

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/oauth2"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// opFetchToken is the Operation of errors from the token endpoint, so a
// caller can tell "our credentials were refused" from "the API refused".
const opFetchToken = "fetch token"

// bearerTransport puts the cached OAuth2 access token on every request.
// It is the only place credentials touch a request. A failed token fetch
// becomes an *outbound.Error here, so the shared Do passes it on unchanged
// instead of treating it as a transport failure.
//
// The token source fetches with the context it was built with, not the
// request's: oauth2's caching source is shared by all callers, so one
// caller's cancellation must not fail the fetch for the others. The fetch
// is still bounded by the HTTP client's timeout.
//
// Each token it puts on a request is first added to secrets, so that a
// vendor echoing the request in an error cannot leak it.
type bearerTransport struct {
	source  oauth2.TokenSource
	base    http.RoundTripper
	secrets *outbound.Secrets
	// identity names the client for the chain's cache and dedup
	// (outbound.AuthorizedAs), in place of the token.
	identity string
}

func (t *bearerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := t.source.Token()
	if err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, t.tokenError(err)
	}
	t.secrets.AddRotating(tok.AccessToken)
	r := req.Clone(outbound.AuthorizedAs(req.Context(), t.identity))
	tok.SetAuthHeader(r)
	return t.base.RoundTrip(r)
}

// tokenError classifies a token fetch failure: the endpoint refusing the
// client (400/401/403, RFC 6749 section 5.2 bodies) is KindAuth with the
// OAuth error code and description; no answer at all is Unavailable (or
// Timeout); other statuses follow the usual status classification.
func (t *bearerTransport) tokenError(err error) *outbound.Error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		e := &outbound.Error{
			Vendor:    Name,
			Operation: opFetchToken,
			Kind:      outbound.KindAuth,
			Code:      re.ErrorCode,
			Message:   re.ErrorDescription,
		}
		if resp := re.Response; resp != nil {
			e.HTTPStatus = resp.StatusCode
			switch resp.StatusCode {
			case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
			default:
				if resp.StatusCode >= 300 {
					e.Kind = outbound.KindForStatus(resp.StatusCode)
					e.Retryable = outbound.RetryableStatus(resp.StatusCode)
					e.RetryAfter = outbound.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
				}
			}
		}
		if e.Message == "" && e.Code == "" {
			e.Message = "token request refused"
		}
		return e
	}
	var ue *url.Error
	var ne net.Error
	if errors.As(err, &ue) || errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return outbound.FromTransport(Name, opFetchToken, err)
	}
	// A 2xx reply the oauth2 package could not use (no access_token, not
	// JSON): the vendor's fault, not ours.
	return &outbound.Error{
		Vendor:    Name,
		Operation: opFetchToken,
		Kind:      outbound.KindUpstream,
		Message:   "unusable token reply: " + outbound.RedactURLs(err.Error()),
	}
}
