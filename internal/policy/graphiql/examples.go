package graphiql

import "github.com/switchyard/switchyard/internal/base/vendorkit"

// Examples are the README's example queries, one tab each: each vendor's
// own (vendorkit.Module.Examples, handed in by the gateway from its
// registry, in registry order), then the cross-vendor one and the plan.
// Each query names its operation after the tab, because GraphiQL titles
// tabs by operation name. The tests run every one against the sandbox, so
// a schema change that breaks an example fails CI rather than a user's
// first try.
func Examples(vendor ...vendorkit.Example) []Tab {
	var tabs []Tab
	for _, e := range vendor {
		tabs = append(tabs, Tab{Name: e.Name, Query: e.Query, Variables: e.Variables})
	}
	return append(tabs,
		Tab{
			Name: "CustomersWithSubscriptions",
			Query: `# Across vendors: each Apptivo customer's Ortto person, found by email
# (one Apptivo call and one batched Ortto call, whatever the page size)
query CustomersWithSubscriptions {
  customers(first: 20) {
    nodes {
      name
      person { subscriptions { audienceName subscribed } }
    }
  }
}
`,
		},
		Tab{
			Name: "PlanAndCost",
			Query: `# A dry run: with the header X-Switchyard-Plan: true (see the headers
# pane) nothing runs and no vendor is called; extensions.plan lists the
# vendor calls this would make, batched how, at what cost. Remove the
# header, or set X-Switchyard-Cost: true instead, to run it and see the
# cost and the vendor calls actually made in extensions.cost.
query PlanAndCost {
  accounts(first: 5) { nodes { name company { industry } } }
  customers(first: 5) { nodes { name person { subscriptions { audienceName } } } }
}
`,
			Headers: `{"X-Switchyard-Plan": "true"}`,
		},
	)
}
