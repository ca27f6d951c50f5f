package graphiql

// Examples are the README's example queries ("Queries, one per vendor" and
// the cross-vendor one), one tab each. Each query names its operation after
// the tab, because GraphiQL titles tabs by operation name. The tests run
// every one against the sandbox, so a schema change that breaks an example
// fails CI rather than a user's first try.
func Examples() []Tab {
	return []Tab{
		{
			Name: "AppDirectAccounts",
			Query: `# AppDirect (GraphQL pass-through: only id and name are sent to AppDirect)
query AppDirectAccounts {
  accounts(first: 10, orderBy: {field: NAME}) {
    totalCount
    nodes { id name company { industry } }
  }
}
`,
		},
		{
			Name: "ApptivoSearchCustomers",
			Query: `# Apptivo: an advanced search, here by email
query ApptivoSearchCustomers($email: String!) {
  searchCustomers(filter: {email: $email}) {
    nodes { id name primaryEmail }
  }
}
`,
			Variables: `{"email": "ada.lovelace@example.com"}`,
		},
		{
			Name: "OrttoPeople",
			Query: `# Ortto: one result per ref, in order, null where unknown; one vendor call
query OrttoPeople {
  people(refs: [{email: "grace.hopper@example.com"}, {id: "00650c1e8a2f4b6d3e9a1c00"}]) {
    id
    subscriptions { audienceName subscribed }
  }
}
`,
		},
		{
			Name: "CordialCreateAccountList",
			Query: `# Cordial (a mutation: list names are unique, so a second run is a CONFLICT)
mutation CordialCreateAccountList {
  createAccountList(input: {name: "safe_drivers", enhanced: true}) {
    id name contactCount
  }
}
`,
		},
		{
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
		{
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
	}
}
