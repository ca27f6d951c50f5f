package resolvers

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/switchyard/switchyard/graph/model"
	"github.com/switchyard/switchyard/internal/policy/errcode"
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
		ID:               strconv.FormatInt(c.CustomerID, 10),
		Name:             c.CustomerName,
		CustomerNumber:   optional(c.CustomerNumber),
		Status:           optional(c.StatusName),
		Category:         optional(c.CustomerCategory),
		AssigneeName:     optional(c.AssigneeObjectRefName),
		Description:      optional(c.Description),
		Website:          optional(c.Website),
		Market:           optional(c.MarketName),
		Industry:         optional(c.IndustryName),
		PaymentTerm:      optional(c.PaymentTerm),
		CategoryID:       optionalID(c.CustomerCategoryID),
		MarketID:         optionalID(c.MarketID),
		IndustryID:       optionalID(c.IndustryID),
		PaymentTermID:    optionalID(c.PaymentTermID),
		EmployeeRange:    optional(c.EmployeeRange),
		EmployeeRangeID:  optionalID(c.EmployeeRangeID),
		Segment:          optional(c.SegmentName),
		SegmentID:        optionalID(c.SegmentID),
		AssigneeID:       optionalID(c.AssigneeObjectRefID),
		CustomAttributes: customAttributes(c.CustomAttributes),
		PrimaryEmail:     optional(c.PrimaryEmail()),
		EmailAddresses:   make([]model.CustomerEmail, 0, len(c.EmailAddresses)),
		PhoneNumbers:     make([]model.CustomerPhone, 0, len(c.PhoneNumbers)),
		Addresses:        make([]model.CustomerAddress, 0, len(c.Addresses)),
		CreatedAt:        apptivoTime(c.CreationDate),
		UpdatedAt:        apptivoTime(c.LastUpdateDate),
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
			Type: optional(a.AddressType), TypeCode: optional(a.AddressTypeCode), Line1: optional(a.AddressLine1), Line2: optional(a.AddressLine2),
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
		// id "cont_email_input" as in the documented sample.
		out = append(out, apptivo.Email{EmailAddress: addr, EmailTypeCode: code, EmailType: typeLabel(code), ID: "cont_email_input"})
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

// addressesToWire builds addresses with the documented sample's keys:
// addressAttributeId "address_section_attr_id", addressGroupName
// "Address<n>", addressTypeCode (inference: 1 billing, 2 shipping, 3
// other, from the type when not given), stateCode, countryId, countryName.
func addressesToWire(in []model.CustomerAddressInput) []apptivo.Address {
	out := make([]apptivo.Address, 0, len(in))
	for i, a := range in {
		typ := deref(a.Type)
		if typ == "" {
			typ = "Billing Address"
		}
		code := deref(a.TypeCode)
		if code == "" {
			code = addressTypeCode(typ)
		}
		w := apptivo.Address{
			AddressAttributeID: "address_section_attr_id", AddressGroupName: "Address" + strconv.Itoa(i+1),
			AddressType: typ, AddressTypeCode: code, AddressLine1: deref(a.Line1), AddressLine2: deref(a.Line2), City: deref(a.City),
			State: deref(a.State), StateCode: deref(a.StateCode), ZipCode: deref(a.ZipCode), CountryCode: deref(a.CountryCode),
			CountryName: deref(a.CountryName),
		}
		if a.CountryID != nil {
			w.CountryID = int64(*a.CountryID)
		}
		out = append(out, w)
	}
	return out
}

// addressTypeCode is Apptivo's code for an address type. Inference: the
// sample pairs "Billing Address" with "1"; shipping is 2, anything else 3.
func addressTypeCode(typ string) string {
	switch strings.ToLower(strings.TrimSpace(typ)) {
	case "billing address", "billing":
		return "1"
	case "shipping address", "shipping":
		return "2"
	}
	return "3"
}

// customAttribute is Apptivo's custom attribute. Inference: the key names
// Apptivo uses for custom attributes across its apps.
type customAttribute struct {
	ID    string `json:"customAttributeId"`
	Name  string `json:"customAttributeName,omitempty"`
	Type  string `json:"customAttributeType,omitempty"`
	Value any    `json:"customAttributeValue"`
}

func customAttributes(in []json.RawMessage) []model.CustomerCustomAttribute {
	out := make([]model.CustomerCustomAttribute, 0, len(in))
	for _, raw := range in {
		var a customAttribute
		if json.Unmarshal(raw, &a) != nil || a.ID == "" {
			continue
		}
		m := model.CustomerCustomAttribute{ID: a.ID, Name: optional(a.Name), Type: optional(a.Type)}
		switch v := a.Value.(type) {
		case nil:
		case string:
			m.Value = optional(v)
		default:
			b, _ := json.Marshal(v)
			m.Value = optional(string(b))
		}
		out = append(out, m)
	}
	return out
}

func customAttributesToWire(in []model.CustomerCustomAttributeInput) []customAttribute {
	out := make([]customAttribute, 0, len(in))
	for _, a := range in {
		typ := deref(a.Type)
		if typ == "" {
			typ = "input"
		}
		out = append(out, customAttribute{ID: a.ID, Type: typ, Value: deref(a.Value)})
	}
	return out
}

func optionalID(n int64) *string {
	if n == 0 {
		return nil
	}
	s := strconv.FormatInt(n, 10)
	return &s
}

// customerSort maps orderBy to Apptivo's sortColumn and sortDir.
func customerSort(o *model.CustomerOrder) *apptivo.Sort {
	if o == nil {
		return nil
	}
	col := map[model.CustomerOrderField]string{
		model.CustomerOrderFieldName:    "customerName",
		model.CustomerOrderFieldNumber:  "customerNumber",
		model.CustomerOrderFieldCreated: "creationDate",
		model.CustomerOrderFieldUpdated: "lastUpdateDate",
	}[o.Field]
	return &apptivo.Sort{Column: col, Desc: o.Direction == model.OrderDirectionDesc}
}

// refIDs reads the configured-list ids both inputs share into Apptivo
// attributes (id attribute -> value); assignee adds the sample's
// assigneeObjectId 8 (employees).
func refIDs(prefix string, ids map[string]*string) (map[string]any, error) {
	out := map[string]any{}
	for attr, id := range ids {
		if id == nil {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(*id), 10, 64)
		if err != nil || n <= 0 {
			return nil, errcode.Input(prefix+"."+refInputName[attr], "must be a numeric Apptivo id")
		}
		out[attr] = n
		if attr == "assigneeObjectRefId" {
			out["assigneeObjectId"] = 8
		}
	}
	return out, nil
}

// refInputName names the input field of each attribute refIDs reads.
var refInputName = map[string]string{
	"customerCategoryId": "categoryId", "marketId": "marketId", "industryId": "industryId",
	"paymentTermId": "paymentTermId", "employeeRangeId": "employeeRangeId", "segmentId": "segmentId",
	"assigneeObjectRefId": "assigneeId",
}

func parseIDs(field string, in []string) ([]int64, error) {
	var out []int64
	for i, id := range in {
		n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
		if err != nil {
			return nil, errcode.Input(field+"["+strconv.Itoa(i)+"]", "must be a numeric Apptivo id")
		}
		out = append(out, n)
	}
	return out, nil
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
	if in.CustomAttributes != nil {
		fields["customAttributes"] = customAttributesToWire(in.CustomAttributes)
	}
	refs, err := refIDs("input", map[string]*string{"customerCategoryId": in.CategoryID, "marketId": in.MarketID, "industryId": in.IndustryID,
		"paymentTermId": in.PaymentTermID, "employeeRangeId": in.EmployeeRangeID, "segmentId": in.SegmentID, "assigneeObjectRefId": in.AssigneeID})
	if err != nil {
		return nil, err
	}
	for k, v := range refs {
		fields[k] = v
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
	for _, a := range customAttributesToWire(in.CustomAttributes) {
		b, err := json.Marshal(a)
		if err != nil {
			return c, errcode.Input("input.customAttributes", "cannot be encoded")
		}
		c.CustomAttributes = append(c.CustomAttributes, b)
	}
	refs, err := refIDs("input", map[string]*string{"customerCategoryId": in.CategoryID, "marketId": in.MarketID, "industryId": in.IndustryID,
		"paymentTermId": in.PaymentTermID, "employeeRangeId": in.EmployeeRangeID, "segmentId": in.SegmentID, "assigneeObjectRefId": in.AssigneeID})
	if err != nil {
		return c, err
	}
	set := map[string]*int64{"customerCategoryId": &c.CustomerCategoryID, "marketId": &c.MarketID, "industryId": &c.IndustryID,
		"paymentTermId": &c.PaymentTermID, "employeeRangeId": &c.EmployeeRangeID, "segmentId": &c.SegmentID,
		"assigneeObjectRefId": &c.AssigneeObjectRefID, "assigneeObjectId": &c.AssigneeObjectID}
	for k, v := range refs {
		switch n := v.(type) {
		case int64:
			*set[k] = n
		case int:
			*set[k] = int64(n)
		}
	}
	return c, nil
}

func searchQuery(in model.CustomerSearchInput) (apptivo.SearchQuery, error) {
	q := apptivo.SearchQuery{CustomerName: strings.TrimSpace(deref(in.Name)), CustomerNumber: strings.TrimSpace(deref(in.CustomerNumber)), Email: strings.TrimSpace(deref(in.Email)), Phone: strings.TrimSpace(deref(in.Phone))}
	lists := []struct {
		field string
		in    []string
		dst   *[]int64
	}{
		{"filter.statusIds", in.StatusIds, &q.StatusIDs}, {"filter.categoryIds", in.CategoryIds, &q.CategoryIDs},
		{"filter.marketIds", in.MarketIds, &q.MarketIDs}, {"filter.industryIds", in.IndustryIds, &q.IndustryIDs},
		{"filter.paymentTermIds", in.PaymentTermIds, &q.PaymentTermIDs}, {"filter.employeeRangeIds", in.EmployeeRangeIds, &q.EmployeeRangeIDs},
		{"filter.segmentIds", in.SegmentIds, &q.SegmentIDs}, {"filter.slaIds", in.SLAIds, &q.SLAIDs},
	}
	any := false
	for _, l := range lists {
		ids, err := parseIDs(l.field, l.in)
		if err != nil {
			return q, err
		}
		*l.dst = ids
		any = any || len(ids) > 0
	}
	q.CreatedFrom, q.CreatedTo, q.UpdatedFrom, q.UpdatedTo = in.CreatedFrom, in.CreatedTo, in.UpdatedFrom, in.UpdatedTo
	any = any || q.CreatedFrom != nil || q.CreatedTo != nil || q.UpdatedFrom != nil || q.UpdatedTo != nil
	if q.CustomerName == "" && q.CustomerNumber == "" && q.Email == "" && q.Phone == "" && !any {
		return q, errcode.Input("filter", "give at least one condition")
	}
	return q, nil
}

// customerPage loads one page of the customer list through the request's
// loader, so the same page under two aliases costs one call.
func (r *Resolver) customerPage(ctx context.Context, key pageKey) (*apptivo.Page, error) {
	if key.Count > 0 {
		return r.loaders(ctx).CustomerPage.Load(ctx, key)
	}
	// first: 0 still wants totalCount: ask for the smallest page.
	key.Count = 1
	page, err := r.loaders(ctx).CustomerPage.Load(ctx, key)
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
		Segments:       items(cfg.Segments),
	}
}

// apptivo is the apptivo client, or VENDOR_NOT_CONFIGURED.
func (c *Clients) apptivo() (*apptivo.Client, error) {
	return clientOf[*apptivo.Client](c, apptivo.Name)
}
