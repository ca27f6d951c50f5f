package outbound_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

func newClient(t *testing.T, base string, secrets ...string) *outbound.Client {
	t.Helper()
	u, err := outbound.ParseBaseURL(base)
	require.NoError(t, err)
	return &outbound.Client{BaseURL: u, Vendor: outbound.Vendor{Name: "acme"}, HTTPClient: http.DefaultClient, Secrets: outbound.NewSecrets(secrets...)}
}

func TestClientNewRequest(t *testing.T) {
	c := newClient(t, "http://vendor.test/prefix?dropped=1")
	ctx := context.Background()

	_, err := c.NewRequest(ctx, "op", http.MethodGet, "/v1/x", nil, nil)
	require.Error(t, err, "an absolute path would drop the prefix")
	assert.Contains(t, err.Error(), "acme: ")

	req, err := c.NewRequest(ctx, "list things", http.MethodGet, "v1/things?a=1", url.Values{"b": {"x&y"}, "c": {"1", "2"}}, nil)
	require.NoError(t, err)
	assert.Equal(t, "http://vendor.test/prefix/v1/things?a=1&b=x%26y&c=1&c=2", req.URL.String())
	assert.Equal(t, "list things", outbound.OperationFrom(req.Context()))
	assert.Equal(t, "application/json", req.Header.Get("Accept"))
	assert.Empty(t, req.Header.Get("Content-Type"))
	assert.Nil(t, req.Body)

	req, err = c.NewRequest(ctx, "", http.MethodPost, "v1/things", nil, map[string]string{"name": "a&b<c>"})
	require.NoError(t, err)
	assert.Empty(t, outbound.OperationFrom(req.Context()))
	assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
	b, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	assert.Equal(t, `{"name":"a&b<c>"}`, string(b))
	require.NotNil(t, req.GetBody, "a JSON body can be replayed")
}

func TestClientDoNamesTheOperation(t *testing.T) {
	v := newVendor(t, func(w http.ResponseWriter, _ *http.Request, _ int) { w.WriteHeader(http.StatusNotFound) })
	c := newClient(t, v.URL+"/prefix/")
	ctx := context.Background()

	req, err := c.NewRequest(ctx, "get thing", http.MethodGet, "v1/things/1", nil, nil)
	require.NoError(t, err)
	var e *outbound.Error
	require.ErrorAs(t, c.Do(ctx, req, nil), &e)
	assert.Equal(t, "get thing", e.Operation)
	assert.Equal(t, "acme", e.Vendor)
	assert.Equal(t, outbound.KindNotFound, e.Kind, "status codes only without a vendor Check")

	req, err = c.NewRequest(ctx, "", http.MethodGet, "v1/things/1", nil, nil)
	require.NoError(t, err)
	require.ErrorAs(t, c.Do(ctx, req, nil), &e)
	assert.Equal(t, "GET v1/things/1", e.Operation, "no name: method and relative path")

	require.Error(t, c.Do(nil, req, nil)) //nolint:staticcheck // a nil context is refused, not a panic
}

func TestClientScrub(t *testing.T) {
	const key, secret, token = "key-123", "s3cr&t/+x", "tok-abc"
	c := newClient(t, "http://vendor.test/", key, secret)
	c.Secrets.AddBasic("client", secret)
	c.Secrets.AddBasic(key, "")
	c.Secrets.AddRotating(token)
	basicRaw := base64.StdEncoding.EncodeToString([]byte("client:" + secret))
	basicEnc := base64.StdEncoding.EncodeToString([]byte("client:" + url.QueryEscape(secret)))
	basicKey := base64.StdEncoding.EncodeToString([]byte(key + ":"))
	all := []string{key, secret, url.QueryEscape(secret), basicRaw, basicEnc, basicKey, token}

	cause := &url.Error{Op: "Get", URL: "x", Err: syscall.ECONNRESET}
	text := "echo " + strings.Join(all, " | ")
	e := &outbound.Error{Vendor: "acme", Code: "code " + key, Message: text, Err: errors.Join(errors.New(text), cause)}
	err := c.Scrub(e)
	for _, s := range all {
		assert.NotContains(t, err.Error(), s)
		assert.NotContains(t, e.Message, s)
		assert.NotContains(t, e.Code, s)
		assert.NotContains(t, e.Err.Error(), s)
	}
	assert.Contains(t, e.Message, "REDACTED")
	assert.Equal(t, "code REDACTED", e.Code)
	assert.ErrorIs(t, err, syscall.ECONNRESET, "the cause stays unwrappable")

	// Scrubbed first, then cut: a key across the cut cannot leak its head.
	long := &outbound.Error{Message: strings.Repeat("é", 248) + "x" + key} // the key from byte 497: cut first, "key" would stay
	_ = c.Scrub(long)
	assert.LessOrEqual(t, len(long.Message), outbound.MaxMessage+len("…"))
	assert.NotContains(t, long.Message, key[:3])
	assert.True(t, strings.HasSuffix(long.Message, "…"))

	// Only the last few run-time tokens are kept.
	for i := range 20 {
		c.Secrets.AddRotating("old-token-" + strings.Repeat("x", i))
	}
	assert.False(t, c.Secrets.In(token), "an old token is forgotten")
	assert.True(t, c.Secrets.In(key), "configured credentials are not")
	assert.Equal(t, "plain", c.Secrets.Replace("plain"))
	var none *outbound.Secrets
	assert.Equal(t, key, none.Replace(key), "a nil set holds nothing")
}

// TestDecodeJSONRefusesWhatIsNotOneValue: a reply cut mid-way or followed
// by anything but whitespace is an error, not a half-used value.
func TestDecodeJSONRefusesWhatIsNotOneValue(t *testing.T) {
	for name, tc := range map[string]struct {
		body string
		ok   bool
	}{
		"one value":           {`{"a":1}`, true},
		"trailing whitespace": {"{\"a\":1}\n ", true},
		"trailing value":      {`{"a":1} {}`, false},
		"trailing garbage":    {`{"a":1} x`, false},
		"cut mid-way":         {`{"a":`, false},
		"empty":               {``, false},
	} {
		t.Run(name, func(t *testing.T) {
			var v struct{ A int }
			err := outbound.DecodeJSON([]byte(tc.body), &v)
			if tc.ok {
				require.NoError(t, err)
				assert.Equal(t, 1, v.A)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), "decode reply")
		})
	}
}
