package cordial

import (
	"net/http"

	"github.com/switchyard/switchyard/internal/base/vendorkit"
)

// Module is everything the gateway needs of Cordial (see vendorkit).
// Cordial sets its per-second limits per account and publishes no number.
var Module = vendorkit.Module{
	Vendor: Vendor,
	Config: func() vendorkit.Config { return &Config{} },
	Examples: []vendorkit.Example{{Name: "CordialCreateAccountList", Query: `# Cordial (a mutation: list names are unique, so a second run is a CONFLICT)
mutation CordialCreateAccountList {
  createAccountList(input: {name: "safe_drivers", enhanced: true}) {
    id name contactCount
  }
}
`}},
}

// Configured reports whether the API key is set.
func (c *Config) Configured() bool { return c.APIKey != "" }

// Check accepts any set of Cordial variables: the key alone decides.
func (c *Config) Check() error { return nil }

// NewClient is New over hc, for the gateway's registry.
func (c *Config) NewClient(hc *http.Client) (any, error) {
	cfg := *c
	cfg.HTTPClient = hc
	return New(cfg)
}

// Costs are the fields that call Cordial.
func (c *Config) Costs() map[string]vendorkit.Cost {
	one := vendorkit.Cost{Kind: vendorkit.Call, Batching: "one call"}
	return map[string]vendorkit.Cost{
		"Query.accountLists": {Kind: vendorkit.Call, Batching: "one call", Items: func(a vendorkit.Args) int {
			if _, named := a["name"].(string); named {
				return 1
			}
			return vendorkit.DefaultPageSize
		}},
		"Query.accountList": one,
		// A router's _entities: one lookup per representation.
		"_entities.AccountList":                  one,
		"Mutation.createAccountList":             one,
		"Mutation.updateAccountList":             one,
		"Mutation.clearAccountList":              one,
		"Mutation.deleteAccountList":             one,
		"AccountListMutationPayload.accountList": {Kind: vendorkit.Free},
		"AccountList.contactCount":               {Kind: vendorkit.SubCall, Batching: "one count call per list"},
	}
}
