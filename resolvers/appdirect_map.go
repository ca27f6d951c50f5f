package resolvers

import (
	"context"
	"slices"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/switchyard/switchyard/graph/model"
	"github.com/switchyard/switchyard/internal/policy/auth"
	"github.com/switchyard/switchyard/internal/policy/errcode"
	"github.com/switchyard/switchyard/vendors/appdirect"
)

// maxAccountsPage is the largest page Switchyard asks AppDirect for.
const maxAccountsPage = 100

// connectionSelection reads which parts of AccountConnection the client
// selected (through fragments, aliases and @include/@skip, which
// CollectFields resolves), so that AppDirect is asked for nothing more,
// and the arguments of accountMemberships when the accounts select it.
func connectionSelection(ctx context.Context) (appdirect.ConnectionSelection, appdirect.MembershipsArgs, error) {
	opCtx := graphql.GetOperationContext(ctx)
	var sel appdirect.ConnectionSelection
	var acc appDirectAccountSelection
	for _, f := range graphql.CollectFields(opCtx, graphql.GetFieldContext(ctx).Field.Selections, []string{"AccountConnection"}) {
		switch f.Name {
		case "nodes":
			sel.Nodes = true
			acc.add(opCtx, f.Selections)
		case "edges":
			sel.Edges = true
			for _, e := range graphql.CollectFields(opCtx, f.Selections, []string{"AccountEdge"}) {
				switch e.Name {
				case "cursor":
					sel.Cursor = true
				case "node":
					acc.add(opCtx, e.Selections)
				}
			}
		case "pageInfo":
			sel.PageInfo = true
		case "totalCount":
			sel.TotalCount = true
		}
	}
	sel.Fields = orderedFields(acc.fields)
	members, err := acc.membershipsArgs(opCtx)
	return sel, members, err
}

// selectedAccount is connectionSelection for a field that returns one
// Account.
func selectedAccount(ctx context.Context) ([]string, appdirect.MembershipsArgs, error) {
	opCtx := graphql.GetOperationContext(ctx)
	var acc appDirectAccountSelection
	acc.add(opCtx, graphql.GetFieldContext(ctx).Field.Selections)
	members, err := acc.membershipsArgs(opCtx)
	return orderedFields(acc.fields), members, err
}

// dryRunPlainFields are every Account field but accountMemberships.
var dryRunPlainFields = slices.DeleteFunc(slices.Clone(appdirect.AccountFields), func(f string) bool { return f == appdirect.FieldAccountMemberships })

// dryRunAccount is what deleteAccount's dry run fetches for its payload's
// account: every plain field, and accountMemberships (a page of other
// records) only when the payload's account selects it and the caller may
// read: without `read` the account is FORBIDDEN anyway, and its members
// must not be fetched for nothing.
func dryRunAccount(ctx context.Context) ([]string, appdirect.MembershipsArgs, error) {
	opCtx := graphql.GetOperationContext(ctx)
	var acc appDirectAccountSelection
	for _, f := range graphql.CollectFields(opCtx, graphql.GetFieldContext(ctx).Field.Selections, []string{"DeleteAccountPayload"}) {
		if f.Name == "account" {
			acc.add(opCtx, f.Selections)
		}
	}
	members, err := acc.membershipsArgs(opCtx)
	fields := slices.Clone(dryRunPlainFields)
	if slices.Contains(acc.fields, appdirect.FieldAccountMemberships) && auth.Require(ctx, auth.ScopeRead) == nil {
		fields = append(fields, appdirect.FieldAccountMemberships)
	}
	return fields, members, err
}

// appDirectAccountSelection gathers, over every place an operation selects
// Account fields for one AppDirect query, AppDirect's field names and the
// accountMemberships selections.
type appDirectAccountSelection struct {
	fields  []string
	members []graphql.CollectedField
}

// add maps the Account fields selected in sel to AppDirect's field names.
// Fields Switchyard resolves itself (company, __typename) are not
// AppDirect's; company needs only the id, which is always sent.
func (a *appDirectAccountSelection) add(opCtx *graphql.OperationContext, sel ast.SelectionSet) {
	for _, f := range graphql.CollectFields(opCtx, sel, []string{"Account"}) {
		if slices.Contains(appdirect.AccountFields, f.Name) {
			a.fields = append(a.fields, f.Name)
		}
		if f.Name == appdirect.FieldAccountMemberships {
			a.members = append(a.members, f)
		}
	}
}

// membershipsArgs reads accountMemberships' arguments. One AppDirect query
// carries one set for every account it returns, so selections (aliases,
// nodes and edges) that disagree are refused rather than answered with
// another page than asked for.
func (a *appDirectAccountSelection) membershipsArgs(opCtx *graphql.OperationContext) (appdirect.MembershipsArgs, error) {
	var out appdirect.MembershipsArgs
	for i, f := range a.members {
		var m appdirect.MembershipsArgs
		args := f.ArgumentMap(opCtx.Variables)
		if v, ok := args["first"]; ok && v != nil {
			n, err := graphql.UnmarshalInt(v)
			if err != nil || n < 0 || n > maxAccountsPage {
				return out, errcode.Input("accountMemberships.first", "must be between 0 and %d", maxAccountsPage)
			}
			m.First = &n
		}
		if v, ok := args["after"]; ok && v != nil {
			s, err := graphql.UnmarshalString(v)
			if err != nil {
				return out, errcode.Input("accountMemberships.after", "must be a cursor")
			}
			m.After = &s
		}
		if i > 0 && !sameMembershipsArgs(out, m) {
			return out, errcode.Input("accountMemberships", "is selected with different arguments; select it with one set per query")
		}
		out = m
	}
	return out, nil
}

func sameMembershipsArgs(a, b appdirect.MembershipsArgs) bool {
	eq := func(x, y *int) bool { return x == nil && y == nil || x != nil && y != nil && *x == *y }
	eqs := func(x, y *string) bool { return x == nil && y == nil || x != nil && y != nil && *x == *y }
	return eq(a.First, b.First) && eqs(a.After, b.After)
}

// orderedFields puts fields in AppDirect's canonical order without
// repeats, so that the same selection always yields the same query text
// (identical in-flight reads are shared).
func orderedFields(fields []string) []string {
	out := make([]string, 0, len(fields))
	for _, f := range appdirect.AccountFields {
		if slices.Contains(fields, f) {
			out = append(out, f)
		}
	}
	return out
}

func accountsArgs(first *int, after *string, last *int, before *string, filter *model.AccountFilter, orderBy *model.AccountOrder) (appdirect.AccountsArgs, error) {
	args := appdirect.AccountsArgs{First: first, After: after, Last: last, Before: before}
	switch {
	case first != nil && last != nil:
		return args, errcode.Input("first", "give first or last, not both")
	case first != nil && (*first < 0 || *first > maxAccountsPage):
		return args, errcode.Input("first", "must be between 0 and %d", maxAccountsPage)
	case last != nil && (*last < 0 || *last > maxAccountsPage):
		return args, errcode.Input("last", "must be between 0 and %d", maxAccountsPage)
	case after != nil && before != nil:
		return args, errcode.Input("after", "give after or before, not both")
	}
	if filter != nil {
		f := &appdirect.AccountFilter{SearchText: filter.SearchText, Name: filter.Name, CreatedBefore: filter.CreatedBefore, CreatedAfter: filter.CreatedAfter}
		if filter.AccountStatus != nil {
			s := filter.AccountStatus.String()
			f.AccountStatus = &s
		}
		if filter.AccessType != nil {
			s := filter.AccessType.String()
			f.AccessType = &s
		}
		args.Filter = f
	}
	if orderBy != nil {
		args.OrderBy = &appdirect.AccountOrderBy{Field: orderBy.Field.String(), Direction: orderBy.Direction.String()}
	}
	return args, nil
}

func toAccount(a *appdirect.Account) *model.Account {
	if a == nil {
		return nil
	}
	out := new(model.Account)
	fillAccount(out, a)
	return out
}

// fillAccount writes a into out. A page's accounts are filled in place in
// the connection's slice, and their optional strings point into a itself
// (which lives as long as the reply), so a 20-account page does not cost
// 20 account copies and a string allocation per field.
func fillAccount(out *model.Account, a *appdirect.Account) {
	*out = model.Account{
		ID:                 a.ID,
		Name:               optionalAt(&a.Name),
		Status:             model.AccountStatus(a.Status),
		AccessTypes:        make([]model.AccessType, 0, len(a.AccessTypes)),
		CreatedOn:          a.CreatedOn.Time(),
		DefaultRole:        optionalAt(&a.DefaultRole),
		ExternalID:         optionalAt(&a.ExternalID),
		CountryCode:        optionalAt(&a.CountryCode),
		Website:            optionalAt(&a.Website),
		ContactEmail:       optionalAt(&a.ContactEmail),
		ContactPhoneNumber: optionalAt(&a.ContactPhoneNumber),
		CompanySize:        optionalAt(&a.CompanySize),
		ContactAddress:     toCompanyAddress(a.ContactAddress),
		Tenant:             optionalAt(&a.Tenant),
		AccountMemberships: toMembershipConnection(a.AccountMemberships),
	}
	for _, t := range a.AccessTypes {
		// AppDirect may add access types; one this schema does not know
		// is left out rather than failing the whole account.
		if at := model.AccessType(t); at.IsValid() {
			out.AccessTypes = append(out.AccessTypes, at)
		}
	}
}

func toMembershipConnection(c *appdirect.MembershipConnection) *model.AccountMembershipConnection {
	if c == nil {
		return nil
	}
	out := &model.AccountMembershipConnection{
		Nodes:      make([]model.AccountMembership, 0, len(c.Nodes)),
		PageInfo:   &model.PageInfo{HasNextPage: c.PageInfo.HasNextPage, HasPreviousPage: c.PageInfo.HasPreviousPage, StartCursor: c.PageInfo.StartCursor, EndCursor: c.PageInfo.EndCursor},
		TotalCount: c.TotalCount,
	}
	for _, m := range c.Nodes {
		out.Nodes = append(out.Nodes, model.AccountMembership{
			User:  &model.AccountMember{ID: m.User.ID, Email: optional(m.User.Email), FirstName: optional(m.User.FirstName), LastName: optional(m.User.LastName)},
			Roles: append([]string{}, m.Roles...),
		})
	}
	return out
}

func toAccountConnection(c *appdirect.AccountConnection) *model.AccountConnection {
	out := &model.AccountConnection{
		Edges:      make([]model.AccountEdge, 0, len(c.Edges)),
		Nodes:      make([]model.Account, 0, len(c.Nodes)),
		PageInfo:   &model.PageInfo{HasNextPage: c.PageInfo.HasNextPage, HasPreviousPage: c.PageInfo.HasPreviousPage, StartCursor: c.PageInfo.StartCursor, EndCursor: c.PageInfo.EndCursor},
		TotalCount: c.TotalCount,
	}
	for i := range c.Edges {
		out.Edges = append(out.Edges, model.AccountEdge{Cursor: c.Edges[i].Cursor, Node: toAccount(&c.Edges[i].Node)})
	}
	out.Nodes = out.Nodes[:len(c.Nodes)]
	for i := range c.Nodes {
		fillAccount(&out.Nodes[i], &c.Nodes[i])
	}
	return out
}

func toCompany(c *appdirect.Company) *model.Company {
	if c == nil {
		return nil
	}
	out := &model.Company{
		ID:               c.UUID,
		Name:             optional(c.Name),
		Enabled:          &c.Enabled,
		AllowLogin:       &c.AllowLogin,
		CompanySize:      optional(c.CompanySize),
		Industry:         optional(c.Industry),
		EmailAddress:     optional(c.EmailAddress),
		Website:          optional(c.Website),
		ExternalID:       optional(c.ExternalID),
		PhoneNumber:      optional(c.PhoneNumber),
		DefaultRole:      optional(c.DefaultRole),
		CountryCode:      optional(c.CountryCode),
		Status:           optional(c.Status),
		Vendor:           &c.Vendor,
		Reseller:         &c.Reseller,
		ChannelAdmin:     &c.ChannelAdmin,
		CompanyID:        optional(c.CompanyID),
		Address:          toCompanyAddress(c.Address),
		Links:            make([]model.CompanyLink, 0, len(c.Links)),
		CustomAttributes: make([]string, 0, len(c.CustomAttributes)),
	}
	for _, l := range c.Links {
		out.Links = append(out.Links, model.CompanyLink{Rel: l.Rel, Href: l.Href})
	}
	for _, a := range c.CustomAttributes {
		out.CustomAttributes = append(out.CustomAttributes, string(a))
	}
	if c.CreationDate > 0 {
		t := time.UnixMilli(c.CreationDate).UTC()
		out.CreatedOn = &t
	}
	return out
}

func toCompanyAddress(a *appdirect.Address) *model.CompanyAddress {
	if a == nil {
		return nil
	}
	return &model.CompanyAddress{Street1: optional(a.Street1), Street2: optional(a.Street2), City: optional(a.City),
		State: optional(a.State), Zip: optional(a.Zip), Country: optional(a.Country)}
}

func toCompanyPage(p *appdirect.CompanyPage) *model.CompanyPage {
	out := &model.CompanyPage{Nodes: make([]model.Company, 0, len(p.Content)), Page: p.Page.Number, Size: p.Page.Size,
		TotalCount: p.Page.TotalElements, TotalPages: p.Page.TotalPages}
	for i := range p.Content {
		out.Nodes = append(out.Nodes, *toCompany(&p.Content[i]))
	}
	return out
}

func toDeleteAccountPayload(r *appdirect.DeleteAccountResult) *model.DeleteAccountPayload {
	out := &model.DeleteAccountPayload{Success: r.Success, UserErrors: make([]model.DeleteAccountUserError, 0, len(r.UserErrors))}
	for _, ue := range r.UserErrors {
		out.UserErrors = append(out.UserErrors, model.DeleteAccountUserError{Code: optional(ue.Code), Message: optional(ue.Message)})
	}
	return out
}

// appDirect is the appdirect client, or VENDOR_NOT_CONFIGURED.
func (c *Clients) appDirect() (*appdirect.Client, error) {
	return clientOf[*appdirect.Client](c, appdirect.Name)
}
