package ortto_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/vendors/ortto"
	"github.com/switchyard/switchyard/vendors/ortto/orttosim"
)

// secretKey is recognisable so that a leak into any error text is caught.
const secretKey = "KEY-SECRET-123"

// Demo ids from the simulator's data.
var (
	mainIDs = []string{"106905f9252dad244f055800", "106904f4fd2dad244ea03100", "10690a1b3c2dad244f0a1200", "10690a2c4d2dad244f0b2300"}
	archIDs = []string{"10690a3d5e2dad244f0c3400", "10690a4e6f2dad244f0d4500"}
)

// env is a client talking over loopback HTTP to a simulator mounted under
// a path prefix, so that every test also proves base-path handling.
type env struct {
	sim    *orttosim.Server
	client *ortto.Client
	ts     *httptest.Server
}

func newEnv(t *testing.T, cfg ortto.Config) *env {
	t.Helper()
	sim, err := orttosim.New(orttosim.Options{NoListener: true, APIKey: secretKey})
	require.NoError(t, err)
	return newEnvWith(t, sim, http.StripPrefix("/prefix", sim.Handler()), cfg)
}

func newEnvWith(t *testing.T, sim *orttosim.Server, h http.Handler, cfg ortto.Config) *env {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	if cfg.APIKey == "" {
		cfg.APIKey = secretKey
	}
	cfg.BaseURL = ts.URL + "/prefix"
	c, err := ortto.New(cfg)
	require.NoError(t, err)
	return &env{sim: sim, client: c, ts: ts}
}

// vendorError asserts err is an *outbound.Error for Ortto whose text does
// not leak the key, and returns it.
func vendorError(t *testing.T, err error) *outbound.Error {
	t.Helper()
	require.Error(t, err)
	var e *outbound.Error
	require.True(t, errors.As(err, &e), "want *outbound.Error, got %T: %v", err, err)
	assert.Equal(t, "ortto", e.Vendor)
	assert.NotContains(t, err.Error(), secretKey)
	assert.NotContains(t, e.Message, secretKey)
	return e
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		cfg     ortto.Config
		want    string
		wantErr string
	}{
		{name: "default region", cfg: ortto.Config{APIKey: secretKey}, want: "https://api.ap3api.com/"},
		{name: "au", cfg: ortto.Config{APIKey: secretKey, Region: "au"}, want: "https://api.au.ap3api.com/"},
		{name: "eu upper case", cfg: ortto.Config{APIKey: secretKey, Region: "EU"}, want: "https://api.eu.ap3api.com/"},
		{name: "base URL overrides region", cfg: ortto.Config{APIKey: secretKey, Region: "au", BaseURL: "http://127.0.0.1:9090/ortto"}, want: "http://127.0.0.1:9090/ortto/"},
		{name: "unknown region", cfg: ortto.Config{APIKey: secretKey, Region: "us"}, wantErr: "unknown region"},
		{name: "missing key", cfg: ortto.Config{}, wantErr: "api key"},
		{name: "blank key", cfg: ortto.Config{APIKey: "  "}, wantErr: "api key"},
		{name: "bad scheme", cfg: ortto.Config{APIKey: secretKey, BaseURL: "ftp://example.com/"}, wantErr: "http or https"},
		{name: "no host", cfg: ortto.Config{APIKey: secretKey, BaseURL: "http:///x"}, wantErr: "no host"},
		{name: "unparsable", cfg: ortto.Config{APIKey: secretKey, BaseURL: "http://[::1"}, wantErr: "base URL"},
		{name: "batch too large", cfg: ortto.Config{APIKey: secretKey, BatchSize: 101}, wantErr: "batch size"},
		{name: "negative batch", cfg: ortto.Config{APIKey: secretKey, BatchSize: -1}, wantErr: "batch size"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ortto.New(tc.cfg)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				assert.NotContains(t, err.Error(), secretKey)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, c.BaseURL.String())
		})
	}
}

func TestRequestHeadersAndAuthOnlyInTransport(t *testing.T) {
	e := newEnv(t, ortto.Config{})
	_, err := e.client.ArchiveAccounts(context.Background(), ortto.AccountSelection{InclusionIDs: mainIDs[:1]})
	require.NoError(t, err)
	entries := e.sim.Recorder().Entries()
	require.Len(t, entries, 1)
	assert.Equal(t, "application/json", entries[0].Headers["Content-Type"])
	assert.Equal(t, "REDACTED", entries[0].Headers["X-Api-Key"], "the key is sent (and redacted by the recorder)")

	// The request NewRequest builds carries no key: auth lives only in the
	// transport.
	req, err := e.client.NewRequest(context.Background(), "archive accounts", http.MethodPut, "v1/accounts/archive", nil, ortto.AccountSelection{InclusionIDs: mainIDs[:1]})
	require.NoError(t, err)
	assert.Empty(t, req.Header.Get("X-Api-Key"))
	assert.Equal(t, "/prefix/v1/accounts/archive", req.URL.Path)
}

func TestWrongKeyIsAuth(t *testing.T) {
	sim, err := orttosim.New(orttosim.Options{NoListener: true, APIKey: "the-right-key"})
	require.NoError(t, err)
	e := newEnvWith(t, sim, http.StripPrefix("/prefix", sim.Handler()), ortto.Config{})
	_, err = e.client.ArchiveAccounts(context.Background(), ortto.AccountSelection{InclusionIDs: mainIDs[:1]})
	ve := vendorError(t, err)
	assert.Equal(t, outbound.KindAuth, ve.Kind)
	assert.Equal(t, 401, ve.HTTPStatus)
	assert.Equal(t, "Invalid API key", ve.Message)
	assert.Equal(t, "archive accounts", ve.Operation)
	assert.False(t, ve.Retryable)

	_, err = e.client.Subscriptions(context.Background(), []ortto.PersonRef{{Email: "ada.lovelace@example.com"}})
	assert.Equal(t, outbound.KindAuth, vendorError(t, err).Kind)
}

func TestErrorStatusMapping(t *testing.T) {
	tests := []struct {
		status     int
		retryAfter int
		kind       outbound.Kind
		retryable  bool
		wantAfter  time.Duration
		code, msg  string
	}{
		{status: 400, kind: outbound.KindBadInput, msg: "simulated fault"},
		{status: 401, kind: outbound.KindAuth, msg: "simulated fault"},
		{status: 403, kind: outbound.KindAuth, msg: "simulated fault"},
		{status: 404, kind: outbound.KindNotFound, msg: "simulated fault"},
		{status: 429, retryAfter: 7, kind: outbound.KindRateLimited, retryable: true, wantAfter: 7 * time.Second, code: "rate-limit", msg: "rate limit"},
		{status: 500, kind: outbound.KindUpstream, msg: "simulated fault"},
		{status: 502, kind: outbound.KindUnavailable, retryable: true, msg: "simulated fault"},
		{status: 503, retryAfter: 2, kind: outbound.KindUnavailable, retryable: true, wantAfter: 2 * time.Second, msg: "simulated fault"},
		{status: 504, kind: outbound.KindUnavailable, retryable: true, msg: "simulated fault"},
	}
	for _, tc := range tests {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			e := newEnv(t, ortto.Config{})
			e.sim.Faults().Set(simkit.Fault{Vendor: "ortto", Status: tc.status, RetryAfterSeconds: tc.retryAfter})

			_, err := e.client.DeleteAccounts(context.Background(), ortto.AccountSelection{InclusionIDs: archIDs})
			ve := vendorError(t, err)
			assert.Equal(t, tc.kind, ve.Kind, ve.Kind.String())
			assert.Equal(t, tc.status, ve.HTTPStatus)
			assert.Equal(t, tc.retryable, ve.Retryable)
			assert.Equal(t, tc.wantAfter, ve.RetryAfter)
			assert.Equal(t, tc.code, ve.Code, "a numeric code equal to the status is not repeated as Code")
			assert.Equal(t, tc.msg, ve.Message)
			assert.Equal(t, "delete accounts", ve.Operation)
			assert.Equal(t, archIDs, ve.IDs, "the ids of the failed call are reported")

			_, err = e.client.Subscriptions(context.Background(), []ortto.PersonRef{{Email: "ada.lovelace@example.com"}})
			ve = vendorError(t, err)
			assert.Equal(t, tc.kind, ve.Kind)
			assert.Equal(t, "get subscriptions", ve.Operation)
		})
	}
}

// TestRateLimitBody proves try-in-seconds is read from Ortto's body when no
// Retry-After header is sent (as Ortto documents), and wins over one.
func TestRateLimitBody(t *testing.T) {
	for _, header := range []string{"", "3"} {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if header != "" {
				w.Header().Set("Retry-After", header)
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(429)
			_, _ = w.Write([]byte(`{"error":{"code":"rate-limit","message":"rate limit","try-in-seconds":10}}`))
		}))
		c, err := ortto.New(ortto.Config{APIKey: secretKey, BaseURL: ts.URL})
		require.NoError(t, err)
		_, err = c.ArchiveAccounts(context.Background(), ortto.AccountSelection{AllRowsSelected: true})
		ts.Close()
		ve := vendorError(t, err)
		assert.Equal(t, outbound.KindRateLimited, ve.Kind)
		assert.True(t, ve.Retryable)
		assert.Equal(t, 10*time.Second, ve.RetryAfter, "header %q", header)
		assert.Equal(t, "rate-limit", ve.Code)
		assert.Equal(t, "rate limit", ve.Message)
	}
}

// TestNonJSONErrorBody covers a failure page from something in front of
// Ortto: the status still classifies it.
func TestNonJSONErrorBody(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "4")
		w.WriteHeader(503)
		_, _ = w.Write([]byte(`<html>Service Unavailable</html>`))
	}))
	defer ts.Close()
	c, err := ortto.New(ortto.Config{APIKey: secretKey, BaseURL: ts.URL})
	require.NoError(t, err)
	_, err = c.RestoreAccounts(context.Background(), ortto.AccountSelection{AllRowsSelected: true})
	ve := vendorError(t, err)
	assert.Equal(t, outbound.KindUnavailable, ve.Kind)
	assert.Equal(t, 4*time.Second, ve.RetryAfter)
	assert.Empty(t, ve.Message)
}

func TestMalformedReplyIsUpstream(t *testing.T) {
	e := newEnv(t, ortto.Config{})
	e.sim.Faults().Set(simkit.Fault{Vendor: "ortto", Malformed: true})
	_, err := e.client.ArchiveAccounts(context.Background(), ortto.AccountSelection{InclusionIDs: mainIDs[:1]})
	ve := vendorError(t, err)
	assert.Equal(t, outbound.KindUpstream, ve.Kind)
	assert.Equal(t, 200, ve.HTTPStatus)

	_, err = e.client.Subscriptions(context.Background(), []ortto.PersonRef{{PersonID: "00650c1e8a2f4b6d3e9a1c00"}})
	assert.Equal(t, outbound.KindUpstream, vendorError(t, err).Kind)
}

func TestClosedServerIsUnavailable(t *testing.T) {
	e := newEnv(t, ortto.Config{})
	e.ts.Close()
	_, err := e.client.ArchiveAccounts(context.Background(), ortto.AccountSelection{InclusionIDs: mainIDs[:1]})
	ve := vendorError(t, err)
	assert.Equal(t, outbound.KindUnavailable, ve.Kind)
	assert.True(t, ve.Retryable)
	assert.Equal(t, 0, ve.HTTPStatus)
	assert.Equal(t, mainIDs[:1], ve.IDs)
	assert.NotContains(t, err.Error(), e.ts.URL, "no URL in the error text")
}

func TestCancelledContext(t *testing.T) {
	e := newEnv(t, ortto.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.client.Subscriptions(ctx, []ortto.PersonRef{{Email: "ada.lovelace@example.com"}})
	ve := vendorError(t, err)
	assert.Equal(t, outbound.KindTimeout, ve.Kind)
	assert.False(t, ve.Retryable)
	assert.Zero(t, e.sim.Recorder().Count("ortto"))
}

func TestNewRequestAndDo(t *testing.T) {
	e := newEnv(t, ortto.Config{})
	ctx := context.Background()

	_, err := e.client.NewRequest(ctx, "archive accounts", http.MethodPut, "/v1/accounts/archive", nil, nil)
	require.Error(t, err, "an absolute path would drop the base URL's prefix")
	assert.Contains(t, err.Error(), "relative")

	req, err := e.client.NewRequest(ctx, "", http.MethodGet, "v1/nope", nil, nil)
	require.NoError(t, err)
	err = e.client.Do(ctx, req, nil)
	ve := vendorError(t, err)
	assert.Equal(t, outbound.KindNotFound, ve.Kind)
	assert.Equal(t, "Unknown endpoint or method", ve.Message)
	assert.Equal(t, "GET v1/nope", ve.Operation)

	req, err = e.client.NewRequest(ctx, "archive accounts", http.MethodPost, "v1/accounts/archive", nil, map[string]any{"inclusion_ids": mainIDs[:1]})
	require.NoError(t, err)
	ve = vendorError(t, e.client.Do(ctx, req, nil))
	assert.Equal(t, "archive accounts", ve.Operation, "the operation NewRequest named")
	assert.Equal(t, 405, ve.HTTPStatus)
	assert.Equal(t, outbound.KindUpstream, ve.Kind)

	req, err = e.client.NewRequest(ctx, "archive accounts", http.MethodPut, "v1/accounts/archive", nil, map[string]any{"inclusion_ids": mainIDs[:1]})
	require.NoError(t, err)
	var raw map[string]int
	require.NoError(t, e.client.Do(ctx, req, &raw))
	assert.Equal(t, map[string]int{"scheduled_organizations": 0, "archived_organizations": 1}, raw)
	assert.True(t, strings.HasPrefix(e.sim.Recorder().Entries()[0].Path, "/v1/"))
}
