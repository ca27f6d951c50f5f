package ortto

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/outbound"
)

// The fuzz targets below feed arbitrary replies to every decoder the client
// uses. Their seeds run in `go test ./...`; a longer run is
//
//	go test -run '^$' -fuzz '^FuzzCheckResponse$' -fuzztime 5m ./vendors/ortto
//
// (one -fuzz target per run; likewise FuzzDecodeReplies and FuzzClient).

// fzSecret is the fake API key of the fuzzed clients: no error may show it.
const fzSecret = "KEY-SECRET-FUZZ"

// fzStatus maps a fuzzed number onto an HTTP status in 100-599; the seeds'
// real statuses pass through unchanged.
func fzStatus(n uint16) int {
	s := int(n)
	if s < 100 || s > 599 {
		s = 100 + s%500
	}
	return s
}

// fzResponse is the reply checkResponse is shown. Its request URL carries
// the secret in its query, so a decoder that ever copied request text into
// an error would be caught.
func fzResponse(status int, retryAfter string) *http.Response {
	req, _ := http.NewRequest(http.MethodPost, "https://api.ap3api.com/v1/accounts/archive?key="+fzSecret, nil)
	h := http.Header{}
	if retryAfter != "" {
		h["Retry-After"] = []string{retryAfter}
	}
	return &http.Response{StatusCode: status, Header: h, Request: req}
}

// fzReplyText is all the text a reply could legitimately put into an error:
// its raw bytes and, when it is JSON, every key and string in it decoded.
func fzReplyText(body []byte) string {
	var b strings.Builder
	b.Write(body)
	var v any
	if json.Unmarshal(body, &v) == nil {
		fzCollect(v, &b)
	}
	return b.String()
}

func fzCollect(v any, b *strings.Builder) {
	switch t := v.(type) {
	case string:
		b.WriteString("\n" + t)
	case []any:
		for _, e := range t {
			fzCollect(e, b)
		}
	case map[string]any:
		for k, e := range t {
			b.WriteString("\n" + k)
			fzCollect(e, b)
		}
	}
}

// fzQueryURL finds a URL with a query string; group 1 is the query.
var fzQueryURL = regexp.MustCompile(`(?i)https?://[^\s?]*\?(\S*)`)

// fzCheckError asserts what every error the client returns must satisfy:
// it is an *outbound.Error of this vendor with a known Kind and a
// non-negative RetryAfter, its message is valid UTF-8, and its text holds
// neither the secret nor a URL with a query string unless the reply itself
// sent that text (Ortto's messages are passed on as Ortto wrote them).
func fzCheckError(t *testing.T, err error, reply []byte) *outbound.Error {
	t.Helper()
	var e *outbound.Error
	require.True(t, errors.As(err, &e), "want *outbound.Error, got %T: %v", err, err)
	assert.Equal(t, vendorName, e.Vendor)
	assert.False(t, strings.HasPrefix(e.Kind.String(), "kind("), "unknown kind %d", e.Kind)
	assert.GreaterOrEqual(t, e.RetryAfter, time.Duration(0), "negative RetryAfter")
	assert.True(t, utf8.ValidString(e.Message), "message is not UTF-8: %q", e.Message)
	text := err.Error()
	src := fzReplyText(reply)
	if !strings.Contains(src, fzSecret) {
		assert.NotContains(t, text, fzSecret)
	}
	for _, m := range fzQueryURL.FindAllStringSubmatch(text, -1) {
		if strings.HasPrefix(m[1], "REDACTED") {
			continue
		}
		prefix := strings.TrimSuffix(m[0], m[1])
		assert.Contains(t, src, prefix, "error text has a URL with a query string the reply did not send: %s", text)
	}
	return e
}

// fzFixtures calls add with the status and body of every recorded Ortto
// reply in the shared fixtures, when they are present.
func fzFixtures(add func(status int, body string)) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "fixtures", "ortto", "*", "*.json"))
	for _, p := range files {
		raw, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		var fx struct {
			StatusCode int    `json:"statusCode"`
			Data       string `json:"data"`
		}
		if json.Unmarshal(raw, &fx) == nil && fx.StatusCode != 0 {
			add(fx.StatusCode, fx.Data)
		}
	}
}

// fzReplies are realistic bodies, success and error, for every endpoint.
var fzReplies = []struct {
	status     int
	retryAfter string
	body       string
}{
	{200, "", `{"scheduled_organizations":0,"archived_organizations":1}`},
	{200, "", `{"scheduled_accounts":2,"deleted_accounts":1}`},
	{200, "", `{"scheduled_accounts":null,"restored_organizations":3,"restored_accounts":4}`},
	{200, "", `{"people":[{"person_status":"merged","person_id":"0069091a7c13f062f778ad00","email":"subscription.test@example.com","subscriptions":[{"audience_id":"6904f4fbf0cc08364094a965","audience_name":"SMS subscribers","member_from":"2025-11-03T21:11:24Z","subscribed":true,"subscribed_from":"2025-11-03T21:11:24+02:00","sms_opted_in":true,"whatsapp_opted_in":false}],"email_permissions":true}]}`},
	{200, "", `{"people":[{"person_status":"by-id","person_id":"00650c1e8a2f4b6d3e9a1c00","subscriptions":[{"audience_id":"a","member_from":"","unsubscribed_from":null,"sms_opted_out_from":"2024-01-02T03:04:05.123456789Z"}]},null,{"person_status":"not-found"}]}`},
	{200, "", `{"people":[]}`},
	{200, "", `null`},
	{200, "", ``},
	{200, "", `{"people":[{"subscriptions":[{"member_from":"yesterday"}]}]}`},
	{200, "", `{"archived_accounts":1} trailing`},
	{400, "", `{"request_id":"0dcf9177-5d1e-4abb-8156-7f8cc68c31f6","code":400,"error":"No valid contacts provided","details":[{"status":"invalid","error":"failed to validate field str::x"}]}`},
	{400, "", `{"request_id":"r","code":"bad-request","error":"see https://ortto.example/help?topic=ids","details":[{"status":"","error":""},{"error":"second"}]}`},
	{429, "", `{"error":{"code":"rate-limit","message":"rate limit","try-in-seconds":10}}`},
	{429, "7", `{"error":{"code":429,"message":"slow down","try-in-seconds":"2.5"}}`},
	{429, "922337203", `{"error":{"code":"rate-limit","try-in-seconds":9.2e9}}`},
	{429, "Wed, 21 Oct 2015 07:28:00 GMT", `{"error":{"code":null,"try-in-seconds":-3}}`},
	{401, "", `{"error":"unauthorized: key KEY-SECRET-FUZZ is not valid"}`},
	{403, "", `{"code":403}`},
	{404, "", `<html><body>404 page not found</body></html>`},
	{409, "", `{"error":{"code":{"nested":true},"message":7}}`},
	{500, "", `{"error":["a","b"],"details":"x"}`},
	{502, "-1", `Bad Gateway`},
	{503, "120", `{"error":"maintenance"}`},
	{504, "", `{"code":504.5,"error":"\u00e9t\u00e9 \ud83d\ude00"}`},
	{100, "", ``},
	{302, "", `{"error":"moved"}`},
	{599, "", `[{"error":"array"}]`},
}

// FuzzCheckResponse: checkResponse never panics; every 2xx is a success and
// every other status an error classified by its status (a plain 4xx at most
// refined by the body), with Ortto's code, message and try-in-seconds read
// from whatever body came with it.
func FuzzCheckResponse(f *testing.F) {
	for _, r := range fzReplies {
		f.Add(uint16(r.status), r.retryAfter, []byte(r.body))
	}
	fzFixtures(func(status int, body string) { f.Add(uint16(status), "", []byte(body)) })
	f.Fuzz(func(t *testing.T, code uint16, retryAfter string, body []byte) {
		status := fzStatus(code)
		e := checkResponse(fzResponse(status, retryAfter), body)
		if status >= 200 && status < 300 {
			require.Nil(t, e, "a 2xx is a success")
			return
		}
		require.NotNil(t, e, "status %d is an error", status)
		if want := outbound.KindForStatus(status); status >= 400 && status < 500 && status != 408 && status != 429 {
			// A plain 4xx may be refined by Ortto's body (not-archived is a
			// failed precondition), but only into a caller's-side kind.
			assert.Contains(t, []outbound.Kind{want, outbound.KindBadInput, outbound.KindNotFound, outbound.KindConflict, outbound.KindFailedPrecondition}, e.Kind)
		} else {
			assert.Equal(t, want, e.Kind)
		}
		assert.Equal(t, status, e.HTTPStatus)
		if status == http.StatusTooManyRequests {
			assert.True(t, e.Retryable)
		}
		e.Vendor = vendorName // outbound.Do fills it in
		fzCheckError(t, e, body)
	})
}

// FuzzDecodeReplies: the reply types decode any bytes without panicking,
// and what decodes re-encodes stably: BulkResult reads both key families to
// the same counts, and a subscriptions reply survives a round trip.
func FuzzDecodeReplies(f *testing.F) {
	for _, r := range fzReplies {
		f.Add([]byte(r.body))
	}
	fzFixtures(func(_ int, body string) { f.Add([]byte(body)) })
	f.Fuzz(func(t *testing.T, body []byte) {
		var br BulkResult
		if outbound.DecodeJSON(body, &br) == nil {
			for _, family := range []string{"accounts", "organizations"} {
				canon, err := json.Marshal(map[string]int{
					"scheduled_" + family: br.Scheduled, "archived_" + family: br.Archived,
					"restored_" + family: br.Restored, "deleted_" + family: br.Deleted,
				})
				require.NoError(t, err)
				var again BulkResult
				require.NoError(t, json.Unmarshal(canon, &again))
				assert.Equal(t, br, again, family)
			}
		}

		var reply subscriptionsReply
		if outbound.DecodeJSON(body, &reply) == nil {
			fzRoundTrip(t, &reply, &subscriptionsReply{})
		}
		var sub Subscription
		if json.Unmarshal(body, &sub) == nil {
			fzRoundTrip(t, &sub, &Subscription{})
		}
	})
}

// fzRoundTrip checks encode(decode(encode(v))) == encode(v).
func fzRoundTrip(t *testing.T, v, fresh any) {
	t.Helper()
	enc, err := json.Marshal(v)
	require.NoError(t, err, "a decoded reply must re-encode")
	require.NoError(t, json.Unmarshal(enc, fresh), "re-encoded reply must decode: %s", enc)
	enc2, err := json.Marshal(fresh)
	require.NoError(t, err)
	assert.Equal(t, string(enc), string(enc2))
}

// fzServer answers every request with the reply of the current input.
// Fuzz inputs run one at a time within a process; the lock is for the
// server's goroutines.
type fzServer struct {
	mu         sync.Mutex
	status     int
	retryAfter string
	body       []byte
	truncate   bool
}

func (s *fzServer) set(status int, retryAfter string, body []byte, truncate bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.retryAfter, s.body, s.truncate = status, retryAfter, body, truncate
}

func (s *fzServer) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	status, retryAfter, body, truncate := s.status, s.retryAfter, s.body, s.truncate
	s.mu.Unlock()
	if retryAfter != "" {
		w.Header()["Retry-After"] = []string{retryAfter}
	}
	w.Header().Set("Content-Type", "application/json")
	if truncate {
		// Promise more than is sent: the client sees the connection close
		// mid-body, a transport error.
		w.Header().Set("Content-Length", strconv.Itoa(len(body)+8))
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// FuzzClient runs whole client calls, built with the real constructor,
// against a server answering with the fuzzed status, Retry-After and body
// (or a body cut short): every call either succeeds with a well-formed
// result or fails with an *outbound.Error that shows no key.
func FuzzClient(f *testing.F) {
	for i, r := range fzReplies {
		f.Add(uint8(i), uint16(r.status), r.retryAfter, []byte(r.body), i%7 == 3)
	}
	fzFixtures(func(status int, body string) {
		for op := uint8(0); op < 4; op++ {
			f.Add(op, uint16(status), "", []byte(body), false)
		}
	})
	srv := &fzServer{}
	ts := httptest.NewServer(srv)
	f.Cleanup(ts.Close)
	hc := ts.Client()
	hc.Timeout = 5 * time.Second
	c, err := New(Config{APIKey: fzSecret, BaseURL: ts.URL + "/prefix", HTTPClient: hc})
	require.NoError(f, err)
	refs := []PersonRef{{Email: "Subscription.Test@example.com"}, {PersonID: "0069091a7c13f062f778ad00"}, {ExternalID: "ext-1"}}
	sel := AccountSelection{InclusionIDs: []string{"106905f9252dad244f055800", "206905f9252dad244f055800"}}

	f.Fuzz(func(t *testing.T, op uint8, code uint16, retryAfter string, body []byte, truncate bool) {
		status := fzStatus(code)
		if status < 200 {
			status += 100 // a 1xx is an interim reply, not one a handler can end with
		}
		srv.set(status, retryAfter, body, truncate)
		ctx := context.Background()
		var err error
		switch op % 4 {
		case 0, 1, 2:
			bulk := []func(context.Context, AccountSelection) (*BulkResult, error){c.ArchiveAccounts, c.RestoreAccounts, c.DeleteAccounts}[op%4]
			var r *BulkResult
			r, err = bulk(ctx, sel)
			if err == nil {
				require.NotNil(t, r)
			}
		case 3:
			var people []*Person
			people, err = c.Subscriptions(ctx, refs)
			if err == nil {
				require.Len(t, people, len(refs), "one result per ref")
			}
		}
		if err == nil {
			assert.True(t, status >= 200 && status < 300, "status %d must fail", status)
			return
		}
		e := fzCheckError(t, err, body)
		if e.HTTPStatus == 0 {
			assert.Contains(t, []outbound.Kind{outbound.KindUnavailable, outbound.KindTimeout}, e.Kind, "no reply is a transport failure: %v", err)
		} else if e.HTTPStatus != status {
			// A reply the client could not use after a 2xx is reported as
			// the 200 the call expected.
			assert.True(t, status >= 200 && status < 300 && e.HTTPStatus == http.StatusOK, "HTTPStatus %d for a %d reply: %v", e.HTTPStatus, status, err)
		}
	})
}
