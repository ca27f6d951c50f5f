package echo

import (
	"net/http"

	"github.com/switchyard/switchyard/internal/base/vendorkit"
)

// Module is everything the gateway needs of echo (see vendorkit).
var Module = vendorkit.Module{
	Vendor:    Vendor,
	Config:    func() vendorkit.Config { return &Config{} },
	RateLimit: 5,
}

// Configured reports whether the API key is set.
func (c *Config) Configured() bool { return c.APIKey != "" }

// Check accepts any set of echo variables: the key alone decides.
func (c *Config) Check() error { return nil }

// NewClient is New over hc, for the gateway's registry.
func (c *Config) NewClient(hc *http.Client) (any, error) {
	cfg := *c
	cfg.HTTPClient = hc
	return New(cfg)
}

// Costs are the fields that call echo.
func (c *Config) Costs() map[string]vendorkit.Cost {
	return map[string]vendorkit.Cost{"Query.echo": {Kind: vendorkit.Call, Batching: "one call"}}
}
