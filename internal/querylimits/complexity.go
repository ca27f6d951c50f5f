package querylimits

import (
	"context"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/switchyard/switchyard/graph/generated"
	"github.com/switchyard/switchyard/graph/model"
)

// Costs used by Complexity.
const (
	// VendorCall is the cost of one call to a vendor.
	VendorCall = 10
	// SubCall is the cost of a per-record vendor call that is de-duplicated
	// by id within a request (AppDirect company, Cordial contact count).
	SubCall = 5
	// DefaultPageSize is the page size assumed when `first`/`last` is not
	// given, and the size assumed for lists the vendor does not page.
	DefaultPageSize = 20
	// MaxPageSize is the largest page the resolvers accept; a larger
	// `first` is refused by the resolver as BAD_USER_INPUT, so it is
	// costed as MaxPageSize rather than reported as too complex.
	MaxPageSize = 100
	// OrttoBatch is the number of people or account ids Ortto takes per
	// call; Switchyard splits longer lists into that many calls.
	OrttoBatch = 100
)

// scalarsAreFree makes scalar and enum fields cost 0, so that the cost
// counts vendor calls and the objects they return, and selecting every
// field of a record costs the same as selecting one.
var scalarsAreFree = complexity.WithFixedScalarValue(0)

// Complexity returns the field costs the complexity limit adds up. Pass it
// as generated.Config.Complexity. "child" is the cost of the field's own
// selection; a page of n items costs n times its child, since the
// selection is resolved for each item.
//
//	field                                          cost
//	scalar and enum fields                         0
//	object fields not listed here                  1 + child
//	Query.accounts(first|last)                     10 + n × child   (n = first or last, default 20, at most 100)
//	Query.customers(first), searchCustomers(first) 10 + n × child
//	Query.companies(size)                          10 + n × child   (n = size, default 20, at most 100)
//	Query.searchCustomers(first)                   10 + n × child
//	Query.accountLists(name)                       10 + 20 × child, or 10 + child with a name
//	Query.people(refs)                             10 × ⌈refs/100⌉ + refs × child
//	Query.account, accountByExternalId,            10 + child
//	  company, companyByExternalId, customer,
//	  customerConfig, accountList, person
//	Query.gateway                                  1 + child (no vendor call)
//	Account.company                                5 + child (one REST call per distinct id)
//	Account.accountMemberships(first)              1 + n × child    (n = first, default 20, at most 100;
//	                                                 no call of its own: fetched with the account)
//	AccountList.contactCount                       5 (one count call per list)
//	Customer.person                                1 + child (batched: one Ortto call per 100 people)
//	Person.customers                               10 + child (one Apptivo search per person)
//	Mutation.archiveAccounts, restoreAccounts,     10 × ⌈inclusionIds/100⌉ (at least 10) + child
//	  deleteAccounts
//	every other mutation                           10 + child
//	_entities(representations)                     10 per representation (people: 10 per 100) + reps × child
//
// For example, `{ customers(first: 20) { nodes { name person { id } } } }`
// costs 10 + 20 × (1 + 1) = 50; the default limit is 1000.
func Complexity() generated.ComplexityRoot {
	return costModel(units{call: VendorCall, subCall: SubCall, link: 1})
}

// units are what costModel charges: a vendor call, a per-record sub-call
// and a batched cross-vendor link (Customer.person). Complexity charges
// 10, 5 and 1; VendorCalls charges 1, 1 and 0, so the same model counts
// calls.
type units struct{ call, subCall, link int }

func costModel(u units) generated.ComplexityRoot {
	var c generated.ComplexityRoot
	call := func(child int) int { return add(u.call, child) }
	page := func(n, child int) int { return add(u.call, mul(n, child)) }

	q := &c.Query
	q.Accounts = func(child int, first *int, _ *string, last *int, _ *string, _ *model.AccountFilter, _ *model.AccountOrder) int {
		n := pageSize(first)
		switch {
		case first == nil && last != nil:
			n = pageSize(last)
		case last != nil: // both: the resolver refuses it, cost the larger
			n = max(n, pageSize(last))
		}
		return page(n, child)
	}
	q.Customers = func(child int, first *int, _ *string, _ *string, _ *model.CustomerOrder) int {
		return page(pageSize(first), child)
	}
	q.SearchCustomers = func(child int, _ model.CustomerSearchInput, first *int, _ *string, _ *model.CustomerOrder) int {
		return page(pageSize(first), child)
	}
	q.Companies = func(child int, _ *int, size *int) int { return page(pageSize(size), child) }
	q.AccountLists = func(child int, name *string) int {
		if name != nil {
			return call(child)
		}
		return page(DefaultPageSize, child)
	}
	q.People = func(child int, refs []model.PersonRef) int {
		return add(mul(u.call, batches(len(refs))), mul(len(refs), child))
	}
	q.Account = func(child int, _ string) int { return call(child) }
	q.AccountByExternalID = func(child int, _ string) int { return call(child) }
	q.Company = func(child int, _ string) int { return call(child) }
	q.CompanyByExternalID = func(child int, _ string) int { return call(child) }
	q.Customer = func(child int, _ string) int { return call(child) }
	q.CustomerConfig = call
	q.AccountList = func(child int, _ string) int { return call(child) }
	q.Person = func(child int, _ model.PersonRef) int { return call(child) }

	c.Account.Company = func(child int) int { return add(u.subCall, child) }
	// Part of the account's own query, so no call; but each account brings
	// a page of members, costed like any page.
	c.Account.AccountMemberships = func(child int, first *int, _ *string) int {
		return add(u.link, mul(pageSize(first), child))
	}
	c.AccountList.ContactCount = func(int) int { return u.subCall }
	c.Customer.Person = func(child int) int { return add(u.link, child) }
	c.Person.Customers = call

	m := &c.Mutation
	bulk := func(child int, in model.AccountSelectionInput, _ *bool) int {
		return add(mul(u.call, batches(len(in.InclusionIds))), child)
	}
	m.ArchiveAccounts, m.RestoreAccounts, m.DeleteAccounts = bulk, bulk, bulk
	m.DeleteAccount = func(child int, _ model.DeleteAccountInput, _ *bool) int { return call(child) }
	m.CreateCustomer = func(child int, _ model.CreateCustomerInput) int { return call(child) }
	// An update reads the record, then writes it whole: two calls.
	m.UpdateCustomer = func(child int, _ string, _ model.UpdateCustomerInput) int { return add(VendorCall, call(child)) }
	m.DeleteCustomer = func(child int, _ string, _ *bool) int { return call(child) }
	m.CreateAccountList = func(child int, _ model.CreateAccountListInput) int { return call(child) }
	m.UpdateAccountList = func(child int, _ string, _ model.UpdateAccountListInput) int { return call(child) }
	m.ClearAccountList = func(child int, _ string, _ *bool) int { return call(child) }
	m.DeleteAccountList = func(child int, _ string, _ *bool) int { return call(child) }
	// A router's _entities: one vendor call per representation, except
	// people, who are batched like Query.people.
	c.SetEntitiesComplexity(func(child int, reps []map[string]any) int {
		people := 0
		for _, r := range reps {
			if r["__typename"] == "Person" {
				people++
			}
		}
		calls := len(reps) - people
		if people > 0 {
			calls += batches(people)
		}
		return add(mul(u.call, calls), mul(len(reps), child))
	})
	return c
}

// pageSize is the number of items a page argument asks for, as the
// resolvers will serve it.
func pageSize(arg *int) int {
	if arg == nil {
		return DefaultPageSize
	}
	return min(max(*arg, 0), MaxPageSize)
}

// batches is the number of Ortto calls n ids or refs take (at least one).
func batches(n int) int { return max(1, (n+OrttoBatch-1)/OrttoBatch) }

const maxInt = int(^uint(0) >> 1)

// mul and add saturate instead of overflowing: a document built to wrap
// the cost round to a small number is refused instead.
func mul(a, b int) int {
	if a <= 0 || b <= 0 {
		return 0
	}
	if a > maxInt/b {
		return maxInt
	}
	return a * b
}

func add(a, b int) int { return saturatingAdd(a, b) }

// Cost is an operation's estimated cost in this model (what
// ComplexityLimit checks), for reporting it when the limit is off.
func Cost(ctx context.Context, es graphql.ExecutableSchema, op *ast.OperationDefinition, vars map[string]any) int {
	return complexity.Calculate(ctx, es, op, vars, scalarsAreFree)
}
