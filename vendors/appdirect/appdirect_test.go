package appdirect_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/vendors/appdirect"
	"github.com/switchyard/switchyard/vendors/appdirect/appdirectsim"
)

// testSecret is a recognisable fake secret: no error text may contain it.
const testSecret = "KEY-SECRET-123"

type env struct {
	sim    *appdirectsim.Server
	client *appdirect.Client
	base   string
}

// setup mounts the simulator under a path prefix, so every test also
// proves that the client resolves paths below the base URL.
func setup(t *testing.T, opts appdirectsim.Options, mutate ...func(*appdirect.Config)) env {
	t.Helper()
	opts.NoListener = true
	if opts.ClientSecret == "" {
		opts.ClientSecret = testSecret
	}
	sim, err := appdirectsim.New(opts)
	require.NoError(t, err)
	ts := httptest.NewServer(http.StripPrefix("/mp", sim.Handler()))
	t.Cleanup(ts.Close)
	cfg := appdirect.Config{BaseURL: ts.URL + "/mp", ClientID: appdirectsim.ClientID, ClientSecret: testSecret}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := appdirect.New(cfg)
	require.NoError(t, err)
	return env{sim: sim, client: c, base: ts.URL + "/mp"}
}

// requests returns the recorded requests, optionally only those to path.
// errOf drops the result of a call whose error alone is under test.
func errOf[T any](_ T, err error) error { return err }

func (e env) requests(path string) []simkit.Entry {
	var out []simkit.Entry
	for _, en := range e.sim.Recorder().Entries() {
		if path == "" || en.Path == path {
			out = append(out, en)
		}
	}
	return out
}

func vendorErr(t *testing.T, err error, kind outbound.Kind) *outbound.Error {
	t.Helper()
	require.Error(t, err)
	var e *outbound.Error
	require.True(t, errors.As(err, &e), "want *outbound.Error, got %T: %v", err, err)
	assert.Equal(t, kind, e.Kind, "error: %v", err)
	assert.Equal(t, "appdirect", e.Vendor)
	assert.NotContains(t, err.Error(), testSecret)
	assert.NotContains(t, err.Error(), "http://", "no URL in error text")
	return e
}

func TestNewValidatesConfig(t *testing.T) {
	cases := map[string]appdirect.Config{
		"no base":        {ClientID: "a", ClientSecret: testSecret},
		"bad scheme":     {BaseURL: "ftp://x", ClientID: "a", ClientSecret: testSecret},
		"no client id":   {BaseURL: "http://127.0.0.1:1/", ClientSecret: testSecret},
		"no secret":      {BaseURL: "http://127.0.0.1:1/", ClientID: "a"},
		"unparsable url": {BaseURL: "http://[::1", ClientID: "a", ClientSecret: testSecret},
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := appdirect.New(cfg)
			require.Error(t, err)
			assert.NotContains(t, err.Error(), testSecret)
		})
	}
	c, err := appdirect.New(appdirect.Config{BaseURL: "https://mp.example.com/prefix", ClientID: "a", ClientSecret: testSecret})
	require.NoError(t, err)
	assert.Equal(t, "https://mp.example.com/prefix/", c.BaseURL.String())
	_, err = c.NewRequest(context.Background(), "", http.MethodGet, "/api/absolute", nil, nil)
	assert.Error(t, err, "absolute paths would drop the base prefix")
}

func TestGetCompany(t *testing.T) {
	e := setup(t, appdirectsim.Options{})
	ctx := context.Background()

	co, err := e.client.GetCompany(ctx, appdirectsim.DemoGraceAccountID)
	require.NoError(t, err)
	want := &appdirect.Company{
		UUID: appdirectsim.DemoGraceAccountID, Name: "Harvard Mark Computing", Enabled: true, AllowLogin: true,
		Address:     &appdirect.Address{Street1: "1 Oxford Street", City: "Cambridge", State: "MA", Zip: "02138", Country: "US"},
		CompanySize: "51-200", CreationDate: time.Date(2021, 7, 19, 14, 2, 30, 0, time.UTC).UnixMilli(),
		Industry: "COMPUTER_HARDWARE", EmailAddress: "grace.hopper@example.com", Website: "https://harvard-mark.example.com",
		Vendor: true, ExternalID: "ext-grace-002", PhoneNumber: "+1 617 555 0102", DefaultRole: "USER",
		CountryCode: "US", Status: "ENABLED", CustomAttributes: []json.RawMessage{},
		Links: []appdirect.Link{
			{Rel: "self", Href: e.base + "/api/account/v2/companies/" + appdirectsim.DemoGraceAccountID},
			{Rel: "memberships", Href: e.base + "/api/account/v2/companies/" + appdirectsim.DemoGraceAccountID + "/memberships"},
		},
	}
	assert.Equal(t, want, co)

	byExt, err := e.client.GetCompanyByExternalID(ctx, "ext-grace-002")
	require.NoError(t, err)
	assert.Equal(t, co, byExt)

	reqs := e.requests("")
	require.Len(t, reqs, 3, "one token fetch, two API calls")
	assert.Equal(t, "/oauth2/token", reqs[0].Path)
	for i, p := range []string{"/api/account/v2/companies/" + appdirectsim.DemoGraceAccountID, "/api/account/v2/companies/externalID:ext-grace-002"} {
		r := reqs[i+1]
		assert.Equal(t, http.MethodGet, r.Method)
		assert.Equal(t, p, r.Path)
		assert.Equal(t, "", r.Query)
		assert.Equal(t, "application/json", r.Headers["Accept"])
		assert.Equal(t, "REDACTED", r.Headers["Authorization"], "bearer token sent")
		assert.Equal(t, http.StatusOK, r.Status)
	}
}

func TestGetCompanyEscapesExternalID(t *testing.T) {
	e := setup(t, appdirectsim.Options{})
	require.NoError(t, e.sim.SetState([]byte(`{"accounts":[{"id":"a1","name":"Odd","status":"ENABLED","accessTypes":[],"externalId":"crm/42 ?x#y"}]}`)))
	co, err := e.client.GetCompanyByExternalID(context.Background(), "crm/42 ?x#y")
	require.NoError(t, err)
	assert.Equal(t, "a1", co.UUID)
	last := e.requests("")
	assert.Equal(t, "", last[len(last)-1].Query, "nothing leaked into the query string")
}

func TestGetCompanyErrors(t *testing.T) {
	e := setup(t, appdirectsim.Options{})
	ctx := context.Background()

	_, err := e.client.GetCompany(ctx, "no-such-company")
	ve := vendorErr(t, err, outbound.KindNotFound)
	assert.Equal(t, 404, ve.HTTPStatus)
	assert.Equal(t, "NOT_FOUND", ve.Code)
	assert.Contains(t, ve.Message, "no-such-company")
	assert.Equal(t, "get company", ve.Operation)
	assert.False(t, ve.Retryable)

	_, err = e.client.GetCompanyByExternalID(ctx, "no-such-ext")
	vendorErr(t, err, outbound.KindNotFound)

	before := len(e.requests(""))
	for _, id := range []string{"", "  ", ".", ".."} {
		_, err = e.client.GetCompany(ctx, id)
		vendorErr(t, err, outbound.KindBadInput)
	}
	_, err = e.client.GetCompanyByExternalID(ctx, "")
	vendorErr(t, err, outbound.KindBadInput)
	assert.Len(t, e.requests(""), before, "bad input never reaches the vendor")
}

func TestStatusFaultsMapToKinds(t *testing.T) {
	cases := []struct {
		status     int
		kind       outbound.Kind
		retryable  bool
		retryAfter int
		code       string
	}{
		{503, outbound.KindUnavailable, true, 2, "SERVICE_UNAVAILABLE"},
		{502, outbound.KindUnavailable, true, 0, "BAD_GATEWAY"},
		{429, outbound.KindRateLimited, true, 7, "TOO_MANY_REQUESTS"},
		{401, outbound.KindAuth, false, 0, "invalid_token"},
		{403, outbound.KindAuth, false, 0, "FORBIDDEN"},
		{500, outbound.KindUpstream, false, 0, "INTERNAL_SERVER_ERROR"},
		{400, outbound.KindBadInput, false, 0, "BAD_REQUEST"},
	}
	for _, tc := range cases {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			e := setup(t, appdirectsim.Options{})
			ctx := context.Background()
			// Fetch the token first so the fault hits the API call itself.
			_, err := e.client.GetCompany(ctx, appdirectsim.DemoAdaAccountID)
			require.NoError(t, err)
			e.sim.Faults().Set(simkit.Fault{Vendor: "appdirect", Status: tc.status, RetryAfterSeconds: tc.retryAfter})

			calls := map[string]func() error{
				"rest": func() error { _, err := e.client.GetCompany(ctx, appdirectsim.DemoAdaAccountID); return err },
				"graphql": func() error {
					_, err := e.client.Account(ctx, appdirectsim.DemoAdaAccountID, []string{"name"})
					return err
				},
				"mutation": func() error { return errOf(e.client.DeleteAccount(ctx, appdirectsim.DemoKatherineAccountID)) },
			}
			for name, call := range calls {
				ve := vendorErr(t, call(), tc.kind)
				assert.Equal(t, tc.status, ve.HTTPStatus, name)
				assert.Equal(t, tc.retryable, ve.Retryable, name)
				assert.Equal(t, time.Duration(tc.retryAfter)*time.Second, ve.RetryAfter, name)
				assert.Equal(t, tc.code, ve.Code, name)
				assert.NotEmpty(t, ve.Operation, name)
			}
		})
	}
}

func TestMalformedReplyIsUpstream(t *testing.T) {
	e := setup(t, appdirectsim.Options{})
	ctx := context.Background()
	_, err := e.client.GetCompany(ctx, appdirectsim.DemoAdaAccountID)
	require.NoError(t, err)
	e.sim.Faults().Set(simkit.Fault{Vendor: "appdirect", Malformed: true})
	_, err = e.client.GetCompany(ctx, appdirectsim.DemoAdaAccountID)
	vendorErr(t, err, outbound.KindUpstream)
	_, err = e.client.Accounts(ctx, appdirect.ConnectionSelection{Nodes: true}, appdirect.AccountsArgs{})
	vendorErr(t, err, outbound.KindUpstream)
	err = errOf(e.client.DeleteAccount(ctx, appdirectsim.DemoKatherineAccountID))
	vendorErr(t, err, outbound.KindUpstream)
}

func TestTokenFetchedOnceForManyCalls(t *testing.T) {
	e := setup(t, appdirectsim.Options{})
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 30)
	for i := 0; i < 10; i++ {
		wg.Add(3)
		go func() {
			defer wg.Done()
			_, err := e.client.GetCompany(ctx, appdirectsim.DemoAdaAccountID)
			errs <- err
		}()
		go func() {
			defer wg.Done()
			_, err := e.client.Accounts(ctx, appdirect.ConnectionSelection{Fields: []string{"name"}, Nodes: true}, appdirect.AccountsArgs{})
			errs <- err
		}()
		go func() {
			defer wg.Done()
			_, err := e.client.Account(ctx, appdirectsim.DemoAdaAccountID, nil)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	tokenReqs := e.requests("/oauth2/token")
	require.Len(t, tokenReqs, 1, "one token for 30 calls")
	tr := tokenReqs[0]
	assert.Equal(t, http.MethodPost, tr.Method)
	assert.Equal(t, "grant_type=client_credentials&scope=ROLE_PARTNER", tr.Body, "credentials travel in the header, not the body")
	assert.Equal(t, "REDACTED", tr.Headers["Authorization"])
	assert.Equal(t, "application/x-www-form-urlencoded", tr.Headers["Content-Type"])
	assert.Len(t, e.requests(""), 31)
}

func TestExpiredTokenIsFetchedAgain(t *testing.T) {
	// expires_in 1 s is inside oauth2's early-refresh window, so every call
	// needs a new token: proof that the cache honours expiry.
	e := setup(t, appdirectsim.Options{TokenTTL: time.Second})
	for i := 0; i < 3; i++ {
		_, err := e.client.GetCompany(context.Background(), appdirectsim.DemoAdaAccountID)
		require.NoError(t, err)
	}
	assert.Len(t, e.requests("/oauth2/token"), 3)
}

func TestBadSecretIsAuthWithoutSecret(t *testing.T) {
	e := setup(t, appdirectsim.Options{ClientSecret: "the-real-secret"})
	ctx := context.Background()
	calls := map[string]func() error{
		"rest": func() error { _, err := e.client.GetCompany(ctx, appdirectsim.DemoAdaAccountID); return err },
		"graphql": func() error {
			_, err := e.client.Accounts(ctx, appdirect.ConnectionSelection{Nodes: true}, appdirect.AccountsArgs{})
			return err
		},
		"mutation": func() error { return errOf(e.client.DeleteAccount(ctx, appdirectsim.DemoKatherineAccountID)) },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			ve := vendorErr(t, call(), outbound.KindAuth)
			assert.Equal(t, http.StatusUnauthorized, ve.HTTPStatus)
			assert.Equal(t, "invalid_client", ve.Code)
			assert.Equal(t, "Bad client credentials", ve.Message)
			assert.Equal(t, "fetch token", ve.Operation)
			assert.False(t, ve.Retryable)
			assert.NotContains(t, ve.Error(), testSecret)
			assert.NotContains(t, ve.Error(), "the-real-secret")
		})
	}
	for _, r := range e.requests("") {
		assert.Equal(t, "/oauth2/token", r.Path, "no API call is sent without a token")
	}
}

func TestTokenEndpointFaults(t *testing.T) {
	e := setup(t, appdirectsim.Options{})
	e.sim.Faults().Set(simkit.Fault{Vendor: "appdirect", Status: 503, RetryAfterSeconds: 3})
	_, err := e.client.GetCompany(context.Background(), appdirectsim.DemoAdaAccountID)
	ve := vendorErr(t, err, outbound.KindUnavailable)
	assert.Equal(t, "fetch token", ve.Operation)
	assert.Equal(t, 503, ve.HTTPStatus)
	assert.True(t, ve.Retryable)
	assert.Equal(t, 3*time.Second, ve.RetryAfter)

	// The failure is not cached: once the endpoint recovers, calls work.
	e.sim.Faults().Clear()
	_, err = e.client.GetCompany(context.Background(), appdirectsim.DemoAdaAccountID)
	require.NoError(t, err)
}

func TestTransportFailureIsUnavailable(t *testing.T) {
	ts := httptest.NewServer(http.NotFoundHandler())
	base := ts.URL + "/mp?token=" + testSecret
	ts.Close()
	c, err := appdirect.New(appdirect.Config{BaseURL: base, ClientID: "id", ClientSecret: testSecret})
	require.NoError(t, err)
	ctx := context.Background()
	calls := map[string]func() error{
		"rest":     func() error { _, err := c.GetCompany(ctx, "x"); return err },
		"graphql":  func() error { _, err := c.Account(ctx, "x", nil); return err },
		"mutation": func() error { return errOf(c.DeleteAccount(ctx, "x")) },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			ve := vendorErr(t, call(), outbound.KindUnavailable)
			assert.True(t, ve.Retryable)
			assert.Equal(t, 0, ve.HTTPStatus)
		})
	}
}

func TestAPITransportFailureAfterToken(t *testing.T) {
	e := setup(t, appdirectsim.Options{})
	_, err := e.client.GetCompany(context.Background(), appdirectsim.DemoAdaAccountID)
	require.NoError(t, err)
	e.sim.Faults().Set(simkit.Fault{Vendor: "appdirect", Reset: true})
	_, err = e.client.GetCompany(context.Background(), appdirectsim.DemoAdaAccountID)
	ve := vendorErr(t, err, outbound.KindUnavailable)
	assert.Equal(t, "get company", ve.Operation)
	_, err = e.client.Account(context.Background(), appdirectsim.DemoAdaAccountID, nil)
	ve = vendorErr(t, err, outbound.KindUnavailable)
	assert.Equal(t, "get account", ve.Operation)
}

func TestCompanyDecodesVendorVariants(t *testing.T) {
	cases := map[string]string{
		`{"uuid":"u","companyId":null}`:   "",
		`{"uuid":"u","companyId":"c-9"}`:  "c-9",
		`{"uuid":"u","companyId":123456}`: "123456",
		`{"uuid":"u"}`:                    "",
	}
	for in, want := range cases {
		var c appdirect.Company
		require.NoError(t, json.Unmarshal([]byte(in), &c), in)
		assert.Equal(t, want, c.CompanyID, in)
		assert.Equal(t, "u", c.UUID)
	}
	var c appdirect.Company
	assert.Error(t, json.Unmarshal([]byte(`{"companyId":{}}`), &c))
	require.NoError(t, json.Unmarshal([]byte(`{"name":"n","creationDate":null,"address":null,"enabled":true}`), &c))
	assert.Equal(t, "n", c.Name)
	assert.True(t, c.Enabled)
}

func TestAccountDecodesDateVariants(t *testing.T) {
	want := time.Date(2021, 3, 4, 9, 15, 0, 0, time.UTC)
	cases := map[string]*time.Time{
		`"2021-03-04T09:15:00Z"`:      &want,
		`"2021-03-04T10:15:00+01:00"`: &want,
		`"2021-03-04T09:15:00"`:       &want,
		`1614849300000`:               &want,
		`null`:                        nil,
	}
	for in, w := range cases {
		var a appdirect.Account
		require.NoError(t, json.Unmarshal([]byte(`{"id":"x","createdOn":`+in+`}`), &a), in)
		assert.Equal(t, "x", a.ID)
		if w == nil {
			assert.Nil(t, a.CreatedOn, in)
			continue
		}
		require.NotNil(t, a.CreatedOn, in)
		assert.True(t, w.Equal(*a.CreatedOn.Time()), "%s: got %v", in, a.CreatedOn.Time())
	}
	var a appdirect.Account
	assert.Error(t, json.Unmarshal([]byte(`{"createdOn":"last tuesday"}`), &a))
}
