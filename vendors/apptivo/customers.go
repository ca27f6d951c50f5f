package apptivo

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// MaxPageSize is the most records the client asks Apptivo for in one call.
// Inference: Apptivo publishes no maximum; Airbyte's connector pages by 100.
// ListCustomers and SearchCustomers split larger requests.
const MaxPageSize = 100

// Customer is an Apptivo customer record in Apptivo's wire names. Every
// field is omitempty so that a partial record (a create with three fields)
// is sent as exactly those fields.
type Customer struct {
	CustomerID            int64             `json:"customerId,omitempty"`
	ID                    string            `json:"id,omitempty"`
	CustomerName          string            `json:"customerName,omitempty"`
	CustomerNumber        string            `json:"customerNumber,omitempty"`
	StatusName            string            `json:"statusName,omitempty"`
	StatusID              int64             `json:"statusId,omitempty"`
	CustomerCategory      string            `json:"customerCategory,omitempty"`
	CustomerCategoryID    int64             `json:"customerCategoryId,omitempty"`
	AssigneeObjectRefName string            `json:"assigneeObjectRefName,omitempty"`
	AssigneeObjectRefID   int64             `json:"assigneeObjectRefId,omitempty"`
	AssigneeObjectID      int64             `json:"assigneeObjectId,omitempty"`
	Description           string            `json:"description,omitempty"`
	Website               string            `json:"website,omitempty"`
	EmailAddresses        []Email           `json:"emailAddresses,omitempty"`
	PhoneNumbers          []Phone           `json:"phoneNumbers,omitempty"`
	Addresses             []Address         `json:"addresses,omitempty"`
	MarketName            string            `json:"marketName,omitempty"`
	MarketID              int64             `json:"marketId,omitempty"`
	IndustryName          string            `json:"industryName,omitempty"`
	IndustryID            int64             `json:"industryId,omitempty"`
	PaymentTerm           string            `json:"paymentTerm,omitempty"`
	PaymentTermID         int64             `json:"paymentTermId,omitempty"`
	EmployeeRange         string            `json:"employeeRange,omitempty"`
	EmployeeRangeID       int64             `json:"employeeRangeId,omitempty"`
	SegmentName           string            `json:"segmentName,omitempty"`
	SegmentID             int64             `json:"segmentId,omitempty"`
	IsUnsubscribed        string            `json:"isUnsubscribed,omitempty"` // "Y" or "N"
	CreationDate          string            `json:"creationDate,omitempty"`   // "2017-10-07 05:30:02"
	LastUpdateDate        string            `json:"lastUpdateDate,omitempty"` // same format
	CustomAttributes      []json.RawMessage `json:"customAttributes,omitempty"`
}

// Email is one entry of Customer.EmailAddresses, e.g. {emailAddress,
// emailTypeCode:"BUSINESS", emailType:"Business", id}.
type Email struct {
	EmailAddress  string `json:"emailAddress,omitempty"`
	EmailTypeCode string `json:"emailTypeCode,omitempty"`
	EmailType     string `json:"emailType,omitempty"`
	ID            string `json:"id,omitempty"`
}

// Phone is one entry of Customer.PhoneNumbers, e.g. {phoneNumber,
// phoneTypeCode:"PHONE_BUSINESS", phoneType:"Business", id}.
type Phone struct {
	PhoneNumber   string `json:"phoneNumber,omitempty"`
	PhoneTypeCode string `json:"phoneTypeCode,omitempty"`
	PhoneType     string `json:"phoneType,omitempty"`
	ID            string `json:"id,omitempty"`
}

// Address is one entry of Customer.Addresses.
type Address struct {
	ID                 string `json:"id,omitempty"`
	AddressID          int64  `json:"addressId,omitempty"`
	AddressAttributeID string `json:"addressAttributeId,omitempty"` // "address_section_attr_id"
	AddressGroupName   string `json:"addressGroupName,omitempty"`   // "Address1"
	AddressType        string `json:"addressType,omitempty"`        // "Billing Address"
	AddressTypeCode    string `json:"addressTypeCode,omitempty"`    // "1"
	AddressLine1       string `json:"addressLine1,omitempty"`
	AddressLine2       string `json:"addressLine2,omitempty"`
	City               string `json:"city,omitempty"`
	State              string `json:"state,omitempty"`
	StateCode          string `json:"stateCode,omitempty"`
	ZipCode            string `json:"zipCode,omitempty"`
	CountryID          int64  `json:"countryId,omitempty"`
	CountryName        string `json:"countryName,omitempty"`
	CountryCode        string `json:"countryCode,omitempty"`
}

// PrimaryEmail returns the first non-empty email address, or "". Apptivo
// has no primary flag on emails; the first entry is the one its UI shows.
func (c *Customer) PrimaryEmail() string {
	if c == nil {
		return ""
	}
	for _, e := range c.EmailAddresses {
		if s := strings.TrimSpace(e.EmailAddress); s != "" {
			return s
		}
	}
	return ""
}

// Page is one window of a list or search.
type Page struct {
	Customers []Customer
	// Total is Apptivo's countOfRecords: all matching records, not just
	// this window.
	Total int
}

// SearchQuery selects customers for SearchCustomers. Empty fields do not
// filter; all set fields must match.
type SearchQuery struct {
	CustomerName   string // substring of the name
	CustomerNumber string // substring of the number
	Email          string // one of the customer's email addresses
	Phone          string // one of the customer's phone numbers
	// Multi-select filters (multiSelectData): the customer's id must be
	// one of the list's.
	StatusIDs        []int64
	CategoryIDs      []int64
	MarketIDs        []int64
	IndustryIDs      []int64
	PaymentTermIDs   []int64
	EmployeeRangeIDs []int64
	SegmentIDs       []int64
	SLAIDs           []int64
	// Date ranges (searchData creationOnStartDate/EndDate and
	// lastUpdateOnStartDate/EndDate), inclusive, sent in Apptivo's
	// "2006-01-02 15:04:05" form in UTC.
	CreatedFrom, CreatedTo *time.Time
	UpdatedFrom, UpdatedTo *time.Time
	// Sort orders the results (sortColumn, sortDir); nil is Apptivo's
	// order.
	Sort *Sort
}

// Sort is Apptivo's sortColumn and sortDir.
type Sort struct {
	Column string // an attribute name, e.g. customerName, creationDate
	Desc   bool
}

// params adds sortColumn and sortDir to p.
func (s *Sort) params(p url.Values) url.Values {
	if s == nil || s.Column == "" {
		return p
	}
	p.Set("sortColumn", s.Column)
	dir := "asc"
	if s.Desc {
		dir = "desc"
	}
	p.Set("sortDir", dir)
	return p
}

// ListOptions shape ListCustomersBy: free-text search (getAllBySearchText
// instead of getAll) and sorting.
type ListOptions struct {
	SearchText string
	Sort       *Sort
}

// CreateCustomer saves a new customer (a=save) and returns the record
// Apptivo created, with its customerId, id and customerNumber. Every
// reference id in is sent with its name from getConfigData (the names in
// are not trusted), as the document's save sample sends them.
func (c *Client) CreateCustomer(ctx context.Context, in Customer) (*Customer, error) {
	const op = "create customer"
	encoded, err := json.Marshal(in)
	if err != nil {
		return nil, badInput(op, "customer cannot be encoded", err)
	}
	var record map[string]any
	if err := decodeNumbers(encoded, &record); err != nil {
		return nil, badInput(op, "customer cannot be encoded", err)
	}
	if _, err := c.pairNames(ctx, op, record); err != nil {
		return nil, err
	}
	data, err := json.Marshal(record)
	if err != nil {
		return nil, badInput(op, "customer cannot be encoded", err)
	}
	// isLeadConvert and isDuplicate as in the documented sample: this is
	// a new customer, not a lead conversion, and not a duplicate.
	params := url.Values{"a": {"save"}, "customerData": {string(data)}, "isLeadConvert": {"N"}, "isDuplicate": {"false"}}
	return c.saveCall(ctx, op, params)
}

// UpdateCustomer changes the attributes in fields (keys are Apptivo
// attribute names such as "customerName", "emailAddresses") the way
// Apptivo's update is documented: it reads the record (a=getById), applies
// fields to it, and sends the whole record as customerData with
// attributeName naming exactly the changed attributes (a changed
// reference id together with its name, read from getConfigData), plus
// isEmailAddressUpdate and isAddressUpdate (true iff emailAddresses or
// addresses is named) and, when customAttributes is named,
// isCustomAttributesUpdate=true and attributeIds. Attributes of the record
// this client does not model are sent back as read.
func (c *Client) UpdateCustomer(ctx context.Context, id string, fields map[string]any) (*Customer, error) {
	const op = "update customer"
	n, e := parseCustomerID(op, id)
	if e != nil {
		return nil, e
	}
	if len(fields) == 0 {
		return nil, badInput(op, "no attributes to update", nil)
	}
	names := make([]string, 0, len(fields))
	for k := range fields {
		if strings.TrimSpace(k) == "" {
			return nil, badInput(op, "attribute names must not be empty", nil)
		}
		names = append(names, k)
	}
	// Round-trip the changes through JSON so that they merge into the
	// record read as the same JSON-shaped values.
	changesJSON, err := json.Marshal(fields)
	if err != nil {
		return nil, badInput(op, "attributes cannot be encoded", err)
	}
	var changes map[string]any
	if err := decodeNumbers(changesJSON, &changes); err != nil {
		return nil, badInput(op, "attributes cannot be encoded", err)
	}
	// A changed id travels with its name, and both are named, as the
	// documented sample pairs statusName with statusId.
	paired, err := c.pairNames(ctx, op, changes)
	if err != nil {
		return nil, err
	}
	for _, name := range paired {
		if !hasKey(fields, name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	// The whole record goes back to Apptivo: read it from Apptivo itself,
	// never a cached or shared read from before another change.
	record, raw, err := c.getRecord(outbound.FreshRead(ctx), n)
	if err != nil {
		return nil, err
	}
	unchanged := true
	for k, v := range changes {
		if old, ok := record[k]; !ok || !reflect.DeepEqual(old, v) {
			unchanged = false
		}
		record[k] = v
	}
	if unchanged {
		// The record it would send is the one it read: saving it would
		// change nothing at Apptivo but its updatedAt, so it is not sent,
		// and the record read is the answer.
		return oneCustomer(op, raw, outbound.KindNotFound, "customer not found")
	}
	data, err := json.Marshal(record)
	if err != nil {
		return nil, badInput(op, "customer cannot be encoded", err)
	}
	attrNames, _ := json.Marshal(names)
	params := url.Values{
		"a":                    {"update"},
		"customerId":           {strconv.FormatInt(n, 10)},
		"objectId":             {customersObjectID},
		"customerData":         {string(data)},
		"attributeName":        {string(attrNames)},
		"isEmailAddressUpdate": {strconv.FormatBool(hasKey(fields, "emailAddresses"))},
		"isAddressUpdate":      {strconv.FormatBool(hasKey(fields, "addresses"))},
	}
	if hasKey(fields, "customAttributes") {
		params.Set("isCustomAttributesUpdate", "true")
		ids, _ := json.Marshal(customAttributeIDs(changes["customAttributes"]))
		params.Set("attributeIds", string(ids))
	}
	return c.saveCall(ctx, op, params)
}

// customAttributeIDs lists the customAttributeId of each custom attribute
// an update sends, for attributeIds.
func customAttributeIDs(v any) []string {
	out := []string{}
	list, _ := v.([]any)
	for _, el := range list {
		if m, ok := el.(map[string]any); ok {
			if id, ok := m["customAttributeId"].(string); ok && id != "" {
				out = append(out, id)
			}
		}
	}
	return out
}

// getRecord reads one customer (a=getById) as the JSON object Apptivo
// holds, every attribute included, for an update to send back whole.
func (c *Client) getRecord(ctx context.Context, id int64) (map[string]any, json.RawMessage, error) {
	const op = "update customer"
	params := url.Values{"a": {"getById"}, "customerId": {strconv.FormatInt(id, 10)}}
	var raw json.RawMessage
	if err := c.call(ctx, op, http.MethodGet, params, &raw); err != nil {
		return nil, nil, err
	}
	inner := unwrapRecord(raw)
	var record map[string]any
	if err := decodeNumbers(inner, &record); err != nil {
		return nil, nil, upstream(op, err)
	}
	if record == nil || (record["customerId"] == nil && record["id"] == nil) {
		return nil, nil, &outbound.Error{Vendor: Name, Operation: op, Kind: outbound.KindNotFound, HTTPStatus: http.StatusOK, Message: "customer not found"}
	}
	return record, raw, nil
}

// decodeNumbers decodes JSON keeping numbers exact (ids are int64).
func decodeNumbers(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

// saveCall sends a save or update and reads back the record Apptivo
// returns under "customer".
func (c *Client) saveCall(ctx context.Context, op string, params url.Values) (*Customer, error) {
	var raw json.RawMessage
	if err := c.call(ctx, op, http.MethodPost, params, &raw); err != nil {
		return nil, err
	}
	return oneCustomer(op, raw, outbound.KindUpstream, "reply holds no customer record")
}

// GetCustomer reads one customer (a=getById). An unknown id is
// *outbound.Error with KindNotFound.
func (c *Client) GetCustomer(ctx context.Context, id string) (*Customer, error) {
	const op = "get customer"
	n, e := parseCustomerID(op, id)
	if e != nil {
		return nil, e
	}
	params := url.Values{"a": {"getById"}, "customerId": {strconv.FormatInt(n, 10)}}
	var raw json.RawMessage
	if err := c.call(ctx, op, http.MethodGet, params, &raw); err != nil {
		return nil, err
	}
	return oneCustomer(op, raw, outbound.KindNotFound, "customer not found")
}

// DeleteCustomer deletes one customer (a=delete). The reply body carries
// nothing the caller needs, so only failures are inspected.
func (c *Client) DeleteCustomer(ctx context.Context, id string) error {
	const op = "delete customer"
	n, e := parseCustomerID(op, id)
	if e != nil {
		return e
	}
	params := url.Values{"a": {"delete"}, "customerId": {strconv.FormatInt(n, 10)}}
	return c.call(ctx, op, http.MethodPost, params, nil)
}

// ListCustomers returns numRecords customers from startIndex (0-based)
// in Apptivo's order (a=getAll), splitting into calls of MaxPageSize.
func (c *Client) ListCustomers(ctx context.Context, startIndex, numRecords int) (*Page, error) {
	return c.ListCustomersBy(ctx, ListOptions{}, startIndex, numRecords)
}

// ListCustomersBy is ListCustomers with options: a non-blank SearchText
// runs Apptivo's simple search (a=getAllBySearchText&searchText=..&
// objectId=3), and Sort adds sortColumn and sortDir.
func (c *Client) ListCustomersBy(ctx context.Context, opts ListOptions, startIndex, numRecords int) (*Page, error) {
	text := strings.TrimSpace(opts.SearchText)
	op := "list customers"
	if text != "" {
		op = "search customers by text"
	}
	return c.paginate(ctx, op, startIndex, numRecords, func(start, n int) url.Values {
		p := url.Values{
			"a":          {"getAll"},
			"startIndex": {strconv.Itoa(start)},
			"numRecords": {strconv.Itoa(n)},
		}
		if text != "" {
			p.Set("a", "getAllBySearchText")
			p.Set("searchText", text)
			p.Set("objectId", customersObjectID)
		}
		return opts.Sort.params(p)
	})
}

// SearchCustomers runs an advanced search (a=getAllByAdvancedSearch),
// splitting into calls of MaxPageSize like ListCustomers.
func (c *Client) SearchCustomers(ctx context.Context, q SearchQuery, startIndex, numRecords int) (*Page, error) {
	searchData, err := json.Marshal(q.searchData())
	if err != nil {
		return nil, badInput("search customers", "search cannot be encoded", err)
	}
	multiSelect, err := json.Marshal(q.multiSelectData())
	if err != nil {
		return nil, badInput("search customers", "search cannot be encoded", err)
	}
	return c.paginate(ctx, "search customers", startIndex, numRecords, func(start, n int) url.Values {
		// iDisplayStart/iDisplayLength repeat the window and territoryType
		// is MULTIPLE, as in the documented sample.
		return q.Sort.params(url.Values{
			"a":               {"getAllByAdvancedSearch"},
			"searchData":      {string(searchData)},
			"multiSelectData": {string(multiSelect)},
			"objectId":        {customersObjectID},
			"startIndex":      {strconv.Itoa(start)},
			"numRecords":      {strconv.Itoa(n)},
			"iDisplayStart":   {strconv.Itoa(start)},
			"iDisplayLength":  {strconv.Itoa(n)},
			"territoryType":   {"MULTIPLE"},
		})
	})
}

// pageReply is the list/search envelope. Both count names are accepted
// because getAll's count is an inference.
type pageReply struct {
	Data                 []Customer `json:"data"`
	CountOfRecords       *int       `json:"countOfRecords"`
	TotalNumberOfRecords *int       `json:"totalNumberOfRecords"`
}

func (r *pageReply) total() (int, bool) {
	switch {
	case r.CountOfRecords != nil:
		return *r.CountOfRecords, true
	case r.TotalNumberOfRecords != nil:
		return *r.TotalNumberOfRecords, true
	}
	return 0, false
}

// paginate fetches [startIndex, startIndex+numRecords) in chunks of at most
// MaxPageSize, so callers never need to know Apptivo's page cap. It stops
// early at the end of the data. A failing chunk fails the whole call: a
// partial page would silently misreport Total.
func (c *Client) paginate(ctx context.Context, op string, startIndex, numRecords int, params func(start, n int) url.Values) (*Page, error) {
	if startIndex < 0 {
		return nil, badInput(op, "startIndex must not be negative", nil)
	}
	if numRecords < 1 {
		return nil, badInput(op, "numRecords must be at least 1", nil)
	}
	page := &Page{Customers: make([]Customer, 0, min(numRecords, MaxPageSize))}
	total, haveTotal := 0, false
	for fetched := 0; fetched < numRecords; {
		n := min(MaxPageSize, numRecords-fetched)
		var reply pageReply
		if err := c.call(ctx, op, http.MethodGet, params(startIndex+fetched, n), &reply); err != nil {
			return nil, err
		}
		got := reply.Data
		if len(got) > n {
			got = got[:n]
		}
		page.Customers = append(page.Customers, got...)
		fetched += len(got)
		if t, ok := reply.total(); ok {
			total, haveTotal = t, true
		}
		if len(got) < n || (haveTotal && startIndex+fetched >= total) {
			break
		}
	}
	if haveTotal {
		page.Total = total
	} else {
		page.Total = startIndex + len(page.Customers)
	}
	return page, nil
}

// searchData renders the documented searchData template with the query's
// fields filled in. The whole template is sent because it is what Apptivo's
// own UI sends; keys left empty do not filter.
func (q SearchQuery) searchData() map[string]any {
	emails := []map[string]string{}
	if s := strings.TrimSpace(q.Email); s != "" {
		emails = append(emails, map[string]string{"emailAddress": s})
	}
	phones := []map[string]string{}
	if s := strings.TrimSpace(q.Phone); s != "" {
		phones = append(phones, map[string]string{"phoneNumber": s})
	}
	return map[string]any{
		"customerName":                 strings.TrimSpace(q.CustomerName),
		"customerNumber":               strings.TrimSpace(q.CustomerNumber),
		"assigneeObjectRefName":        nil,
		"assigneeObjectId":             nil,
		"assigneeObjectRefId":          nil,
		"description":                  "",
		"followUpDescription":          "",
		"phoneNumbers":                 phones,
		"emailAddresses":               emails,
		"skypeName":                    "",
		"parentCustomerName":           "",
		"parentCustomerId":             nil,
		"website":                      "",
		"tickerSymbol":                 "",
		"campaignName":                 "",
		"campaignId":                   nil,
		"creditRating":                 "",
		"territoryName":                "",
		"territoryId":                  nil,
		"ownership":                    "",
		"faceBookURL":                  "",
		"twitterURL":                   "",
		"linkedInURL":                  "",
		"isUnsubscribed":               nil,
		"isBounced":                    nil,
		"isResponded":                  nil,
		"creationOnStartDate":          searchDate(q.CreatedFrom),
		"creationOnEndDate":            searchDate(q.CreatedTo),
		"creationDateDuration":         "",
		"creationDateDurationTypeId":   "",
		"creationDateRangeTypeId":      "",
		"lastUpdateOnStartDate":        searchDate(q.UpdatedFrom),
		"lastUpdateOnEndDate":          searchDate(q.UpdatedTo),
		"lastUpdateDateDuration":       "",
		"lastUpdateDateDurationTypeId": "",
		"lastUpdateDateRangeTypeId":    "",
		"customAttributes":             []any{},
		"addresses": []map[string]any{{
			"addressAttributeId": "address_section_attr_id",
			"addressGroupName":   "Address1",
			"addressType":        "",
			"state":              "",
			"stateCode":          "",
			"stateId":            nil,
			"stateName":          "",
		}},
	}
}

// searchDate renders a date-range bound; "" does not filter.
func searchDate(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(DateLayout)
}

// DateLayout is how Apptivo writes instants ("2017-10-07 05:30:02").
const DateLayout = "2006-01-02 15:04:05"

// multiSelectData renders the documented multiSelectData template, every
// list filled from the query (empty lists do not filter).
func (q SearchQuery) multiSelectData() map[string][]int64 {
	ids := func(in []int64) []int64 { return append([]int64{}, in...) }
	return map[string][]int64{
		"marketIds":        ids(q.MarketIDs),
		"categoryIds":      ids(q.CategoryIDs),
		"statusIds":        ids(q.StatusIDs),
		"employeeRangeIds": ids(q.EmployeeRangeIDs),
		"paymentTermIds":   ids(q.PaymentTermIDs),
		"slaIds":           ids(q.SLAIDs),
		"industryIds":      ids(q.IndustryIDs),
		"segmentIds":       ids(q.SegmentIDs),
	}
}

// decodeCustomer unwraps a single-record reply. Apptivo's envelope differs
// by method and is not documented for getById, so the record is looked for
// under customer, responseObject and data, then as the bare object. found
// is false when the reply holds no record at all.
// oneCustomer is the customer in a reply that must hold one: a reply
// without it is an *outbound.Error of kind missing.
func oneCustomer(op string, raw json.RawMessage, missing outbound.Kind, message string) (*Customer, error) {
	cust, found, err := decodeCustomer(raw)
	if err != nil {
		return nil, upstream(op, err)
	}
	if !found {
		return nil, &outbound.Error{Vendor: Name, Operation: op, Kind: missing, HTTPStatus: http.StatusOK, Message: message}
	}
	return cust, nil
}

func decodeCustomer(raw json.RawMessage) (*Customer, bool, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, false, nil
	}
	raw = unwrapRecord(raw)
	var cust Customer
	if err := json.Unmarshal(raw, &cust); err != nil {
		return nil, false, err
	}
	if cust.CustomerID == 0 && cust.ID == "" {
		return nil, false, nil
	}
	// Apptivo sends both ids; fill whichever is missing so callers can rely
	// on either.
	if cust.ID == "" {
		cust.ID = strconv.FormatInt(cust.CustomerID, 10)
	}
	if cust.CustomerID == 0 {
		cust.CustomerID, _ = strconv.ParseInt(cust.ID, 10, 64)
	}
	return &cust, true, nil
}

// unwrapRecord returns the record inside a single-record reply: under
// customer, responseObject or data, else the reply itself.
func unwrapRecord(raw json.RawMessage) json.RawMessage {
	var env struct {
		Customer       json.RawMessage `json:"customer"`
		ResponseObject json.RawMessage `json:"responseObject"`
		Data           json.RawMessage `json:"data"`
	}
	if json.Unmarshal(raw, &env) != nil {
		return raw
	}
	for _, inner := range []json.RawMessage{env.Customer, env.ResponseObject, env.Data} {
		if inner = bytes.TrimSpace(inner); len(inner) > 0 && !bytes.Equal(inner, []byte("null")) {
			return inner
		}
	}
	return raw
}

// parseCustomerID refuses ids Apptivo could never have issued before any
// call is made; Apptivo's customer ids are positive integers.
func parseCustomerID(op, id string) (int64, *outbound.Error) {
	n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
	if err != nil || n <= 0 {
		return 0, badInput(op, "customer id must be a positive integer", nil)
	}
	return n, nil
}

func hasKey(m map[string]any, k string) bool {
	_, ok := m[k]
	return ok
}

func badInput(op, msg string, err error) *outbound.Error {
	return &outbound.Error{Vendor: Name, Operation: op, Kind: outbound.KindBadInput, Message: msg, Err: err}
}

func upstream(op string, err error) *outbound.Error {
	return &outbound.Error{Vendor: Name, Operation: op, Kind: outbound.KindUpstream, HTTPStatus: http.StatusOK, Message: "malformed reply", Err: err}
}
