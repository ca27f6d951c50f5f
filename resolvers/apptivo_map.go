package resolvers

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/switchyard/switchyard/graph/model"
	"github.com/switchyard/switchyard/internal/errcode"
	"github.com/switchyard/switchyard/vendors/apptivo"
)

// Page sizes for Apptivo connections. The maximum matches the largest
// page Switchyard asks Apptivo for in one call.
const (
	defaultPageSize = 20
	maxPageSize     = 100
)

// apptivoTimeLayout is how Apptivo writes instants ("2017-10-07 05:30:02").
// Apptivo does not say which zone; Switchyard reads them as UTC.
const apptivoTimeLayout = "2006-01-02 15:04:05"

func toCustomer(c *apptivo.Customer) *model.Customer {
	out := &model.Customer{
		ID:             strconv.FormatInt(c.CustomerID, 10),
		Name:           c.CustomerName,
		CustomerNumber: optional(c.CustomerNumber),
		Status:         optional(c.StatusName),
		Category:       optional(c.CustomerCategory),
		AssigneeName:   optional(c.AssigneeObjectRefName),
		Description:    optional(c.Description),
		Website:        optional(c.Website),
		Market:         optional(c.MarketName),
		Industry:       optional(c.IndustryName),
		PaymentTerm:    optional(c.PaymentTerm),
		PrimaryEmail:   optional(c.PrimaryEmail()),
		EmailAddresses: make([]model.CustomerEmail, 0, len(c.EmailAddresses)),
		PhoneNumbers:   make([]model.CustomerPhone, 0, len(c.PhoneNumbers)),
		Addresses:      make([]model.CustomerAddress, 0, len(c.Addresses)),
		CreatedAt:      apptivoTime(c.CreationDate),
		UpdatedAt:      apptivoTime(c.LastUpdateDate),
	}
	if c.CustomerID == 0 && c.ID != "" {
		out.ID = c.ID
	}
	if c.StatusID != 0 {
		out.StatusID = optional(strconv.FormatInt(c.StatusID, 10))
	}
	switch c.IsUnsubscribed {
	case "Y":
		t := true
		out.Unsubscribed = &t
	case "N":
		f := false
		out.Unsubscribed = &f
	}
	for _, e := range c.EmailAddresses {
		out.EmailAddresses = append(out.EmailAddresses, model.CustomerEmail{Address: e.EmailAddress, TypeCode: optional(e.EmailTypeCode), Type: optional(e.EmailType)})
	}
	for _, p := range c.PhoneNumbers {
		out.PhoneNumbers = append(out.PhoneNumbers, model.CustomerPhone{Number: p.PhoneNumber, TypeCode: optional(p.PhoneTypeCode), Type: optional(p.PhoneType)})
	}
	for _, a := range c.Addresses {
		out.Addresses = append(out.Addresses, model.CustomerAddress{
			Type: optional(a.AddressType), Line1: optional(a.AddressLine1), Line2: optional(a.AddressLine2),
			City: optional(a.City), State: optional(a.State), StateCode: optional(a.StateCode),
			ZipCode: optional(a.ZipCode), CountryName: optional(a.CountryName), CountryCode: optional(a.CountryCode),
		})
	}
	return out
}

func apptivoTime(s string) *time.Time {
	t, err := time.ParseInLocation(apptivoTimeLayout, s, time.UTC)
	if err != nil {
		return nil
	}
	return &t
}

func toCustomerConnection(page *apptivo.Page, start int) *model.CustomerConnection {
	conn := &model.CustomerConnection{
		Edges:      make([]model.CustomerEdge, 0, len(page.Customers)),
		Nodes:      make([]model.Customer, 0, len(page.Customers)),
		PageInfo:   &model.PageInfo{HasPreviousPage: start > 0},
		TotalCount: &page.Total,
	}
	for i := range page.Customers {
		node := *toCustomer(&page.Customers[i])
		conn.Edges = append(conn.Edges, model.CustomerEdge{Cursor: offsetCursor(start + i), Node: &node})
		conn.Nodes = append(conn.Nodes, node)
	}
	if n := len(conn.Edges); n > 0 {
		conn.PageInfo.StartCursor = &conn.Edges[0].Cursor
		conn.PageInfo.EndCursor = &conn.Edges[n-1].Cursor
		conn.PageInfo.HasNextPage = start+n < page.Total
	}
	return conn
}

const cursorPrefix = "offset:"

// offsetCursor makes the opaque cursor of the item at offset i. Apptivo
// pages by offset, so the cursor carries one.
func offsetCursor(i int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.Itoa(i)))
}

// pageWindow turns first/after into an Apptivo offset and count.
func pageWindow(first *int, after *string) (start, count int, err error) {
	count = defaultPageSize
	if first != nil {
		if *first < 0 || *first > maxPageSize {
			return 0, 0, errcode.Input("first", "must be between 0 and %d", maxPageSize)
		}
		count = *first
	}
	if after != nil && *after != "" {
		raw, decErr := base64.RawURLEncoding.DecodeString(*after)
		n, convErr := strconv.Atoi(strings.TrimPrefix(string(raw), cursorPrefix))
		if decErr != nil || convErr != nil || !strings.HasPrefix(string(raw), cursorPrefix) || n < 0 {
			return 0, 0, errcode.Input("after", "not a cursor this connection issued")
		}
		start = n + 1
	}
	return start, count, nil
}

// customerID checks an Apptivo customer id (numeric) before any call.
func customerID(field, id string) (string, error) {
	id = strings.TrimSpace(id)
	if n, err := strconv.ParseInt(id, 10, 64); err != nil || n <= 0 {
		return "", errcode.Input(field, "must be a numeric Apptivo customer id")
	}
	return id, nil
}

func emailsToWire(in []model.CustomerEmailInput) ([]apptivo.Email, error) {
	out := make([]apptivo.Email, 0, len(in))
	for i, e := range in {
		addr := strings.TrimSpace(e.Address)
		if addr == "" || !strings.Contains(addr, "@") {
			return nil, errcode.Input("emailAddresses["+strconv.Itoa(i)+"].address", "must be an email address")
		}
		code := deref(e.TypeCode)
		if code == "" {
			code = "BUSINESS"
		}
		out = append(out, apptivo.Email{EmailAddress: addr, EmailTypeCode: code, EmailType: typeLabel(code)})
	}
	return out, nil
}

func phonesToWire(in []model.CustomerPhoneInput) []apptivo.Phone {
	out := make([]apptivo.Phone, 0, len(in))
	for _, p := range in {
		code := deref(p.TypeCode)
		if code == "" {
			code = "PHONE_BUSINESS"
		}
		out = append(out, apptivo.Phone{PhoneNumber: p.Number, PhoneTypeCode: code, PhoneType: typeLabel(strings.TrimPrefix(code, "PHONE_"))})
	}
	return out
}

func addressesToWire(in []model.CustomerAddressInput) []apptivo.Address {
	out := make([]apptivo.Address, 0, len(in))
	for _, a := range in {
		typ := deref(a.Type)
		if typ == "" {
			typ = "Billing Address"
		}
		out = append(out, apptivo.Address{
			AddressType: typ, AddressLine1: deref(a.Line1), AddressLine2: deref(a.Line2), City: deref(a.City),
			State: deref(a.State), ZipCode: deref(a.ZipCode), CountryCode: deref(a.CountryCode),
		})
	}
	return out
}

// typeLabel turns a type code such as BUSINESS into Apptivo's label
// (Business).
func typeLabel(code string) string {
	if code == "" {
		return ""
	}
	return strings.ToUpper(code[:1]) + strings.ToLower(code[1:])
}

// updateFields lists the Apptivo attributes an update names: only the
// fields the client gave.
func updateFields(in model.UpdateCustomerInput) (map[string]any, error) {
	fields := map[string]any{}
	if in.Name != nil {
		if strings.TrimSpace(*in.Name) == "" {
			return nil, errcode.Input("input.name", "must not be blank")
		}
		fields["customerName"] = *in.Name
	}
	if in.CustomerNumber != nil {
		fields["customerNumber"] = *in.CustomerNumber
	}
	if in.StatusID != nil {
		n, err := strconv.ParseInt(*in.StatusID, 10, 64)
		if err != nil {
			return nil, errcode.Input("input.statusId", "must be a numeric Apptivo status id")
		}
		fields["statusId"] = n
	}
	if in.Description != nil {
		fields["description"] = *in.Description
	}
	if in.Website != nil {
		fields["website"] = *in.Website
	}
	if in.EmailAddresses != nil {
		emails, err := emailsToWire(in.EmailAddresses)
		if err != nil {
			return nil, err
		}
		fields["emailAddresses"] = emails
	}
	if in.PhoneNumbers != nil {
		fields["phoneNumbers"] = phonesToWire(in.PhoneNumbers)
	}
	if in.Addresses != nil {
		fields["addresses"] = addressesToWire(in.Addresses)
	}
	if len(fields) == 0 {
		return nil, errcode.Input("input", "give at least one field to change")
	}
	return fields, nil
}

func newCustomer(in model.CreateCustomerInput) (apptivo.Customer, error) {
	c := apptivo.Customer{CustomerName: strings.TrimSpace(in.Name), CustomerNumber: deref(in.CustomerNumber), Description: deref(in.Description), Website: deref(in.Website)}
	if c.CustomerName == "" {
		return c, errcode.Input("input.name", "must not be blank")
	}
	if in.StatusID != nil {
		n, err := strconv.ParseInt(*in.StatusID, 10, 64)
		if err != nil {
			return c, errcode.Input("input.statusId", "must be a numeric Apptivo status id")
		}
		c.StatusID = n
	}
	var err error
	if c.EmailAddresses, err = emailsToWire(in.EmailAddresses); err != nil {
		return c, err
	}
	c.PhoneNumbers = phonesToWire(in.PhoneNumbers)
	c.Addresses = addressesToWire(in.Addresses)
	return c, nil
}

func searchQuery(in model.CustomerSearchInput) (apptivo.SearchQuery, error) {
	q := apptivo.SearchQuery{CustomerName: strings.TrimSpace(deref(in.Name)), CustomerNumber: strings.TrimSpace(deref(in.CustomerNumber)), Email: strings.TrimSpace(deref(in.Email)), Phone: strings.TrimSpace(deref(in.Phone))}
	for i, id := range in.StatusIds {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return q, errcode.Input("filter.statusIds["+strconv.Itoa(i)+"]", "must be a numeric Apptivo status id")
		}
		q.StatusIDs = append(q.StatusIDs, n)
	}
	if q.CustomerName == "" && q.CustomerNumber == "" && q.Email == "" && q.Phone == "" && len(q.StatusIDs) == 0 {
		return q, errcode.Input("filter", "give at least one condition")
	}
	return q, nil
}

// customerPage loads one page of the customer list through the request's
// loader, so the same page under two aliases costs one call.
func (r *Resolver) customerPage(ctx context.Context, start, count int) (*apptivo.Page, error) {
	if count > 0 {
		return r.loaders(ctx).CustomerPage.Load(ctx, pageKey{Start: start, Count: count})
	}
	// first: 0 still wants totalCount: ask for the smallest page.
	page, err := r.loaders(ctx).CustomerPage.Load(ctx, pageKey{Start: start, Count: 1})
	if err != nil {
		return nil, err
	}
	return &apptivo.Page{Total: page.Total}, nil
}

func toCustomerConfig(cfg *apptivo.ConfigData) *model.CustomerConfig {
	items := func(in []apptivo.ConfigItem) []model.ConfigItem {
		out := make([]model.ConfigItem, 0, len(in))
		for _, it := range in {
			out = append(out, model.ConfigItem{ID: strconv.FormatInt(it.ID, 10), Name: it.Name})
		}
		return out
	}
	return &model.CustomerConfig{
		Statuses:       items(cfg.Statuses),
		Categories:     items(cfg.Categories),
		Markets:        items(cfg.Markets),
		Industries:     items(cfg.Industries),
		PaymentTerms:   items(cfg.PaymentTerms),
		EmployeeRanges: items(cfg.EmployeeRanges),
	}
}
