package appdirect

import (
	"errors"
	"net/http"

	"github.com/switchyard/switchyard/internal/base/vendorkit"
)

// Module is everything the gateway needs of AppDirect (see vendorkit).
// It documents no rate limit.
var Module = vendorkit.Module{
	Vendor: Vendor,
	Config: func() vendorkit.Config { return &Config{} },
	Examples: []vendorkit.Example{{Name: "AppDirectAccounts", Query: `# AppDirect (GraphQL pass-through: only id and name are sent to AppDirect)
query AppDirectAccounts {
  accounts(first: 10, orderBy: {field: NAME}) {
    totalCount
    nodes { id name company { industry } }
  }
}
`}},
}

// Configured reports whether the marketplace and both client credentials
// are set.
func (c *Config) Configured() bool {
	return c.BaseURL != "" && c.ClientID != "" && c.ClientSecret != ""
}

// Check refuses some of the three without the others.
func (c *Config) Check() error {
	n := 0
	for _, v := range []string{c.BaseURL, c.ClientID, c.ClientSecret} {
		if v != "" {
			n++
		}
	}
	if n != 0 && n != 3 {
		return errors.New("appdirect needs APPDIRECT_BASE_URL, APPDIRECT_CLIENT_ID and APPDIRECT_CLIENT_SECRET")
	}
	return nil
}

// NewClient is New over hc, for the gateway's registry.
func (c *Config) NewClient(hc *http.Client) (any, error) {
	cfg := *c
	cfg.HTTPClient = hc
	return New(cfg)
}

// Costs are the fields that call AppDirect.
func (c *Config) Costs() map[string]vendorkit.Cost {
	one := vendorkit.Cost{Kind: vendorkit.Call, Batching: "one call"}
	return map[string]vendorkit.Cost{
		"Query.accounts": {Kind: vendorkit.Call, Batching: "one call",
			Items: func(a vendorkit.Args) int { return a.Page("first", "last") }},
		"Query.companies": {Kind: vendorkit.Call, Batching: "one call",
			Items: func(a vendorkit.Args) int { return a.Page("size") }},
		"Query.account": one,
		// A router's _entities: one lookup per representation.
		"_entities.Account":            one,
		"Query.accountByExternalId":    one,
		"Query.company":                one,
		"Query.companyByExternalId":    one,
		"Mutation.deleteAccount":       one,
		"DeleteAccountPayload.account": {Kind: vendorkit.Free},
		"Account.company": {Kind: vendorkit.SubCall,
			Batching: "one REST call per distinct company id, shared within the request"},
		// Part of the account's own query, so no call; but each account
		// brings a page of members.
		"Account.accountMemberships": {Kind: vendorkit.Link,
			Items: func(a vendorkit.Args) int { return a.Page("first") }},
	}
}
