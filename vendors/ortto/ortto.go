package ortto

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// DefaultBaseURL is Ortto's service endpoint for instances outside the
// Australian and European regions.
const DefaultBaseURL = "https://api.ap3api.com/"

// Regional service endpoints: an instance whose region is Australia or
// Europe must use its own host, the default one does not serve it.
const (
	AUBaseURL = "https://api.au.ap3api.com/"
	EUBaseURL = "https://api.eu.ap3api.com/"
)

// MaxBatch is Ortto's cap on the ids of one bulk account call and on the
// people of one subscriptions lookup.
const MaxBatch = 100

// Name is the vendor key in every *outbound.Error and in the
// simulator's path prefix and fault key.
const Name = "ortto"

// Vendor is how the outbound chain and the shared client read Ortto's
// replies: status first, then its two error bodies, whose rate-limit form
// carries the wait as try-in-seconds (see checkResponse).
var Vendor = outbound.Vendor{Name: Name, Check: checkResponse}

// Config configures a Client.
type Config struct {
	// APIKey is the instance's custom private API key, sent as X-Api-Key.
	APIKey string `env:"API_KEY,secret"`
	// Region selects the service endpoint: "" (default), "au" or "eu".
	Region string `env:"REGION"`
	// BaseURL overrides Region; it may carry a path prefix (a simulator
	// mounted at http://127.0.0.1:9090/ortto).
	BaseURL string `env:"BASE_URL"`
	// HTTPClient supplies the shared outbound transport chain; its
	// transport is wrapped, never mutated. Nil means a fresh pool.
	HTTPClient *http.Client
	// BatchSize is how many ids or people go into one call; 0 means
	// MaxBatch. Smaller values exist for tests and for instances with
	// tighter payload limits.
	BatchSize int `env:"BATCH_SIZE" min:"1" max:"100"`
}

// Client talks to one Ortto instance. It is safe for concurrent use. The
// embedded *outbound.Client supplies BaseURL (the service endpoint, always
// ending in "/"), NewRequest and Do.
type Client struct {
	*outbound.Client

	batchSize int
}

// New returns a Client for cfg. It refuses a missing key, an unknown
// region, an unusable base URL and a batch size beyond Ortto's cap, so a
// misconfiguration shows at start-up rather than on the first request.
func New(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, errors.New("ortto: api key is required")
	}
	raw := cfg.BaseURL
	if strings.TrimSpace(raw) == "" {
		switch strings.ToLower(strings.TrimSpace(cfg.Region)) {
		case "":
			raw = DefaultBaseURL
		case "au":
			raw = AUBaseURL
		case "eu":
			raw = EUBaseURL
		default:
			return nil, fmt.Errorf("ortto: unknown region %q (want \"\", \"au\" or \"eu\")", cfg.Region)
		}
	}
	base, err := outbound.ParseBaseURL(raw)
	if err != nil {
		return nil, fmt.Errorf("ortto: %w", err)
	}
	batch := cfg.BatchSize
	switch {
	case batch == 0:
		batch = MaxBatch
	case batch < 0 || batch > MaxBatch:
		return nil, fmt.Errorf("ortto: batch size %d outside 1..%d", batch, MaxBatch)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = outbound.NewHTTPClient(outbound.TransportOptions{})
	}
	return &Client{
		Client: &outbound.Client{
			BaseURL:    base,
			Vendor:     Vendor,
			HTTPClient: outbound.WithTransport(hc, &apiKeyTransport{key: cfg.APIKey, next: outbound.Base(hc)}),
			Secrets:    outbound.NewSecrets(cfg.APIKey),
		},
		batchSize: batch,
	}, nil
}

// BatchSize is how many ids or people go into one call.
func (c *Client) BatchSize() int { return c.batchSize }

// apiKeyTransport adds Ortto's X-Api-Key header. Auth lives only here so
// that no other code handles the key.
type apiKeyTransport struct {
	key  string
	next http.RoundTripper
}

func (t *apiKeyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	// A RoundTripper must not modify the caller's request.
	r := req.Clone(req.Context())
	r.Header.Set("X-Api-Key", t.key)
	return t.next.RoundTrip(r)
}

// errorBody is the union of Ortto's two error shapes:
//
//	{"request_id":"…","code":400,"error":"text","details":[{"status":"invalid","error":"…"}]}
//	{"error":{"code":"rate-limit","message":"rate limit","try-in-seconds":10}}
type errorBody struct {
	RequestID string          `json:"request_id"`
	Code      json.RawMessage `json:"code"`
	Error     json.RawMessage `json:"error"`
	Details   []struct {
		Status string `json:"status"`
		Error  string `json:"error"`
	} `json:"details"`
}

type nestedError struct {
	Code         json.RawMessage `json:"code"`
	Message      string          `json:"message"`
	TryInSeconds json.RawMessage `json:"try-in-seconds"`
}

// checkResponse is the client's only classifier of replies: a 2xx is a
// success, anything else becomes an *outbound.Error whose Kind comes from
// the status and whose Code, Message and RetryAfter come from Ortto's own
// body where it has them.
func checkResponse(resp *http.Response, body []byte) *outbound.Error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	e := outbound.StatusError(resp)
	var eb errorBody
	if json.Unmarshal(body, &eb) != nil {
		return e // not Ortto's JSON (a proxy page, say): the status says enough
	}
	e.Code = codeString(eb.Code, resp.StatusCode)
	var text string
	var nested nestedError
	switch {
	case json.Unmarshal(eb.Error, &text) == nil:
		e.Message = text
	case json.Unmarshal(eb.Error, &nested) == nil:
		if c := codeString(nested.Code, resp.StatusCode); c != "" {
			e.Code = c
		}
		e.Message = nested.Message
		if secs, err := strconv.ParseFloat(strings.Trim(string(nested.TryInSeconds), `"`), 64); err == nil && secs > 0 {
			e.RetryAfter = outbound.Seconds(secs)
		}
	}
	for _, d := range eb.Details {
		if d.Error == "" || strings.Contains(e.Message, d.Error) {
			continue
		}
		if e.Message != "" {
			e.Message += "; "
		}
		if d.Status != "" {
			e.Message += d.Status + ": "
		}
		e.Message += d.Error
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		e.Retryable = true
	}
	return e
}

// codeString returns Ortto's error code as text, or "" when it is only the
// HTTP status repeated.
func codeString(raw json.RawMessage, status int) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n int
	if json.Unmarshal(raw, &n) == nil {
		if n == status {
			return ""
		}
		return strconv.Itoa(n)
	}
	return ""
}

// chunkError marks err (from a chunk of a split request) with the ids not
// done: the failed chunk's and every later chunk's, so that a caller can
// retry exactly those.
func chunkError(err error, pending []string, done, total int) error {
	var e *outbound.Error
	if !errors.As(err, &e) {
		return err
	}
	e.IDs = pending
	if total > 1 {
		progress := fmt.Sprintf("%d of %d chunks succeeded before this one failed", done, total)
		switch {
		case e.Message != "":
			e.Message = progress + ": " + e.Message
		case e.Err != nil:
			// Error() prints Err only when Message is empty; keep the cause.
			e.Message = progress + ": " + e.Err.Error()
		default:
			e.Message = progress
		}
	}
	return e
}

// badInput is the error for a request refused before any call is made.
func badInput(op, msg string) error {
	return &outbound.Error{Vendor: Name, Operation: op, Kind: outbound.KindBadInput, Message: msg}
}
