package cordial

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
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
//	go test -run '^$' -fuzz '^FuzzCheckResponse$' -fuzztime 5m ./vendors/cordial
//
// (one -fuzz target per run; likewise FuzzDecodeReplies and FuzzClient).

// fzSecret is the fuzzed client's fake API key: no error may show it.
const fzSecret = "KEY-SECRET-FUZZ"

// fz is what the targets check every error against: a message of bounded
// length, never the key (the shared client scrubs it even where the reply
// echoed it), and no URL with a query string in its text unless the reply
// itself sent that text (Cordial's messages are passed on as Cordial wrote
// them).
var fz = outboundtest.Vendor{
	Name:       Name,
	Secrets:    []string{fzSecret},
	Scrubbed:   true,
	MaxMessage: outbound.MaxMessage + len("…"),
	RequestURL: "https://api.cordial.io/v2/accountlists?name=x&key=" + fzSecret,
}

// fzCassettes calls add with the status and body of every recorded
// Cordial reply in the shared fixtures, when they are present.
func fzCassettes(add func(status int, body string)) {
	outboundtest.Fixtures("cordial/vcr", ".yml", func(raw []byte) {
		if status, body, ok := fzCassette(string(raw)); ok {
			add(status, body)
		}
	})
}

var fzCodeRe = regexp.MustCompile(`(?m)^\s+code: (\d+)$`)

// fzCassette is a lenient cut of errors_test.go's cassetteResponse: the
// first response's status and single-quoted body, or ok false.
func fzCassette(doc string) (status int, body string, ok bool) {
	i := strings.Index(doc, "\n  response:")
	if i < 0 {
		return 0, "", false
	}
	resp := doc[i:]
	m := fzCodeRe.FindStringSubmatch(resp)
	if m == nil {
		return 0, "", false
	}
	status, _ = strconv.Atoi(m[1])
	j := strings.Index(resp, "string: '")
	if j < 0 {
		return 0, "", false
	}
	rest := resp[j+len("string: '"):]
	var b strings.Builder
	for n := 0; n < len(rest); n++ {
		switch c := rest[n]; {
		case c == '\'' && n+1 < len(rest) && rest[n+1] == '\'':
			b.WriteByte('\'')
			n++
		case c == '\'':
			return status, b.String(), true
		case c == '\n':
			b.WriteByte(' ')
			for n+1 < len(rest) && rest[n+1] == ' ' {
				n++
			}
		default:
			b.WriteByte(c)
		}
	}
	return 0, "", false
}

// fzReplies are realistic bodies, success and error, for every call.
var fzReplies = []struct {
	status     int
	retryAfter string
	body       string
}{
	{200, "", `{"success":true,"id":42}`},
	{200, "", `{"success":true,"id":"43"}`},
	{200, "", `{"success":"true","id":4.0e1}`},
	{200, "", `{"success":false}`},
	{200, "", `{"success":null,"id":null}`},
	{200, "", `[{"id":1,"name":"safe_drivers","enhanced":true},{"id":"2","name":"weekly_specials","enhanced":"false"},{"id":3,"name":"x","enhanced":1}]`},
	{200, "", `[]`},
	{200, "", `{"id":2,"name":"weekly_specials","enhanced":0,"count":4}`},
	{200, "", `{"id":"2","name":"weekly_specials","enhanced":null,"count":"12"}`},
	{200, "", `[{"id":5,"name":"renamed","enhanced":"TRUE"}]`},
	{200, "", `{"id":1.5}`},
	{200, "", `{"enhanced":"yes"}`},
	{200, "", `{"count":9223372036854775807}`},
	{200, "", `{"count":1e30}`},
	{200, "", `null`},
	{200, "", ``},
	{400, "", `{"error":true,"message":"Invalid JSON provided","errorKey":"INVALID_JSON_PROVIDED"}`},
	{401, "", `{"error":"Invalid API key"}`},
	{404, "", `{"error":true,"message":"Record not found","errorKey":"RECORD_NOT_FOUND"}`},
	{404, "", `{"error":true,"message":"Account list not found","errorKey":"ACCOUNT_LISTS_NOT_FOUND"}`},
	{415, "", `{"error":true,"message":"Unsupported media type","errorKey":"UNSUPPORTED_MEDIA_TYPE"}`},
	{422, "", `{"error":true,"messages":{"validationErrors":{"name":["The name must be unique."]}},"errorKey":"VALIDATION_ERROR"}`},
	{422, "", `{"error":true,"messages":{"validationErrors":{"name":["may contain only letters"],"enhanced":"must be boolean"}}}`},
	{429, "5", `{"error":true,"message":"Too many requests"}`},
	{429, "922337203", `{"message":"` + strings.Repeat("é", 256) + `"}`},
	{500, "", `{"error":"Internal Server Error","message":"see https://status.cordial.io/x?incident=1"}`},
	{500, "", `<html><body><h1>500</h1></body></html>`},
	{502, "", `{"message":[["deep",["deeper",{"messages":"deepest"}]]]}`},
	{503, "Wed, 21 Oct 2015 07:28:00 GMT", `{"error":false,"errorKey":"  GENERIC_ERROR_KEY  "}`},
	{302, "", ``},
	{100, "", `{}`},
}

// FuzzCheckResponse: checkResponse never panics; a 2xx is a success and
// anything else an error classified by status (422 "must be unique" a
// conflict, 415 bad input), carrying Cordial's error key and a bounded
// message from whichever error field the body has.
func FuzzCheckResponse(f *testing.F) {
	for _, r := range fzReplies {
		f.Add(uint16(r.status), r.retryAfter, []byte(r.body))
	}
	fzCassettes(func(status int, body string) { f.Add(uint16(status), "", []byte(body)) })
	c, err := New(Config{APIKey: fzSecret})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, code uint16, retryAfter string, body []byte) {
		status := outboundtest.Status(code)
		e := checkResponse(fz.Response(status, retryAfter), body)
		if !outboundtest.NonSuccess(t, status, e) {
			return
		}
		assert.Equal(t, status, e.HTTPStatus)
		want := outbound.KindForStatus(status)
		switch {
		case status == http.StatusUnprocessableEntity && strings.Contains(strings.ToLower(e.Message), "must be unique"):
			want = outbound.KindConflict
		case status == http.StatusUnsupportedMediaType:
			want = outbound.KindBadInput
		}
		assert.Equal(t, want, e.Kind)
		assert.Equal(t, strings.TrimSpace(e.Code), e.Code)
		e.Vendor = Name // the client's Do fills it in, and scrubs
		fz.CheckError(t, c.Scrub(e), body)
	})
}

// FuzzDecodeReplies: every reply type decodes any bytes without panicking,
// and what decodes re-encodes stably: flexInt and flexBool read back their
// plain JSON form as the same value, a list (bare or first of an array)
// and a success reply survive a round trip through canonical JSON.
func FuzzDecodeReplies(f *testing.F) {
	for _, r := range fzReplies {
		f.Add([]byte(r.body))
	}
	fzCassettes(func(_ int, body string) { f.Add([]byte(body)) })
	for _, s := range []string{`"  17 "`, `"-0"`, `1e3`, `"1"`, `"False"`, `"\u0031"`, `-9223372036854775808`, `9.2233720368547758e18`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var n flexInt
		if json.Unmarshal(body, &n) == nil {
			var again flexInt
			require.NoError(t, json.Unmarshal([]byte(strconv.FormatInt(int64(n), 10)), &again))
			assert.Equal(t, n, again)
		}
		var b flexBool
		if json.Unmarshal(body, &b) == nil {
			var again flexBool
			require.NoError(t, json.Unmarshal([]byte(strconv.FormatBool(bool(b))), &again))
			assert.Equal(t, b, again)
		}

		var w wireList
		if outbound.DecodeJSON(body, &w) == nil {
			assert.Equal(t, w, fzCanonicalList(t, w))
		}
		var ws []wireList
		if outbound.DecodeJSON(body, &ws) == nil {
			for _, w := range ws {
				assert.Equal(t, w, fzCanonicalList(t, w))
			}
		}
		if one, found, err := decodeOneList(body); err == nil && found {
			assert.Equal(t, one, fzCanonicalList(t, one))
			var arr []wireList
			if json.Unmarshal(body, &arr) == nil {
				require.NotEmpty(t, arr)
				assert.Equal(t, arr[0], one, "an array reply is its first list")
			}
		}

		var sr successReply
		if outbound.DecodeJSON(body, &sr) == nil {
			m := map[string]any{"id": int64(sr.ID)}
			if sr.Success != nil {
				m["success"] = *sr.Success
			}
			enc, err := json.Marshal(m)
			require.NoError(t, err)
			var again successReply
			require.NoError(t, json.Unmarshal(enc, &again), "%s", enc)
			assert.Equal(t, sr, again)
			assert.Equal(t, sr.Success != nil && !*sr.Success, sr.check("op") != nil, "success:false, and only it, is refused")
		}
	})
}

// fzCanonicalList re-encodes w in plain JSON types and decodes it again.
func fzCanonicalList(t *testing.T, w wireList) wireList {
	t.Helper()
	enc, err := json.Marshal(map[string]any{"id": int64(w.ID), "name": w.Name, "enhanced": bool(w.Enhanced), "count": int64(w.Count)})
	require.NoError(t, err)
	var again wireList
	require.NoError(t, json.Unmarshal(enc, &again), "%s", enc)
	return again
}

// FuzzClient runs whole client calls, built with the real constructor,
// against a server answering with the fuzzed status, Retry-After and body
// (or a body cut short): every call either succeeds with a well-formed
// result or fails with an *outbound.Error that shows no key and no URL
// (Lists by name puts the name in the query string).
func FuzzClient(f *testing.F) {
	for i, r := range fzReplies {
		f.Add(uint8(i), uint16(r.status), r.retryAfter, []byte(r.body), i%9 == 4)
	}
	fzCassettes(func(status int, body string) { f.Add(uint8(status), uint16(status), "", []byte(body), false) })
	srv := outboundtest.NewServer(f, nil)
	c, err := New(Config{APIKey: fzSecret, BaseURL: srv.URL + "/v2/", HTTPClient: srv.Client})
	require.NoError(f, err)
	name := "safe_drivers"

	f.Fuzz(func(t *testing.T, op uint8, code uint16, retryAfter string, body []byte, truncate bool) {
		status := srv.Answer(code, retryAfter, body, truncate)
		ctx := context.Background()
		var err error
		switch op % 8 {
		case 0:
			var id int64
			if id, err = c.CreateList(ctx, name, true); err == nil {
				assert.Positive(t, id)
			}
		case 1, 2:
			q := ""
			if op%8 == 2 {
				q = "weekly specials?&x=1"
			}
			var lists []AccountList
			if lists, err = c.Lists(ctx, q); err == nil {
				require.NotNil(t, lists, "never nil")
			}
		case 3:
			var l *AccountList
			if l, err = c.GetList(ctx, 7); err == nil {
				require.NotNil(t, l)
				assert.NotZero(t, l.ID)
			}
		case 4:
			var lc *ListCount
			if lc, err = c.CountList(ctx, 7); err == nil {
				require.NotNil(t, lc)
				assert.NotZero(t, lc.ID)
			}
		case 5:
			var l *AccountList
			if l, err = c.UpdateList(ctx, 7, ListUpdate{Name: &name}); err == nil {
				require.NotNil(t, l)
				assert.NotZero(t, l.ID)
			}
		case 6:
			err = c.ClearList(ctx, 7)
		case 7:
			err = c.DeleteList(ctx, 7)
		}
		if err == nil {
			return
		}
		fz.CheckCallError(t, err, body, status)
	})
}
