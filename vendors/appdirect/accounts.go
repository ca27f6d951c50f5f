package appdirect

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// Account is an AppDirect GraphQL Account. Only the fields the caller
// selected are filled in; the rest stay zero.
type Account struct {
	ID                 string    `json:"id"`
	Name               string    `json:"name"`
	Status             string    `json:"status"`
	AccessTypes        []string  `json:"accessTypes"`
	CreatedOn          *DateTime `json:"createdOn"`
	DefaultRole        string    `json:"defaultRole"`
	ExternalID         string    `json:"externalId"`
	CountryCode        string    `json:"countryCode"`
	Website            string    `json:"website"`
	ContactEmail       string    `json:"contactEmail"`
	ContactPhoneNumber string    `json:"contactPhoneNumber"`
	CompanySize        string    `json:"companySize"`
	ContactAddress     *Address  `json:"contactAddress"`
	Tenant             string    `json:"tenant"`
	// AccountMemberships is one page of the account's members; nil
	// unless "accountMemberships" was selected.
	AccountMemberships *MembershipConnection `json:"accountMemberships"`
}

// MembershipConnection is one page of an account's memberships.
// Inference: a Relay connection like accounts, paged forward with
// first/after (see MembershipsArgs).
type MembershipConnection struct {
	Nodes      []Membership `json:"nodes"`
	PageInfo   PageInfo     `json:"pageInfo"`
	TotalCount *int         `json:"totalCount"`
}

// Membership is one user's membership of an account: the user and the
// user's roles there. Inference: AppDirect's AccountMembership{user{id
// email firstName lastName} roles}.
type Membership struct {
	User  MemberUser `json:"user"`
	Roles []string   `json:"roles"`
}

// MemberUser is the user of a membership.
type MemberUser struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
}

// MembershipsArgs page Account.accountMemberships when it is selected;
// they travel as the variables $membershipsFirst and $membershipsAfter,
// declared only then. Unset values are not sent (AppDirect's default page
// applies).
type MembershipsArgs struct {
	First *int
	After *string
}

// AccountFields is the set of Account fields a caller may select, in
// AppDirect's names.
var AccountFields = []string{"id", "name", "status", "accessTypes", "createdOn", "defaultRole", "externalId", "countryCode", "website", "contactEmail", "contactPhoneNumber", "companySize", "contactAddress", "tenant", "accountMemberships"}

// FieldAccountMemberships is the one Account field that takes arguments
// and may return many records: selecting it asks AppDirect for a page of
// members with every account.
const FieldAccountMemberships = "accountMemberships"

// subSelections are the selection sets of the object-typed Account
// fields. Inference: contactAddress has the REST address's fields.
var subSelections = map[string]string{
	"contactAddress":        "contactAddress { street1 street2 city state zip country }",
	FieldAccountMemberships: "accountMemberships(first: $membershipsFirst, after: $membershipsAfter) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { user { id email firstName lastName } roles } }",
}

// membershipsVarDecls declares accountMemberships' variables; a query
// carries it only when that field is selected, so the text of every other
// query is unchanged.
const membershipsVarDecls = ", $membershipsFirst: Int, $membershipsAfter: String"

var accountFieldSet = func() map[string]bool {
	m := make(map[string]bool, len(AccountFields))
	for _, f := range AccountFields {
		m[f] = true
	}
	return m
}()

// DateTime is Account.createdOn, read leniently: RFC 3339 is what the
// DateTime scalar promises, but a zone-less ISO 8601 value or epoch
// milliseconds would otherwise fail the whole page. Being its own type
// (convertible to time.Time) rather than a custom Account.UnmarshalJSON
// keeps the rest of an account decoded in the reply's single pass: an
// Account-level hook would make encoding/json validate and decode every
// account of a page a second time.
type DateTime time.Time

// UnmarshalJSON implements json.Unmarshaler (null leaves the pointer nil,
// as encoding/json does before calling it).
func (d *DateTime) UnmarshalJSON(b []byte) error {
	t, err := parseDateTime(b)
	if err != nil {
		return fmt.Errorf("createdOn: %w", err)
	}
	if t != nil {
		*d = DateTime(*t)
	}
	return nil
}

// MarshalJSON writes RFC 3339, as time.Time does.
func (d DateTime) MarshalJSON() ([]byte, error) { return time.Time(d).MarshalJSON() }

// Time returns d as a *time.Time (nil for nil).
func (d *DateTime) Time() *time.Time { return (*time.Time)(d) }

var isoLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"}

func parseDateTime(raw json.RawMessage) (*time.Time, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return nil, nil
	}
	if !strings.HasPrefix(s, `"`) {
		ms, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("not a date-time: %s", s)
		}
		t := time.UnixMilli(ms).UTC()
		return &t, nil
	}
	var str string
	if err := json.Unmarshal(raw, &str); err != nil {
		return nil, err
	}
	for _, layout := range isoLayouts {
		if t, err := time.Parse(layout, str); err == nil {
			return &t, nil
		}
	}
	return nil, fmt.Errorf("not an ISO 8601 date-time: %q", str)
}

// ConnectionSelection says which parts of AccountConnection the caller
// needs; only those are put in the query text, so AppDirect computes
// (and counts against us) nothing the gateway's caller did not ask for.
type ConnectionSelection struct {
	// Fields are the Account fields for nodes and edges.node; "id" is
	// always added.
	Fields     []string
	Nodes      bool
	Edges      bool
	Cursor     bool
	PageInfo   bool
	TotalCount bool
}

// AccountsArgs are the accounts query's arguments. They travel as GraphQL
// variables, never in the query text.
type AccountsArgs struct {
	First, Last   *int
	After, Before *string
	Filter        *AccountFilter
	OrderBy       *AccountOrderBy
	// Memberships pages each account's accountMemberships, when selected.
	Memberships MembershipsArgs
}

// AccountFilter narrows the accounts query. Inference: the input type is
// named AccountFilter.
type AccountFilter struct {
	SearchText    *string    `json:"searchText,omitempty"`
	Name          *string    `json:"name,omitempty"`
	AccountStatus *string    `json:"accountStatus,omitempty"`
	AccessType    *string    `json:"accessType,omitempty"`
	CreatedBefore *time.Time `json:"createdBefore,omitempty"`
	CreatedAfter  *time.Time `json:"createdAfter,omitempty"`
}

// AccountOrderBy orders the accounts query. Inference: the input type is
// named AccountOrderBy with field NAME|DATE and direction ASC|DESC.
type AccountOrderBy struct {
	Field     string `json:"field"`
	Direction string `json:"direction,omitempty"`
}

// AccountEdge is one edge of the accounts connection.
type AccountEdge struct {
	Cursor string  `json:"cursor"`
	Node   Account `json:"node"`
}

// PageInfo is the Relay page info of the accounts connection.
type PageInfo struct {
	HasNextPage     bool    `json:"hasNextPage"`
	HasPreviousPage bool    `json:"hasPreviousPage"`
	StartCursor     *string `json:"startCursor"`
	EndCursor       *string `json:"endCursor"`
}

// AccountConnection is one page of accounts; only the selected parts are
// filled in.
type AccountConnection struct {
	Edges      []AccountEdge `json:"edges"`
	Nodes      []Account     `json:"nodes"`
	PageInfo   PageInfo      `json:"pageInfo"`
	TotalCount *int          `json:"totalCount"`
}

// accountsVarDecls declares every argument of accounts once, always in the
// same order, so the text of a query depends only on the selection.
const (
	accountsVarDecls = "$first: Int, $after: String, $last: Int, $before: String, $filter: AccountFilter, $orderBy: AccountOrderBy"
	accountsArgs     = "first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy"
)

// selectionSet renders "{ id f1 f2 }" from the requested fields, "id"
// first, then the others in the caller's order without repeats, and says
// whether accountMemberships (whose variables the query must declare) is
// among them. An unknown name is refused: it is never written into the
// query text.
func selectionSet(op string, fields []string) (string, bool, error) {
	out := []string{"id"}
	seen := map[string]bool{"id": true}
	for _, f := range fields {
		if !accountFieldSet[f] {
			return "", false, &outbound.Error{Vendor: Name, Operation: op, Kind: outbound.KindBadInput, Message: fmt.Sprintf("unknown account field %q", f)}
		}
		if !seen[f] {
			seen[f] = true
			if sub, ok := subSelections[f]; ok {
				out = append(out, sub)
				continue
			}
			out = append(out, f)
		}
	}
	return "{ " + strings.Join(out, " ") + " }", seen[FieldAccountMemberships], nil
}

// membershipsVariables adds accountMemberships' variables that are set.
func membershipsVariables(vars map[string]any, m MembershipsArgs) map[string]any {
	if m.First != nil {
		vars["membershipsFirst"] = *m.First
	}
	if m.After != nil {
		vars["membershipsAfter"] = *m.After
	}
	return vars
}

// accountsQuery builds the accounts query text for a selection.
func accountsQuery(sel ConnectionSelection) (string, error) {
	fields, members, err := selectionSet(opListAccounts, sel.Fields)
	if err != nil {
		return "", err
	}
	decls := accountsVarDecls
	if members && (sel.Nodes || sel.Edges) {
		decls += membershipsVarDecls
	}
	var parts []string
	if sel.Nodes {
		parts = append(parts, "nodes "+fields)
	}
	if sel.Edges || sel.Cursor {
		var edge []string
		if sel.Cursor {
			edge = append(edge, "cursor")
		}
		if sel.Edges {
			edge = append(edge, "node "+fields)
		}
		parts = append(parts, "edges { "+strings.Join(edge, " ")+" }")
	}
	if sel.PageInfo {
		parts = append(parts, "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }")
	}
	if sel.TotalCount {
		parts = append(parts, "totalCount")
	}
	if len(parts) == 0 {
		// A selection set may not be empty; ask for the cheapest thing.
		parts = append(parts, "__typename")
	}
	return "query(" + decls + ") { accounts(" + accountsArgs + ") { " + strings.Join(parts, " ") + " } }", nil
}

// accountsVariables holds only the arguments the caller set: an absent
// variable and a null one mean the same to AppDirect, and leaving them out
// keeps identical requests byte-identical. Filter times are sent in UTC
// for the same reason. The membership page goes only with a query that
// selects accountMemberships (members).
func accountsVariables(args AccountsArgs, members bool) map[string]any {
	vars := map[string]any{}
	if args.First != nil {
		vars["first"] = *args.First
	}
	if args.After != nil {
		vars["after"] = *args.After
	}
	if args.Last != nil {
		vars["last"] = *args.Last
	}
	if args.Before != nil {
		vars["before"] = *args.Before
	}
	if f := args.Filter; f != nil {
		utc := *f
		for _, t := range []**time.Time{&utc.CreatedBefore, &utc.CreatedAfter} {
			if *t != nil {
				u := (*t).UTC()
				*t = &u
			}
		}
		vars["filter"] = utc
	}
	if args.OrderBy != nil {
		vars["orderBy"] = *args.OrderBy
	}
	if members {
		membershipsVariables(vars, args.Memberships)
	}
	return vars
}

const (
	opListAccounts      = "list accounts"
	opGetAccount        = "get account"
	opGetAccountByExtID = "get account by external id"
	opDeleteAccount     = "delete account"
)

// Accounts fetches one page of accounts, asking only for the parts of the
// connection sel names.
func (c *Client) Accounts(ctx context.Context, sel ConnectionSelection, args AccountsArgs) (*AccountConnection, error) {
	query, err := accountsQuery(sel)
	if err != nil {
		return nil, err
	}
	var data struct {
		Accounts *AccountConnection `json:"accounts"`
	}
	members := slices.Contains(sel.Fields, FieldAccountMemberships) && (sel.Nodes || sel.Edges)
	if err := c.execRaw(ctx, opListAccounts, query, accountsVariables(args, members), &data); err != nil {
		return nil, err
	}
	if data.Accounts == nil {
		return nil, &outbound.Error{Vendor: Name, Operation: opListAccounts, Kind: outbound.KindUpstream, Message: "reply has no accounts"}
	}
	return data.Accounts, nil
}

// Account fetches one account by its id with the given fields; it returns
// (nil, nil) when AppDirect has no such account. members, at most one,
// pages accountMemberships when fields select it.
func (c *Client) Account(ctx context.Context, id string, fields []string, members ...MembershipsArgs) (*Account, error) {
	return c.oneAccount(ctx, opGetAccount, "query($id: ID!", ") { account(id: $id) ", "account", "id", id, fields, members)
}

// AccountByExternalID fetches one account by its external id; (nil, nil)
// when there is none. members is as for Account.
func (c *Client) AccountByExternalID(ctx context.Context, externalID string, fields []string, members ...MembershipsArgs) (*Account, error) {
	return c.oneAccount(ctx, opGetAccountByExtID, "query($externalId: String!", ") { accountByExternalId(externalId: $externalId) ", "accountByExternalId", "externalId", externalID, fields, members)
}

// oneAccount runs a single-account query: decl and head are the text up
// to the selection set (the membership variables are declared between
// them when selected), key the reply's field, and the lookup value travels
// as the variable varName.
func (c *Client) oneAccount(ctx context.Context, op, decl, head, key, varName, value string, fields []string, members []MembershipsArgs) (*Account, error) {
	if strings.TrimSpace(value) == "" {
		return nil, &outbound.Error{Vendor: Name, Operation: op, Kind: outbound.KindBadInput, Message: varName + " must not be empty"}
	}
	if len(members) > 1 {
		return nil, &outbound.Error{Vendor: Name, Operation: op, Kind: outbound.KindBadInput, Message: "at most one MembershipsArgs"}
	}
	set, withMembers, err := selectionSet(op, fields)
	if err != nil {
		return nil, err
	}
	vars := map[string]any{varName: value}
	if withMembers {
		decl += membershipsVarDecls
		if len(members) == 1 {
			membershipsVariables(vars, members[0])
		}
	}
	var data map[string]*Account
	if err := c.execRaw(ctx, op, decl+head+set+" }", vars, &data); err != nil {
		return nil, err
	}
	return data[key], nil
}

// deleteAccountInput is DeleteAccountInput; GetGraphQLType names the
// GraphQL type for hasura's variable declaration.
type deleteAccountInput struct {
	AccountID string `json:"accountId"`
}

func (deleteAccountInput) GetGraphQLType() string { return "DeleteAccountInput" }

// UserError is one entry of deleteAccount's userErrors
// (DeleteAccountError): why AppDirect refused the deletion.
type UserError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// DeleteAccountResult is deleteAccount's payload.
type DeleteAccountResult struct {
	Success    bool
	UserErrors []UserError
}

// DeleteAccount deletes an account. AppDirect refuses (success false, with
// userErrors) an account that still has memberships or active
// subscriptions; then both the payload, userErrors included, and an
// error are returned: KindFailedPrecondition for such a refusal,
// KindNotFound for an unknown account, each with AppDirect's first code
// and every message.
func (c *Client) DeleteAccount(ctx context.Context, accountID string) (*DeleteAccountResult, error) {
	if strings.TrimSpace(accountID) == "" {
		return nil, &outbound.Error{Vendor: Name, Operation: opDeleteAccount, Kind: outbound.KindBadInput, Message: "account id must not be empty"}
	}
	var m struct {
		DeleteAccount struct {
			Success    bool
			UserErrors []struct {
				Code    string
				Message string
			}
		} `graphql:"deleteAccount(input: $input)"`
	}
	vars := map[string]any{"input": deleteAccountInput{AccountID: accountID}}
	if err := c.mutate(outbound.WithOperation(ctx, opDeleteAccount), &m, vars); err != nil {
		return nil, c.Scrub(toError(opDeleteAccount, err))
	}
	res := &DeleteAccountResult{Success: m.DeleteAccount.Success, UserErrors: make([]UserError, 0, len(m.DeleteAccount.UserErrors))}
	for _, ue := range m.DeleteAccount.UserErrors {
		res.UserErrors = append(res.UserErrors, UserError{Code: truncate(c.Secrets.Replace(ue.Code)), Message: truncate(c.Secrets.Replace(ue.Message))})
	}
	if res.Success {
		return res, nil
	}
	e := &outbound.Error{Vendor: Name, Operation: opDeleteAccount, Kind: outbound.KindFailedPrecondition, IDs: []string{accountID}}
	msgs := make([]string, 0, len(res.UserErrors))
	for _, ue := range res.UserErrors {
		if e.Code == "" {
			e.Code = ue.Code
		}
		msgs = append(msgs, ue.Message)
	}
	e.Message = strings.Join(msgs, "; ")
	e.Kind = kindForUserError(e.Code)
	if e.Code == "" && e.Message == "" {
		e.Kind, e.Message = outbound.KindUpstream, "delete refused without a reason"
	}
	return res, c.Scrub(e)
}

// mutate sends a mutation to the preview endpoint: deleteAccount, the only
// mutation used, is in Preview status, and AppDirect serves Preview
// operations only at /api/graphql/preview. It is hasura's Mutate with its decoder's panics turned into an
// error: go-graphql-client v0.14.4's jsonutil panics (reflect.Value.Len on
// a bool) when a reply has an array where the mutation expects a scalar
// or an object, and a malformed vendor reply must be a VENDOR_ERROR, not a
// crash (found by FuzzClient).
func (c *Client) mutate(ctx context.Context, m any, vars map[string]any) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &outbound.Error{Vendor: Name, Operation: opDeleteAccount, Kind: outbound.KindUpstream, HTTPStatus: http.StatusOK, Message: "malformed reply"}
		}
	}()
	return c.gqlPreview.Mutate(ctx, m, vars)
}

// kindForUserError classifies a deleteAccount userErrors code. Inference:
// AppDirect's codes are unpublished; *_NOT_FOUND is an unknown record,
// anything else a refusal given the account's current state.
func kindForUserError(code string) outbound.Kind {
	switch {
	case strings.HasSuffix(code, "NOT_FOUND"):
		return outbound.KindNotFound
	case code == "INVALID_INPUT" || code == "BAD_USER_INPUT" || code == "VALIDATION_ERROR":
		return outbound.KindBadInput
	default:
		return outbound.KindFailedPrecondition
	}
}

// truncate bounds vendor text handed out in a payload as Scrub bounds
// error text.
func truncate(s string) string {
	if len(s) <= outbound.MaxMessage {
		return s
	}
	return s[:outbound.MaxMessage]
}
