package apptivo

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/internal/base/outbound/outboundtest"
)

// The fuzz targets below feed arbitrary replies to every decoder the client
// uses. Their seeds run in `go test ./...`; a longer run is
//
//	go test -run '^$' -fuzz '^FuzzCheckResponse$' -fuzztime 5m ./vendors/apptivo
//
// (one -fuzz target per run; likewise FuzzDecodeReplies and FuzzClient).

// The fuzzed clients' fake keys. Apptivo's keys travel in the URL and
// Apptivo (or a proxy) may echo them, so the client scrubs them from every
// error: no error text may contain either, whatever the reply said.
const (
	fzSecret       = "KEY-SECRET-FUZZ"
	fzAccessSecret = "ACCESS-SECRET-FUZZ"
)

// fzRequestURL is the URL of a request as the auth transport sends it.
const fzRequestURL = "https://api.apptivo.com/app/dao/v6/customers?a=getAll&accessKey=" + fzAccessSecret + "&apiKey=" + fzSecret

// fz is what the targets check every error against: a message of bounded
// length, neither key anywhere in its text or cause, whatever the reply.
var fz = outboundtest.Vendor{
	Name:       Name,
	Secrets:    []string{fzSecret, fzAccessSecret},
	Scrubbed:   true,
	MaxMessage: outbound.MaxMessage + len("…"),
	RequestURL: fzRequestURL,
}

// fzReplies are realistic bodies, success and failure, for every call.
// "$URL" and "$KEY" are replaced by FuzzClient's server with the request
// URL and the api key it received, as an echoing vendor would.
var fzReplies = []struct {
	status     int
	retryAfter string
	body       string
}{
	{200, "", `{"status":"FAILURE","reason":"Invalid API Key KEY-SECRET-FUZZ / ACCESS-SECRET-FUZZ"}`},
	{200, "", `{"status":"FAILURE","reason":"Invalid key for $URL"}`},
	{200, "", `{"status":"failure ","message":"apiKey=$KEY&accessKey=ACCESS-SECRET-FUZZ rejected"}`},
	{200, "", `{"status":"FAILURE","reason":"Customer does not exist"}`},
	{200, "", `{"status":"FAILURE","reason":"Rate limit exceeded; retry after 3 seconds"}`},
	{200, "", `{"status":"FAILURE","reason":"` + strings.Repeat("very long ", 29) + `KEY-SECRET-FUZZ is not valid"}`},
	{400, "", `{"status":"FAILURE","reason":"` + strings.Repeat("é", 200) + `"}`},
	{200, "", `{"status":"FAILURE"}`},
	{200, "", `{"status":"SUCCESS","customerStatusList":[{"statusId":"1","statusName":"Active"},{"id":2,"name":"Lost"}],"categories":[{"categoryId":5,"categoryName":"Retail","parentCategoryId":1}],"marketList":[{"id":"","name":null}],"segments":null,"webLayout":{"x":1}}`},
	{200, "", `{"statuses":[{"statusId":1.5,"statusName":"x"}]}`},
	{200, "", `{"customerStatusList":[{"id":"9223372036854775808","name":"big"}]}`},
	{200, "", `{"data":[{"customerId":1001,"id":"1001","customerName":"Ada","emailAddresses":[{"emailAddress":"ada@example.com","emailTypeCode":"BUSINESS"}],"addresses":[{"addressId":7,"city":"London"}],"customAttributes":[{"customAttributeId":"a","customAttributeValue":"b"}]}],"countOfRecords":1}`},
	{200, "", `{"data":[],"totalNumberOfRecords":0}`},
	{200, "", `{"data":null,"countOfRecords":null}`},
	{200, "", `{"customer":{"customerId":1003,"customerName":"Turing Machines Ltd","statusName":"Active"}}`},
	{200, "", `{"responseObject":{"id":"1004"},"csrfToken":"x"}`},
	{200, "", `{"customerId":0,"id":"abc"}`},
	{200, "", `{"responseCode":"0","responseMessage":"Success"}`},
	{200, "", `null`},
	{200, "", ``},
	{200, "", `[1,2,3]`},
	{200, "", `{"data":[{"customerId":"not a number"}]}`},
	{400, "", `{"status":"FAILURE","reason":"Invalid accessKey"}`},
	{401, "", `<html>Unauthorized</html>`},
	{404, "", `{"status":"FAILURE","reason":"Not Found"}`},
	{429, "3", `{"status":"FAILURE","reason":"Rate limit exceeded; retry after 3 seconds"}`},
	{429, "922337203", `{"status":"FAILURE","reason":"too many"}`},
	{500, "", `{"status":"FAILURE","reason":"see https://status.apptivo.com/x?apiKey=$KEY"}`},
	{503, "Wed, 21 Oct 2015 07:28:00 GMT", `{"status":"FAILURE","reason":"Service Unavailable"}`},
	{302, "", ``},
	{100, "", `{"status":"FAILURE","reason":"x"}`},
}

// fzClient is a client with the fake keys for the checkResponse target:
// outbound.Client.Do runs checkResponse and then scrubs its error, so the
// target does the same.
func fzClient(t testing.TB, base string, hc *http.Client) *Client {
	c, err := New(Config{APIKey: fzSecret, AccessKey: fzAccessSecret, BaseURL: base, HTTPClient: hc})
	require.NoError(t, err)
	return c
}

// FuzzCheckResponse: checkResponse never panics; a 2xx without a FAILURE
// body is a success, anything else an error classified by status, or by
// the reason where the status leaves room; once scrubbed, as Client.Do
// does, no error shows a key, even when the reply echoed it.
func FuzzCheckResponse(f *testing.F) {
	for _, r := range fzReplies {
		body := strings.NewReplacer("$URL", fzRequestURL, "$KEY", fzSecret).Replace(r.body)
		f.Add(uint16(r.status), r.retryAfter, []byte(body))
	}
	c := fzClient(f, DefaultBaseURL, nil)
	f.Fuzz(func(t *testing.T, code uint16, retryAfter string, body []byte) {
		status := outboundtest.Status(code)
		ok := status >= 200 && status < 300
		e := checkResponse(fz.Response(status, retryAfter), body)
		if e == nil {
			require.True(t, ok, "status %d must fail", status)
			return
		}
		assert.Equal(t, status, e.HTTPStatus)
		switch {
		case ok:
			assert.Contains(t, []outbound.Kind{outbound.KindBadInput, outbound.KindAuth, outbound.KindNotFound, outbound.KindRateLimited}, e.Kind, "a FAILURE body")
		case ambiguousStatus(status):
			assert.Contains(t, []outbound.Kind{outbound.KindForStatus(status), outbound.KindAuth, outbound.KindNotFound, outbound.KindRateLimited}, e.Kind)
		default:
			assert.Equal(t, outbound.KindForStatus(status), e.Kind)
		}
		e.Vendor = Name // the shared Client fills it in
		fz.CheckError(t, c.Scrub(e), body)
	})
}

// FuzzDecodeReplies: every reply type decodes any bytes without panicking,
// and what decodes re-encodes stably: a ConfigItem in any of its key forms
// is the same item as {id,name}, ConfigData keeps its lists under the
// canonical names, a list page and a single customer survive a round trip.
func FuzzDecodeReplies(f *testing.F) {
	for _, r := range fzReplies {
		f.Add([]byte(r.body))
	}
	f.Add([]byte(`{"statusId":"12","statusName":"Open","parentStatusId":3}`))
	f.Add([]byte(`{"id":" 7","name":"x"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var it ConfigItem
		if json.Unmarshal(body, &it) == nil {
			enc, err := json.Marshal(it)
			require.NoError(t, err)
			var again ConfigItem
			require.NoError(t, json.Unmarshal(enc, &again), "%s", enc)
			assert.Equal(t, it, again)
		}

		var cd ConfigData
		if outbound.DecodeJSON(body, &cd) == nil {
			assert.Equal(t, string(bytes.TrimSpace(body)), string(bytes.TrimSpace(cd.Raw)), "Raw is the whole reply")
			enc, err := json.Marshal(cd)
			require.NoError(t, err)
			var again ConfigData
			require.NoError(t, json.Unmarshal(enc, &again), "%s", enc)
			for _, a := range configAliases {
				assert.Equal(t, fzItems(*a.get(&cd)), fzItems(*a.get(&again)), a.keys[0])
			}
		}

		var page pageReply
		if outbound.DecodeJSON(body, &page) == nil {
			outboundtest.RoundTrip(t, &page, &pageReply{})
		}

		cust, found, err := decodeCustomer(body)
		if err == nil && found {
			require.NotNil(t, cust)
			require.NotEmpty(t, cust.ID, "a found customer has an id")
			enc, err := json.Marshal(cust)
			require.NoError(t, err)
			again, found2, err := decodeCustomer(enc)
			require.NoError(t, err, "%s", enc)
			require.True(t, found2, "%s", enc)
			enc2, err := json.Marshal(again)
			require.NoError(t, err)
			assert.Equal(t, string(enc), string(enc2))
		}
	})
}

// fzItems treats a nil and an empty list alike (omitempty drops both).
func fzItems(items []ConfigItem) []ConfigItem {
	if len(items) == 0 {
		return nil
	}
	return items
}

// fzEcho is FuzzClient's server route: "$URL" and "$KEY" in the reply
// become the request URL and the api key it carried, as an echoing vendor
// would send them.
func fzEcho(r *http.Request, reply outboundtest.Reply) (outboundtest.Reply, bool) {
	reply.Body = bytes.ReplaceAll(reply.Body, []byte("$URL"), []byte("http://"+r.Host+r.URL.String()))
	reply.Body = bytes.ReplaceAll(reply.Body, []byte("$KEY"), []byte(r.URL.Query().Get("apiKey")))
	return reply, true
}

// FuzzClient runs whole client calls, built with the real constructor,
// against a server answering with the fuzzed status, Retry-After and body
// (or a body cut short), echoing the request URL and key where the body
// asks: every call either succeeds with a well-formed result or fails with
// an *outbound.Error that shows neither key.
func FuzzClient(f *testing.F) {
	for i, r := range fzReplies {
		f.Add(uint8(i), uint16(r.status), r.retryAfter, []byte(r.body), i%9 == 4)
	}
	srv := outboundtest.NewServer(f, fzEcho)
	c := fzClient(f, srv.URL+"/prefix", srv.Client)

	f.Fuzz(func(t *testing.T, op uint8, code uint16, retryAfter string, body []byte, truncate bool) {
		status := srv.Answer(code, retryAfter, body, truncate)
		ctx := context.Background()
		var err error
		switch op % 7 {
		case 0:
			var d *ConfigData
			if d, err = c.GetConfigData(ctx); err == nil {
				require.NotNil(t, d)
			}
		case 1:
			var cust *Customer
			if cust, err = c.GetCustomer(ctx, "1001"); err == nil {
				require.NotNil(t, cust)
				require.NotEmpty(t, cust.ID)
			}
		case 2, 3:
			var p *Page
			if op%7 == 2 {
				p, err = c.ListCustomers(ctx, 0, 150)
			} else {
				p, err = c.SearchCustomers(ctx, SearchQuery{Email: "ada@example.com", StatusIDs: []int64{1}}, 5, 3)
			}
			if err == nil {
				require.NotNil(t, p)
				assert.LessOrEqual(t, len(p.Customers), 150, "never more than asked for")
			}
		case 4:
			var cust *Customer
			if cust, err = c.CreateCustomer(ctx, Customer{CustomerName: "Ada"}); err == nil {
				require.NotNil(t, cust)
			}
		case 5:
			var cust *Customer
			if cust, err = c.UpdateCustomer(ctx, "1001", map[string]any{"customerName": "Ada", "emailAddresses": []Email{{EmailAddress: "a@b.c"}}}); err == nil {
				require.NotNil(t, cust)
			}
		case 6:
			err = c.DeleteCustomer(ctx, "1001")
		}
		if err == nil {
			return
		}
		fz.CheckCallError(t, err, srv.Sent(), status)
	})
}
