package cordial

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/internal/base/simkit"
)

// TestErrorMapping drives every failure through the simulator over HTTP
// and checks the kind, status, code and message the caller sees.
func TestErrorMapping(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		fault     *simkit.Fault
		call      func(c *Client) error
		kind      outbound.Kind
		status    int
		code      string
		message   string
		retryable bool
		after     time.Duration
	}{
		{name: "duplicate name", call: func(c *Client) error { _, err := c.CreateList(ctx, "vip-customers", true); return err },
			kind: outbound.KindConflict, status: 422, code: "GENERIC_ERROR_KEY", message: "Name must be unique"},
		{name: "rename onto a taken name", call: func(c *Client) error {
			_, err := c.UpdateList(ctx, 2, ListUpdate{Name: ptr("vip-customers"), Enhanced: ptr(false)})
			return err
		}, kind: outbound.KindConflict, status: 422, code: "GENERIC_ERROR_KEY", message: "Name must be unique"},
		{name: "invalid name", call: func(c *Client) error { _, err := c.CreateList(ctx, "safe drivers", true); return err },
			kind: outbound.KindBadInput, status: 422, code: "GENERIC_ERROR_KEY", message: "Name must contain only letters, numbers, and dashes. Should not exceed 128 characters."},
		{name: "reserved name", call: func(c *Client) error { _, err := c.CreateList(ctx, "cid", true); return err },
			kind: outbound.KindBadInput, status: 422, code: "GENERIC_ERROR_KEY", message: "cid is not allowed for list names."},
		{name: "invalid rename", call: func(c *Client) error {
			_, err := c.UpdateList(ctx, 2, ListUpdate{Name: ptr(""), Enhanced: ptr(false)})
			return err
		}, kind: outbound.KindBadInput, status: 422, code: "GENERIC_ERROR_KEY"},
		{name: "get unknown", call: func(c *Client) error { _, err := c.GetList(ctx, 999); return err },
			kind: outbound.KindNotFound, status: 404, code: "ACCOUNT_LISTS_NOT_FOUND", message: "List does not exist"},
		{name: "count unknown", call: func(c *Client) error { _, err := c.CountList(ctx, 999); return err },
			kind: outbound.KindNotFound, status: 404, code: "ACCOUNT_LISTS_NOT_FOUND", message: "List does not exist"},
		{name: "put unknown", call: func(c *Client) error {
			_, err := c.UpdateList(ctx, 999, ListUpdate{Name: ptr("x"), Enhanced: ptr(true)})
			return err
		}, kind: outbound.KindNotFound, status: 404, code: "GENERIC_ERROR_KEY", message: "List is not found"},
		{name: "clear unknown", call: func(c *Client) error { return c.ClearList(ctx, 999) },
			kind: outbound.KindNotFound, status: 404, code: "ACCOUNT_LISTS_NOT_FOUND", message: "List does not exist"},
		{name: "delete unknown", call: func(c *Client) error { return c.DeleteList(ctx, 999) },
			kind: outbound.KindNotFound, status: 404, code: "RECORD_NOT_FOUND", message: "record not found"},
		{name: "unsupported media type", call: func(c *Client) error {
			req, err := http.NewRequest(http.MethodPost, c.BaseURL.String()+"v2/accountlists", strings.NewReader(`name=x`))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "text/plain")
			return c.Do(ctx, req, nil)
		}, kind: outbound.KindBadInput, status: 415, code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "429 with Retry-After", fault: &simkit.Fault{Status: 429, RetryAfterSeconds: 2},
			call: func(c *Client) error { _, err := c.Lists(ctx, ""); return err },
			kind: outbound.KindRateLimited, status: 429, code: "SIMULATED_FAULT", message: "simulated fault", retryable: true, after: 2 * time.Second},
		{name: "503", fault: &simkit.Fault{Status: 503, RetryAfterSeconds: 1},
			call: func(c *Client) error { _, err := c.GetList(ctx, 1); return err },
			kind: outbound.KindUnavailable, status: 503, code: "SIMULATED_FAULT", retryable: true, after: time.Second},
		{name: "500", fault: &simkit.Fault{Status: 500},
			call: func(c *Client) error { _, err := c.CreateList(ctx, "x", false); return err },
			kind: outbound.KindUpstream, status: 500, code: "SIMULATED_FAULT"},
		{name: "403", fault: &simkit.Fault{Status: 403},
			call: func(c *Client) error { return c.DeleteList(ctx, 1) },
			kind: outbound.KindAuth, status: 403, code: "SIMULATED_FAULT"},
		{name: "malformed reply", fault: &simkit.Fault{Malformed: true},
			call: func(c *Client) error { _, err := c.CountList(ctx, 1); return err },
			kind: outbound.KindUpstream, status: 200, message: "malformed reply"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, sim := setup(t)
			if tc.fault != nil {
				f := *tc.fault
				f.Vendor = "cordial"
				sim.Faults().Set(f)
			}
			err := tc.call(c)
			oe := requireVendorError(t, err, tc.kind)
			assert.Equal(t, tc.status, oe.HTTPStatus)
			assert.Equal(t, tc.code, oe.Code)
			if tc.message != "" {
				assert.Equal(t, tc.message, oe.Message)
			}
			assert.Equal(t, tc.retryable, oe.Retryable)
			assert.Equal(t, tc.after, oe.RetryAfter)
			assert.NotEmpty(t, oe.Operation)
		})
	}
}

// TestCheckResponseBodies feeds checkResponse the error bodies Cordial's
// spec and recordings show, including the ones whose "error" is a string.
func TestCheckResponseBodies(t *testing.T) {
	for _, tc := range []struct {
		name    string
		status  int
		body    string
		kind    outbound.Kind
		code    string
		message string
	}{
		{"auth (error is a string)", 401, `{"error":"Access Denied: Authentication Failure"}`, outbound.KindAuth, "", "Access Denied: Authentication Failure"},
		{"duplicate", 422, `{"error":true,"errorKey":"GENERIC_ERROR_KEY","message":"Name must be unique"}`, outbound.KindConflict, "GENERIC_ERROR_KEY", "Name must be unique"},
		{"invalid name", 422, `{"error":true,"errorKey":"GENERIC_ERROR_KEY","message":"Name must contain only letters, numbers and dashes and should not exceed 128 characters"}`, outbound.KindBadInput, "GENERIC_ERROR_KEY", "Name must contain only letters, numbers and dashes and should not exceed 128 characters"},
		{"not exist", 404, `{"error":true,"errorKey":"ACCOUNT_LISTS_NOT_FOUND","message":"List does not exist"}`, outbound.KindNotFound, "ACCOUNT_LISTS_NOT_FOUND", "List does not exist"},
		{"no errorKey", 404, `{"error":true,"message":"record not found"}`, outbound.KindNotFound, "", "record not found"},
		{"validation errors object", 422, `{"error":true,"messages":{"validationErrors":{"b":["B is bad."],"a":["The a field is required.","Twice."]}}}`, outbound.KindBadInput, "", "a: The a field is required.; a: Twice.; b: B is bad."},
		{"messages string", 422, `{"error":true,"messages":"ID must be unique"}`, outbound.KindConflict, "", "ID must be unique"},
		{"415", 415, `{"error":true,"errorKey":"UNSUPPORTED_MEDIA_TYPE","message":"x"}`, outbound.KindBadInput, "UNSUPPORTED_MEDIA_TYPE", "x"},
		{"400 invalid json", 400, `{"error":true,"errorKey":"INVALID_JSON_PROVIDED","message":"Invalid JSON provided"}`, outbound.KindBadInput, "INVALID_JSON_PROVIDED", "Invalid JSON provided"},
		{"html 502", 502, `<html>bad gateway</html>`, outbound.KindUnavailable, "", ""},
		{"empty 500", 500, ``, outbound.KindUpstream, "", ""},
		{"429", 429, `{}`, outbound.KindRateLimited, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := checkResponse(&http.Response{StatusCode: tc.status, Header: http.Header{}}, []byte(tc.body))
			require.NotNil(t, e)
			assert.Equal(t, tc.kind, e.Kind)
			assert.Equal(t, tc.status, e.HTTPStatus)
			assert.Equal(t, tc.code, e.Code)
			assert.Equal(t, tc.message, e.Message)
		})
	}
	assert.Nil(t, checkResponse(&http.Response{StatusCode: 200}, []byte(`{}`)))

	c, err := New(Config{APIKey: testKey})
	require.NoError(t, err)
	var long *outbound.Error
	require.ErrorAs(t, c.Scrub(checkResponse(&http.Response{StatusCode: 400, Header: http.Header{}}, []byte(`{"message":"`+strings.Repeat("m", 5000)+`"}`))), &long)
	assert.LessOrEqual(t, len(long.Message), outbound.MaxMessage+len("…"), "vendor messages are bounded by the client")
}

// TestRecordedErrorBodies runs the error bodies recorded from the live
// Cordial API (MeUndies/cordial VCR cassettes) through checkResponse.
func TestRecordedErrorBodies(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "fixtures", "cordial", "vcr")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("recorded Cordial fixtures not available at %s: %v", dir, err)
	}
	want := map[string]struct {
		kind    outbound.Kind
		message string
	}{
		"returns_record_not_found_response.yml":                 {outbound.KindNotFound, "record not found"},
		"has_the_correct_payload.yml":                           {outbound.KindBadInput, "first_name: key first_name is not part of the schema for this resource"},
		"does_not_create_the_activity_in_Cordial.yml":           {outbound.KindBadInput, "a: The a field is required."},
		"complains_that_order_has_already_been_created.yml":     {outbound.KindConflict, "ID must be unique"},
		"when_the_key_is_not_found/returns_a_message_error.yml": {outbound.KindUpstream, "an error has occurred"},
		"when_the_key_is_empty/returns_a_message_error.yml":     {outbound.KindNotFound, "'/v1/automationtemplates//send' is not found."},
	}
	seen := 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yml") {
			return err
		}
		raw, err := os.ReadFile(path)
		require.NoError(t, err)
		status, body := cassetteResponse(t, string(raw))
		if status < 400 {
			return nil
		}
		var exp *struct {
			kind    outbound.Kind
			message string
		}
		for suffix, w := range want {
			if strings.HasSuffix(filepath.ToSlash(path), suffix) {
				w := w
				exp = &w
			}
		}
		require.NotNil(t, exp, "no expectation for %s", path)
		e := checkResponse(&http.Response{StatusCode: status, Header: http.Header{}}, []byte(body))
		require.NotNil(t, e, path)
		assert.Equal(t, exp.kind, e.Kind, path)
		assert.Equal(t, exp.message, e.Message, path)
		seen++
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, len(want), seen, "every recorded error body was checked")
}

var codeRe = regexp.MustCompile(`(?m)^\s+code: (\d+)$`)

// cassetteResponse extracts the response status and body from a VCR
// cassette: just enough YAML (a single-quoted, possibly folded scalar) for
// these files, to avoid a YAML dependency.
func cassetteResponse(t *testing.T, doc string) (int, string) {
	t.Helper()
	i := strings.Index(doc, "\n  response:")
	require.GreaterOrEqual(t, i, 0, "no response in cassette")
	resp := doc[i:]
	m := codeRe.FindStringSubmatch(resp)
	require.NotNil(t, m, "no status code in cassette")
	status, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	j := strings.Index(resp, "\n    body:")
	require.GreaterOrEqual(t, j, 0, "no body in cassette")
	k := strings.Index(resp[j:], "string: '")
	require.GreaterOrEqual(t, k, 0, "body is not a single-quoted string")
	rest := resp[j+k+len("string: '"):]
	var b strings.Builder
	for n := 0; n < len(rest); n++ {
		c := rest[n]
		switch {
		case c == '\'' && n+1 < len(rest) && rest[n+1] == '\'':
			b.WriteByte('\'')
			n++
		case c == '\'':
			return status, b.String()
		case c == '\n':
			// A folded line break becomes one space; indentation goes.
			b.WriteByte(' ')
			for n+1 < len(rest) && rest[n+1] == ' ' {
				n++
			}
		default:
			b.WriteByte(c)
		}
	}
	t.Fatalf("unterminated body string in cassette")
	return 0, ""
}
