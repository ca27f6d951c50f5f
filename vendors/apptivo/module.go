package apptivo

import (
	"errors"
	"net/http"
	"time"

	"github.com/switchyard/switchyard/internal/base/vendorkit"
)

// Module is everything the gateway needs of Apptivo (see vendorkit). It
// documents no rate limit. Its field configuration (statuses, categories,
// industries) changes by hand in its admin UI, rarely, so it is cached
// for longer unless APPTIVO_CACHE_TTL says otherwise.
var Module = vendorkit.Module{
	Vendor:        Vendor,
	Config:        func() vendorkit.Config { return &Config{} },
	OperationTTLs: map[string]time.Duration{"get config data": 10 * time.Minute},
	Examples: []vendorkit.Example{{Name: "ApptivoSearchCustomers", Query: `# Apptivo: an advanced search, here by email
query ApptivoSearchCustomers($email: String!) {
  searchCustomers(filter: {email: $email}) {
    nodes { id name primaryEmail }
  }
}
`, Variables: `{"email": "ada.lovelace@example.com"}`}},
}

// Configured reports whether both keys are set.
func (c *Config) Configured() bool { return c.APIKey != "" && c.AccessKey != "" }

// Check refuses one key without the other.
func (c *Config) Check() error {
	if (c.APIKey == "") != (c.AccessKey == "") {
		return errors.New("apptivo needs both APPTIVO_API_KEY and APPTIVO_ACCESS_KEY")
	}
	return nil
}

// NewClient is New over hc, for the gateway's registry.
func (c *Config) NewClient(hc *http.Client) (any, error) {
	cfg := *c
	cfg.HTTPClient = hc
	return New(cfg)
}

// Costs are the fields that call Apptivo: a page is one call.
func (c *Config) Costs() map[string]vendorkit.Cost {
	one := vendorkit.Cost{Kind: vendorkit.Call, Batching: "one call"}
	page := vendorkit.Cost{Kind: vendorkit.Call, Batching: "one call",
		Items: func(a vendorkit.Args) int { return a.Page("first") }}
	return map[string]vendorkit.Cost{
		"Query.customers":       page,
		"Query.searchCustomers": page,
		"Query.customer":        one,
		// A router's _entities: one lookup per representation.
		"_entities.Customer":      one,
		"Query.customerConfig":    one,
		"Mutation.createCustomer": one,
		// An update reads the record, then writes it whole.
		"Mutation.updateCustomer": {Kind: vendorkit.Call, Calls: func(vendorkit.Args) int { return 2 },
			Batching: "two calls: read the record, write it whole"},
		"Mutation.deleteCustomer":        one,
		"DeleteCustomerPayload.customer": {Kind: vendorkit.Free},
		// Ortto -> Apptivo: one advanced search per person.
		"Person.customers": {Kind: vendorkit.Call, Batching: "one search per person"},
	}
}
