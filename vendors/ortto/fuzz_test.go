package ortto

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/internal/base/outbound/outboundtest"
)

// The fuzz targets below feed arbitrary replies to every decoder the client
// uses. Their seeds run in `go test ./...`; a longer run is
//
//	go test -run '^$' -fuzz '^FuzzCheckResponse$' -fuzztime 5m ./vendors/ortto
//
// (one -fuzz target per run; likewise FuzzDecodeReplies and FuzzClient).

// fzSecret is the fake API key of the fuzzed clients: no error may show it
// unless the reply itself sent it (Ortto's messages are passed on as Ortto
// wrote them).
const fzSecret = "KEY-SECRET-FUZZ"

// fz is what the targets check every error against; the fake request's
// URL carries the secret in its query.
var fz = outboundtest.Vendor{
	Name:       Name,
	Secrets:    []string{fzSecret},
	Scrubbed:   true,
	MaxMessage: outbound.MaxMessage + len("…"),
	Method:     http.MethodPost,
	RequestURL: "https://api.ap3api.com/v1/accounts/archive?key=" + fzSecret,
}

// fzFixtures calls add with the status and body of every recorded Ortto
// reply in the shared fixtures, when they are present.
func fzFixtures(add func(status int, body string)) {
	outboundtest.Fixtures("ortto", ".json", func(raw []byte) {
		var fx struct {
			StatusCode int    `json:"statusCode"`
			Data       string `json:"data"`
		}
		if json.Unmarshal(raw, &fx) == nil && fx.StatusCode != 0 {
			add(fx.StatusCode, fx.Data)
		}
	})
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
	c, err := New(Config{APIKey: fzSecret})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, code uint16, retryAfter string, body []byte) {
		status := outboundtest.Status(code)
		e := checkResponse(fz.Response(status, retryAfter), body)
		if !outboundtest.NonSuccess(t, status, e) {
			return
		}
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
		e.Vendor = Name // the client's Do fills it in, and scrubs
		fz.CheckError(t, c.Scrub(e), body)
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
			outboundtest.RoundTrip(t, &reply, &subscriptionsReply{})
		}
		var sub Subscription
		if json.Unmarshal(body, &sub) == nil {
			outboundtest.RoundTrip(t, &sub, &Subscription{})
		}
	})
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
	srv := outboundtest.NewServer(f, nil)
	c, err := New(Config{APIKey: fzSecret, BaseURL: srv.URL + "/prefix", HTTPClient: srv.Client})
	require.NoError(f, err)
	refs := []PersonRef{{Email: "Subscription.Test@example.com"}, {PersonID: "0069091a7c13f062f778ad00"}, {ExternalID: "ext-1"}}
	sel := AccountSelection{InclusionIDs: []string{"106905f9252dad244f055800", "206905f9252dad244f055800"}}

	f.Fuzz(func(t *testing.T, op uint8, code uint16, retryAfter string, body []byte, truncate bool) {
		status := srv.Answer(code, retryAfter, body, truncate)
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
		fz.CheckCallError(t, err, body, status)
	})
}
