package gateway_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/config"
	"github.com/switchyard/switchyard/internal/app/gateway"
	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/app/registry"
	"github.com/switchyard/switchyard/internal/app/sandbox"
	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/internal/base/vendorkit"
)

// A fifth vendor, "echo", written the way ARCHITECTURE.md's "Adding a
// vendor" says: a module value (descriptor, tagged Config, Configured,
// Check, NewClient, Costs), a simulator mount, and one registry line.
// Nothing else of the gateway is told about it.

const echoName = "echo"

var echoModule = vendorkit.Module{
	Vendor:    outbound.Vendor{Name: echoName},
	Config:    func() vendorkit.Config { return &echoConfig{} },
	RateLimit: 3,
}

type echoConfig struct {
	APIKey  string `env:"API_KEY,secret"`
	BaseURL string `env:"BASE_URL"`
}

func (c *echoConfig) Configured() bool { return c.APIKey != "" }
func (c *echoConfig) Check() error     { return nil }
func (c *echoConfig) Costs() map[string]vendorkit.Cost {
	return map[string]vendorkit.Cost{}
}

func (c *echoConfig) NewClient(hc *http.Client) (any, error) {
	if c.BaseURL == "" {
		return nil, errors.New("echo: base URL is required")
	}
	base, err := outbound.ParseBaseURL(c.BaseURL)
	if err != nil {
		return nil, err
	}
	key := c.APIKey
	return &echoClient{&outbound.Client{BaseURL: base, Vendor: echoModule.Vendor, Secrets: outbound.NewSecrets(key),
		HTTPClient: outbound.WithTransport(hc, roundTrip(func(r *http.Request) (*http.Response, error) {
			r = r.Clone(r.Context())
			r.Header.Set("X-Echo-Key", key)
			return outbound.Base(hc).RoundTrip(r)
		}))}}, nil
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

type echoClient struct{ *outbound.Client }

func (c *echoClient) Ping(ctx context.Context) (string, error) {
	req, err := c.NewRequest(ctx, "ping", http.MethodGet, "ping", nil, nil)
	if err != nil {
		return "", err
	}
	var out struct {
		Pong string `json:"pong"`
	}
	return out.Pong, c.Do(ctx, req, &out)
}

// echoSim is the simulator: it answers ping to its sandbox key only.
type echoSim struct{ *simkit.Host }

func (echoSim) State() ([]byte, error) { return []byte("{}"), nil }
func (echoSim) SetState([]byte) error  { return nil }
func (echoSim) Reset()                 {}

var echoMount = simkit.Mount{
	Name: echoName,
	New: func(rec *simkit.Recorder, faults *simkit.Faults) (simkit.Vendor, error) {
		h, err := simkit.StartHost(echoName, simkit.HostOptions{NoListener: true, Recorder: rec, Faults: faults}, nil,
			http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("X-Echo-Key") != "sandbox-echo-key" {
					http.Error(w, `{"error":"bad key"}`, http.StatusUnauthorized)
					return
				}
				_, _ = io.WriteString(w, `{"pong":"pong"}`)
			}))
		return echoSim{h}, err
	},
	Credentials: map[string]string{"ECHO_API_KEY": "sandbox-echo-key"},
}

// TestAFifthVendorIsOneRegistryLine registers the fake vendor beside the
// real four and serves it end to end: its variables are read (and its
// secret scrubbed), the sandbox mounts its simulator with its
// credentials, the gateway builds its chain and its client, the gateway
// field, /readyz and /metrics list it, and its client calls its simulator
// through the shared chain. (invalidateCache names vendors with the
// schema's Vendor enum, so a real fifth vendor also adds its value there:
// TestVendorEnumMatchesRegistry fails until it does.)
func TestAFifthVendorIsOneRegistryLine(t *testing.T) {
	entries := append(registry.Entries(), registry.Entry{Module: echoModule, Simulator: echoMount})

	cfg, err := config.LoadFor(func(k string) string {
		return map[string]string{"ECHO_RATE_LIMIT": "7"}[k]
	}, registry.Modules(entries))
	require.NoError(t, err)
	assert.False(t, cfg.Configured(echoName))
	assert.Equal(t, 7.0, cfg.ChainOptions(echoName).RatePerSecond, "the shared <VENDOR>_ variables apply to it")

	sb, err := sandbox.StartWith("", registry.Simulators(entries))
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	require.NoError(t, sb.Configure(cfg))
	assert.True(t, cfg.Configured(echoName), "the sandbox configured it")
	assert.Contains(t, cfg.Secrets(), "sandbox-echo-key", "its secret-tagged variable is scrubbed from logs")

	gw, err := gateway.New(cfg, gateway.Options{Simulated: true, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	t.Cleanup(func() { _ = gw.Close() })
	srv := httptest.NewServer(gw)
	t.Cleanup(srv.Close)

	r := gatewaytest.Query(t, srv.URL+"/query", `{ gateway { vendors { name configured simulated } } }`, nil)
	require.Empty(t, r.Errors, r.Raw)
	assert.Contains(t, string(r.Data), `{"name":"echo","configured":true,"simulated":true}`)

	client, ok := gw.VendorClient(echoName).(*echoClient)
	require.True(t, ok, "the gateway built the echo client")
	pong, err := client.Ping(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "pong", pong)
	calls := gatewaytest.Calls(sb, echoName)
	require.Len(t, calls, 1)
	assert.Equal(t, "/ping", calls[0].Path)

	resp, err := http.Get(srv.URL + "/readyz")
	require.NoError(t, err)
	defer resp.Body.Close()
	var ready struct {
		Vendors map[string]struct {
			Configured bool   `json:"configured"`
			Breaker    string `json:"breaker"`
		} `json:"vendors"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&ready))
	assert.True(t, ready.Vendors[echoName].Configured)
	assert.NotEmpty(t, ready.Vendors[echoName].Breaker)
}

// TestAVendorFieldWithoutACostStopsTheStart: a module that costs a field
// the schema does not have (or, in querylimits' own test, leaves one of
// its fields uncosted) is refused at start-up rather than costing 1.
func TestAVendorFieldWithoutACostStopsTheStart(t *testing.T) {
	bad := echoModule
	bad.Config = func() vendorkit.Config { return &badCosts{} }
	cfg, err := config.LoadFor(func(string) string { return "" }, append(registry.Modules(registry.Entries()), bad))
	require.NoError(t, err)
	_, err = gateway.New(cfg, gateway.Options{Logger: slog.New(slog.DiscardHandler)})
	require.ErrorContains(t, err, "Query.echo is not a schema field")
}

type badCosts struct{ echoConfig }

func (*badCosts) Costs() map[string]vendorkit.Cost {
	return map[string]vendorkit.Cost{"Query.echo": {Kind: vendorkit.Call}}
}
