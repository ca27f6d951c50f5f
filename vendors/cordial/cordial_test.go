package cordial

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/internal/base/outbound/outboundtest"
	"github.com/switchyard/switchyard/vendors/cordial/cordialsim"
)

// testKey is recognisable so a leak into any error text is caught.
const testKey = "KEY-SECRET-123"

// setup serves a fresh simulator (demo data, testKey) under a non-empty
// path prefix, so every test also proves paths resolve relative to the
// base URL: an absolute "/v2/..." would miss the prefix and get the
// StripPrefix 404 without reaching the simulator at all.
func setup(t *testing.T) (*Client, *cordialsim.Server) {
	t.Helper()
	sim, err := cordialsim.New(cordialsim.Options{NoListener: true, APIKey: testKey})
	require.NoError(t, err)
	ts := httptest.NewServer(http.StripPrefix("/prefix", sim.Handler()))
	t.Cleanup(ts.Close)
	c, err := New(Config{APIKey: testKey, BaseURL: ts.URL + "/prefix"})
	require.NoError(t, err)
	return c, sim
}

// requireVendorError asserts err is an *outbound.Error of kind and that no
// form of the key appears in its text.
func requireVendorError(t *testing.T, err error, kind outbound.Kind) *outbound.Error {
	t.Helper()
	require.Error(t, err)
	var oe *outbound.Error
	require.True(t, errors.As(err, &oe), "want *outbound.Error, got %T: %v", err, err)
	assert.Equal(t, kind, oe.Kind, "error: %v", err)
	assert.Equal(t, "cordial", oe.Vendor)
	assertNoSecret(t, err)
	return oe
}

func assertNoSecret(t *testing.T, err error) {
	t.Helper()
	text := err.Error()
	assert.NotContains(t, text, testKey)
	assert.NotContains(t, text, base64.StdEncoding.EncodeToString([]byte(testKey+":")))
}

func TestNewConfig(t *testing.T) {
	_, err := New(Config{})
	oe := requireVendorError(t, err, outbound.KindNotConfigured)
	assert.Equal(t, "configure", oe.Operation)

	c, err := New(Config{APIKey: testKey})
	require.NoError(t, err)
	assert.Equal(t, DefaultBaseURL, c.BaseURL.String())

	for _, tc := range []struct{ in, want string }{
		{"https://api.usw2.cordial.io/v2/", "https://api.usw2.cordial.io/"},
		{"https://api.usw2.cordial.io/v2", "https://api.usw2.cordial.io/"},
		{"http://127.0.0.1:9090/cordial", "http://127.0.0.1:9090/cordial/"},
		{"http://127.0.0.1:9090/cordialv2/", "http://127.0.0.1:9090/cordialv2/"},
	} {
		c, err := New(Config{APIKey: testKey, BaseURL: tc.in})
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, c.BaseURL.String(), tc.in)
	}

	for _, bad := range []string{"ftp://x/", "://nope", "http:///path"} {
		_, err := New(Config{APIKey: testKey, BaseURL: bad})
		assert.Error(t, err, bad)
	}
}

// TestAuthTransport checks the exact credentials on the wire (the
// simulator's recorder redacts them) and that the caller's transport is
// the one used, untouched.
func TestAuthTransport(t *testing.T) {
	var got *http.Request
	base := outboundtest.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
		got = r
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(`[]`)), Request: r}, nil
	})
	c, err := New(Config{APIKey: testKey, BaseURL: "http://cordial.test/", HTTPClient: &http.Client{Transport: base}})
	require.NoError(t, err)

	req, err := c.NewRequest(context.Background(), "list lists", http.MethodGet, "v2/accountlists", nil, nil)
	require.NoError(t, err)
	require.NoError(t, c.Do(context.Background(), req, nil))
	require.NotNil(t, got)
	assert.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte(testKey+":")), got.Header.Get("Authorization"))
	user, pass, ok := got.BasicAuth()
	assert.True(t, ok)
	assert.Equal(t, testKey, user)
	assert.Equal(t, "", pass)
	assert.Equal(t, "application/json", got.Header.Get("Accept"))
	assert.Empty(t, got.Header.Get("Content-Type"), "no body, no content type")
	assert.Empty(t, req.Header.Get("Authorization"), "the caller's request is not modified")
}

func TestNewRequest(t *testing.T) {
	c, err := New(Config{APIKey: testKey, BaseURL: "http://cordial.test/base"})
	require.NoError(t, err)

	_, err = c.NewRequest(context.Background(), "list lists", http.MethodGet, "/v2/accountlists", nil, nil)
	assert.Error(t, err, "absolute paths would escape the prefix")

	req, err := c.NewRequest(context.Background(), "create list", http.MethodPost, "v2/accountlists", nil, listBody{Name: "a&b<c>", Enhanced: true})
	require.NoError(t, err)
	assert.Equal(t, "http://cordial.test/base/v2/accountlists", req.URL.String())
	assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
	b, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	assert.Equal(t, `{"name":"a&b<c>","enhanced":true}`, string(b))
}

func TestWrongKeyIsAuth(t *testing.T) {
	_, sim := setup(t)
	ts := httptest.NewServer(sim.Handler())
	defer ts.Close()
	c, err := New(Config{APIKey: "KEY-SECRET-123-wrong", BaseURL: ts.URL})
	require.NoError(t, err)

	_, err = c.Lists(context.Background(), "")
	oe := requireVendorError(t, err, outbound.KindAuth)
	assert.Equal(t, http.StatusUnauthorized, oe.HTTPStatus)
	assert.Equal(t, "Access Denied: Authentication Failure", oe.Message)
	assert.Empty(t, oe.Code)
	assert.False(t, oe.Retryable)
	assert.NotContains(t, err.Error(), "KEY-SECRET-123-wrong")
}

func TestClosedServerIsUnavailable(t *testing.T) {
	ts := httptest.NewServer(http.NotFoundHandler())
	base := ts.URL + "/prefix"
	ts.Close()
	c, err := New(Config{APIKey: testKey, BaseURL: base})
	require.NoError(t, err)

	_, err = c.GetList(context.Background(), 1)
	oe := requireVendorError(t, err, outbound.KindUnavailable)
	assert.True(t, oe.Retryable)
	assert.Zero(t, oe.HTTPStatus)
	assert.Equal(t, "get list", oe.Operation)
	assert.NotContains(t, err.Error(), base, "no URL in the text")
}

func TestCanceledContext(t *testing.T) {
	c, _ := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Lists(ctx, "")
	oe := requireVendorError(t, err, outbound.KindTimeout)
	assert.False(t, oe.Retryable)
}
