package ortto

import (
	"net/http"
	"strconv"

	"github.com/switchyard/switchyard/internal/base/vendorkit"
)

// Module is everything the gateway needs of Ortto (see vendorkit). Its
// Professional plan allows 10 requests per second (Business/Enterprise
// 30: raise ORTTO_RATE_LIMIT on those).
var Module = vendorkit.Module{
	Vendor:    Vendor,
	Config:    func() vendorkit.Config { return &Config{BatchSize: MaxBatch} },
	RateLimit: 10,
	Examples: []vendorkit.Example{{Name: "OrttoPeople", Query: `# Ortto: one result per ref, in order, null where unknown; one vendor call
query OrttoPeople {
  people(refs: [{email: "grace.hopper@example.com"}, {id: "00650c1e8a2f4b6d3e9a1c00"}]) {
    id
    subscriptions { audienceName subscribed }
  }
}
`}},
}

// Configured reports whether the API key is set.
func (c *Config) Configured() bool { return c.APIKey != "" }

// Check accepts any set of Ortto variables: the key alone decides.
func (c *Config) Check() error { return nil }

// NewClient is New over hc, for the gateway's registry.
func (c *Config) NewClient(hc *http.Client) (any, error) {
	cfg := *c
	cfg.HTTPClient = hc
	return New(cfg)
}

// Costs are the fields that call Ortto: lists of people and account ids
// go BatchSize to a call.
func (c *Config) Costs() map[string]vendorkit.Cost {
	batch := c.BatchSize
	if batch <= 0 {
		batch = MaxBatch
	}
	per := strconv.Itoa(batch)
	bulk := vendorkit.Cost{Kind: vendorkit.Call, Calls: func(a vendorkit.Args) int {
		return vendorkit.Batches(a.Len("input", "inclusionIds"), batch)
	}, Batching: "one call per " + per + " account ids"}
	return map[string]vendorkit.Cost{
		"Query.people": {Kind: vendorkit.Call,
			Calls:    func(a vendorkit.Args) int { return vendorkit.Batches(a.Len("refs"), batch) },
			Items:    func(a vendorkit.Args) int { return a.Len("refs") },
			Batching: "batched: one call per " + per + " refs"},
		"Query.person":             {Kind: vendorkit.Call, Batching: "one call"},
		"Mutation.archiveAccounts": bulk,
		"Mutation.restoreAccounts": bulk,
		"Mutation.deleteAccounts":  bulk,
		// Apptivo -> Ortto: every person needed by the request, one
		// lookup per batch.
		"Customer.person": {Kind: vendorkit.Link, Batch: batch,
			Batching: "batched: one call per " + per + " people in the request"},
		// A router's _entities: people are looked up in batches too.
		"_entities.Person": {Kind: vendorkit.Call, Batch: batch},
	}
}
