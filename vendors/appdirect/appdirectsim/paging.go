package appdirectsim

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/switchyard/switchyard/vendors/appdirect/appdirectsim/graph/model"
)

// Page size bounds. Inference: AppDirect does not publish them; 100 is the
// usual Relay cap and 20 the size used when neither first nor last is given.
const (
	maxPageSize     = 100
	defaultPageSize = 20
)

// cursorKey is what an opaque cursor encodes: every sort key of the
// account it points at, so a cursor stays valid when that account is
// deleted and works under either ordering.
type cursorKey struct {
	ID      string    `json:"i"`
	Name    string    `json:"n"`
	Created time.Time `json:"c"`
}

func keyOf(a accountRecord) cursorKey {
	k := cursorKey{ID: a.ID, Name: a.Name}
	if a.CreatedOn != nil {
		k.Created = a.CreatedOn.UTC()
	}
	return k
}

func encodeCursor(a accountRecord) string {
	b, _ := json.Marshal(keyOf(a))
	return base64.StdEncoding.EncodeToString(append([]byte("account:"), b...))
}

var errBadCursor = errors.New("cursor is not one this server issued")

func decodeCursor(s string) (cursorKey, error) {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return cursorKey{}, errBadCursor
	}
	body, ok := strings.CutPrefix(string(raw), "account:")
	if !ok {
		return cursorKey{}, errBadCursor
	}
	var k cursorKey
	if err := json.Unmarshal([]byte(body), &k); err != nil || k.ID == "" {
		return cursorKey{}, errBadCursor
	}
	return k, nil
}

// ordering returns a strict total order over cursor keys for orderBy;
// the id breaks ties so pages never overlap or skip. Inference: the
// default order is DATE ascending.
func ordering(orderBy *model.AccountOrderBy) func(a, b cursorKey) bool {
	field, desc := model.AccountOrderFieldDate, false
	if orderBy != nil {
		field = orderBy.Field
		desc = orderBy.Direction != nil && *orderBy.Direction == model.OrderDirectionDesc
	}
	asc := func(a, b cursorKey) int {
		var c int
		if field == model.AccountOrderFieldName {
			c = strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
			if c == 0 {
				c = strings.Compare(a.Name, b.Name)
			}
		} else {
			c = a.Created.Compare(b.Created)
		}
		if c == 0 {
			c = strings.Compare(a.ID, b.ID)
		}
		return c
	}
	if desc {
		return func(a, b cursorKey) bool { return asc(a, b) > 0 }
	}
	return func(a, b cursorKey) bool { return asc(a, b) < 0 }
}

func matches(a accountRecord, f *model.AccountFilter) bool {
	if f == nil {
		return true
	}
	if f.SearchText != nil {
		text := strings.ToLower(*f.SearchText)
		if !strings.Contains(strings.ToLower(a.Name), text) && !strings.Contains(strings.ToLower(a.ExternalID), text) {
			return false
		}
	}
	if f.Name != nil && !strings.EqualFold(a.Name, *f.Name) {
		return false
	}
	if f.AccountStatus != nil && a.Status != string(*f.AccountStatus) {
		return false
	}
	if f.AccessType != nil && !a.hasAccessType(string(*f.AccessType)) {
		return false
	}
	if f.CreatedBefore != nil && (a.CreatedOn == nil || !a.CreatedOn.Before(*f.CreatedBefore)) {
		return false
	}
	if f.CreatedAfter != nil && (a.CreatedOn == nil || !a.CreatedOn.After(*f.CreatedAfter)) {
		return false
	}
	return true
}

type pageArgs struct {
	first, last   *int
	after, before *string
	filter        *model.AccountFilter
	orderBy       *model.AccountOrderBy
}

// inputError is a client mistake a resolver reports with
// extensions.code BAD_USER_INPUT.
type inputError struct{ msg string }

func (e inputError) Error() string { return e.msg }

// paginate applies the Relay connection algorithm: filter, order, cut at
// after/before, then keep the first `first` or last `last` of what is left.
func paginate(all []accountRecord, p pageArgs) (*model.AccountConnection, error) {
	if p.first != nil && p.last != nil {
		return nil, inputError{"first and last cannot be used together"}
	}
	for name, v := range map[string]*int{"first": p.first, "last": p.last} {
		if v != nil && (*v < 0 || *v > maxPageSize) {
			return nil, inputError{fmt.Sprintf("%s must be between 0 and %d", name, maxPageSize)}
		}
	}
	less := ordering(p.orderBy)
	list := make([]accountRecord, 0, len(all))
	for _, a := range all {
		if matches(a, p.filter) {
			list = append(list, a)
		}
	}
	sort.Slice(list, func(i, j int) bool { return less(keyOf(list[i]), keyOf(list[j])) })

	lo, hi := 0, len(list)
	if p.after != nil {
		c, err := decodeCursor(*p.after)
		if err != nil {
			return nil, inputError{"after: " + err.Error()}
		}
		lo = sort.Search(len(list), func(i int) bool { return less(c, keyOf(list[i])) })
	}
	if p.before != nil {
		c, err := decodeCursor(*p.before)
		if err != nil {
			return nil, inputError{"before: " + err.Error()}
		}
		hi = sort.Search(len(list), func(i int) bool { return !less(keyOf(list[i]), c) })
	}
	if hi < lo {
		hi = lo
	}
	switch {
	case p.first != nil:
		hi = min(hi, lo+*p.first)
	case p.last != nil:
		lo = max(lo, hi-*p.last)
	default:
		hi = min(hi, lo+defaultPageSize)
	}

	conn := &model.AccountConnection{
		Edges:      make([]model.AccountEdge, 0, hi-lo),
		Nodes:      make([]model.Account, 0, hi-lo),
		TotalCount: len(list),
		PageInfo:   &model.PageInfo{HasPreviousPage: lo > 0, HasNextPage: hi < len(list)},
	}
	for _, a := range list[lo:hi] {
		node := toModel(a)
		n := node
		conn.Nodes = append(conn.Nodes, node)
		conn.Edges = append(conn.Edges, model.AccountEdge{Cursor: encodeCursor(a), Node: &n})
	}
	if len(conn.Edges) > 0 {
		start, end := conn.Edges[0].Cursor, conn.Edges[len(conn.Edges)-1].Cursor
		conn.PageInfo.StartCursor, conn.PageInfo.EndCursor = &start, &end
	}
	return conn, nil
}

func toModel(a accountRecord) model.Account {
	m := model.Account{
		ID:                 a.ID,
		Name:               a.Name,
		Status:             model.AccountStatus(a.Status),
		AccessTypes:        make([]model.AccessType, 0, len(a.AccessTypes)),
		CreatedOn:          a.CreatedOn,
		DefaultRole:        nullable(a.DefaultRole),
		ExternalID:         nullable(a.ExternalID),
		CountryCode:        nullable(a.CountryCode),
		Website:            nullable(a.Website),
		ContactEmail:       nullable(a.ContactEmail),
		ContactPhoneNumber: nullable(a.ContactPhoneNumber),
		CompanySize:        nullable(a.CompanySize),
		Tenant:             nullable(a.Tenant),
	}
	if ad := a.Address; ad != nil {
		m.ContactAddress = &model.Address{Street1: nullable(ad.Street1), Street2: nullable(ad.Street2), City: nullable(ad.City),
			State: nullable(ad.State), Zip: nullable(ad.Zip), Country: nullable(ad.Country)}
	}
	for _, t := range a.AccessTypes {
		m.AccessTypes = append(m.AccessTypes, model.AccessType(t))
	}
	return m
}

// Membership cursors encode the member's user id, so a cursor names a
// member rather than a position.
const membershipCursorPrefix = "membership:"

func encodeMembershipCursor(m membership) string {
	return base64.StdEncoding.EncodeToString([]byte(membershipCursorPrefix + m.UserID))
}

// paginateMemberships pages an account's memberships forward, in the
// order they are stored. Inference: AppDirect's accountMemberships takes
// first/after with the accounts query's bounds (0..100, default 20).
func paginateMemberships(list []membership, first *int, after *string) (*model.AccountMembershipConnection, error) {
	if first != nil && (*first < 0 || *first > maxPageSize) {
		return nil, inputError{fmt.Sprintf("first must be between 0 and %d", maxPageSize)}
	}
	lo := 0
	if after != nil {
		raw, err := base64.StdEncoding.DecodeString(*after)
		id, ok := strings.CutPrefix(string(raw), membershipCursorPrefix)
		if err != nil || !ok || id == "" {
			return nil, inputError{"after: " + errBadCursor.Error()}
		}
		lo = -1
		for i, m := range list {
			if m.UserID == id {
				lo = i + 1
				break
			}
		}
		if lo < 0 {
			return nil, inputError{"after: no member " + id + " in this account"}
		}
	}
	n := defaultPageSize
	if first != nil {
		n = *first
	}
	hi := min(len(list), lo+n)
	conn := &model.AccountMembershipConnection{
		Edges:      make([]model.AccountMembershipEdge, 0, hi-lo),
		Nodes:      make([]model.AccountMembership, 0, hi-lo),
		TotalCount: len(list),
		PageInfo:   &model.PageInfo{HasPreviousPage: lo > 0, HasNextPage: hi < len(list)},
	}
	for _, m := range list[lo:hi] {
		node := model.AccountMembership{
			User:  &model.User{ID: m.UserID, Email: m.Email, FirstName: nullable(m.FirstName), LastName: nullable(m.LastName)},
			Roles: append([]string{}, m.Roles...),
		}
		n := node
		conn.Nodes = append(conn.Nodes, node)
		conn.Edges = append(conn.Edges, model.AccountMembershipEdge{Cursor: encodeMembershipCursor(m), Node: &n})
	}
	if len(conn.Edges) > 0 {
		start, end := conn.Edges[0].Cursor, conn.Edges[len(conn.Edges)-1].Cursor
		conn.PageInfo.StartCursor, conn.PageInfo.EndCursor = &start, &end
	}
	return conn, nil
}
