package apptivo_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/internal/base/outbound/outboundtest"
	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/vendors/apptivo"
	"github.com/switchyard/switchyard/vendors/apptivo/apptivosim"
)

// Recognisable fake keys: any error text containing them is a leak.
const (
	testAPIKey    = "KEY-SECRET-123"
	testAccessKey = "ACCESS-SECRET-456"
)

type env struct {
	sim *apptivosim.Server
	ts  *httptest.Server
	c   *apptivo.Client
}

// newEnv mounts the simulator under a non-empty prefix to prove the client
// resolves "customers" relative to its base URL.
func newEnv(t *testing.T) *env {
	t.Helper()
	sim, err := apptivosim.New(apptivosim.Options{NoListener: true, APIKey: testAPIKey, AccessKey: testAccessKey})
	require.NoError(t, err)
	ts := httptest.NewServer(http.StripPrefix("/prefix", sim.Handler()))
	t.Cleanup(ts.Close)
	c, err := apptivo.New(apptivo.Config{APIKey: testAPIKey, AccessKey: testAccessKey, BaseURL: ts.URL + "/prefix"})
	require.NoError(t, err)
	return &env{sim: sim, ts: ts, c: c}
}

// requireKind asserts err is an *outbound.Error of kind and that no key
// appears anywhere in its text.
func requireKind(t *testing.T, err error, kind outbound.Kind) *outbound.Error {
	t.Helper()
	require.Error(t, err)
	assertNoSecret(t, err)
	var e *outbound.Error
	require.True(t, errors.As(err, &e), "want *outbound.Error, got %T: %v", err, err)
	require.Equal(t, kind, e.Kind, "error: %v", err)
	assert.Equal(t, "apptivo", e.Vendor)
	return e
}

func assertNoSecret(t *testing.T, err error) {
	t.Helper()
	texts := []string{err.Error(), fmt.Sprintf("%+v", err)}
	var e *outbound.Error
	if errors.As(err, &e) {
		texts = append(texts, e.Message)
		if e.Err != nil {
			texts = append(texts, e.Err.Error())
		}
	}
	for _, s := range texts {
		for _, secret := range []string{testAPIKey, testAccessKey} {
			assert.NotContains(t, s, secret, "secret leaked into error text")
		}
		assert.NotContains(t, s, "apiKey=")
		assert.NotContains(t, s, "accessKey=")
	}
}

func lastEntry(t *testing.T, sim *apptivosim.Server) simkit.Entry {
	t.Helper()
	entries := sim.Recorder().Entries()
	require.NotEmpty(t, entries)
	return entries[len(entries)-1]
}

// entryParams is every parameter a recorded call carried: its URL query
// and, for a write, its form body.
func entryParams(en simkit.Entry) (url.Values, error) {
	q, err := url.ParseQuery(en.Query)
	if err != nil || en.Body == "" {
		return q, err
	}
	form, err := url.ParseQuery(en.Body)
	for k, vs := range form {
		q[k] = append(q[k], vs...)
	}
	return q, err
}

func keys(v url.Values) []string {
	out := make([]string, 0, len(v))
	for k := range v {
		out = append(out, k)
	}
	return out
}

func TestNew(t *testing.T) {
	c, err := apptivo.New(apptivo.Config{APIKey: "a", AccessKey: "b"})
	require.NoError(t, err)
	assert.Equal(t, apptivo.DefaultBaseURL, c.BaseURL.String())

	c, err = apptivo.New(apptivo.Config{APIKey: "a", AccessKey: "b", BaseURL: "http://127.0.0.1:9/apptivo"})
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:9/apptivo/", c.BaseURL.String(), "trailing slash added so paths resolve below the prefix")

	for name, cfg := range map[string]apptivo.Config{
		"no api key":    {AccessKey: testAccessKey},
		"no access key": {APIKey: testAPIKey},
		"bad scheme":    {APIKey: testAPIKey, AccessKey: testAccessKey, BaseURL: "ftp://x/"},
		"no host":       {APIKey: testAPIKey, AccessKey: testAccessKey, BaseURL: "http:///x"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := apptivo.New(cfg)
			require.Error(t, err)
			assertNoSecret(t, err)
		})
	}
}

func TestWireShape(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		run    func(c *apptivo.Client) error
		method string
		plain  map[string]string // exact values
		json   map[string]string // JSON values compared semantically
		// update is the customerId of an update: its customerData must be
		// the whole stored record with changes (attribute -> JSON) applied,
		// and a getById must come first.
		update  int64
		changes map[string]string
		// config: the names of reference ids are read first
		// (a=getConfigData).
		config bool
	}{
		{
			name:   "get config data",
			run:    func(c *apptivo.Client) error { _, err := c.GetConfigData(ctx); return err },
			method: http.MethodGet,
			plain:  map[string]string{"a": "getConfigData"},
		},
		{
			name: "create",
			run: func(c *apptivo.Client) error {
				_, err := c.CreateCustomer(ctx, apptivo.Customer{
					CustomerName:   "Acme",
					StatusID:       10001,
					EmailAddresses: []apptivo.Email{{EmailAddress: "ops@acme.example", EmailTypeCode: "BUSINESS", EmailType: "Business"}},
				})
				return err
			},
			method: http.MethodPost,
			plain:  map[string]string{"a": "save", "isLeadConvert": "N", "isDuplicate": "false"},
			json: map[string]string{"customerData": `{"customerName":"Acme","statusId":10001,"statusName":"Inactive",
				"emailAddresses":[{"emailAddress":"ops@acme.example","emailTypeCode":"BUSINESS","emailType":"Business"}]}`},
			config: true,
		},
		{
			// The documented save sample sends every reference as its id
			// and its name.
			name: "create with every reference",
			run: func(c *apptivo.Client) error {
				_, err := c.CreateCustomer(ctx, apptivo.Customer{CustomerName: "Pairs", StatusID: 10000, CustomerCategoryID: 20002,
					MarketID: 30001, IndustryID: 40003, PaymentTermID: 98764, EmployeeRangeID: 50002, SegmentID: 60001,
					AssigneeObjectRefID: 77021, AssigneeObjectID: 8})
				return err
			},
			method: http.MethodPost,
			plain:  map[string]string{"a": "save", "isLeadConvert": "N", "isDuplicate": "false"},
			json: map[string]string{"customerData": `{"customerName":"Pairs","statusId":10000,"statusName":"Active",
				"customerCategoryId":20002,"customerCategory":"Small Business","marketId":30001,"marketName":"North America",
				"industryId":40003,"industryName":"Education","paymentTermId":98764,"paymentTerm":"Net 60",
				"employeeRangeId":50002,"employeeRange":"11-50","segmentId":60001,"segmentName":"Strategic",
				"assigneeObjectRefId":77021,"assigneeObjectRefName":"Sandbox Admin","assigneeObjectId":8}`},
			config: true,
		},
		{
			// A changed id travels with its new name, and both are named
			// in attributeName, as the update sample pairs statusName with
			// statusId.
			name: "update a reference",
			run: func(c *apptivo.Client) error {
				_, err := c.UpdateCustomer(ctx, "1001", map[string]any{"customerCategoryId": 20003, "statusId": 10002})
				return err
			},
			method:  http.MethodPost,
			plain:   map[string]string{"a": "update", "customerId": "1001", "objectId": "3", "isEmailAddressUpdate": "false", "isAddressUpdate": "false"},
			json:    map[string]string{"attributeName": `["customerCategory","customerCategoryId","statusId","statusName"]`},
			update:  1001,
			changes: map[string]string{"customerCategoryId": `20003`, "customerCategory": `"Non-Profit"`, "statusId": `10002`, "statusName": `"On Hold"`},
			config:  true,
		},
		{
			name: "update with emails",
			run: func(c *apptivo.Client) error {
				_, err := c.UpdateCustomer(ctx, "1001", map[string]any{
					"emailAddresses": []apptivo.Email{{EmailAddress: "new@example.com"}},
					"customerName":   "Renamed",
				})
				return err
			},
			method:  http.MethodPost,
			plain:   map[string]string{"a": "update", "customerId": "1001", "objectId": "3", "isEmailAddressUpdate": "true", "isAddressUpdate": "false"},
			json:    map[string]string{"attributeName": `["customerName","emailAddresses"]`},
			update:  1001,
			changes: map[string]string{"customerName": `"Renamed"`, "emailAddresses": `[{"emailAddress":"new@example.com"}]`},
		},
		{
			name: "update without emails",
			run: func(c *apptivo.Client) error {
				_, err := c.UpdateCustomer(ctx, " 1002 ", map[string]any{"website": "https://x.example", "description": "d"})
				return err
			},
			method:  http.MethodPost,
			plain:   map[string]string{"a": "update", "customerId": "1002", "objectId": "3", "isEmailAddressUpdate": "false", "isAddressUpdate": "false"},
			json:    map[string]string{"attributeName": `["description","website"]`},
			update:  1002,
			changes: map[string]string{"website": `"https://x.example"`, "description": `"d"`},
		},
		{
			name: "update addresses and custom attributes",
			run: func(c *apptivo.Client) error {
				_, err := c.UpdateCustomer(ctx, "1003", map[string]any{
					"addresses":        []apptivo.Address{{City: "Leeds"}},
					"customAttributes": []any{},
				})
				return err
			},
			method: http.MethodPost,
			plain: map[string]string{"a": "update", "customerId": "1003", "objectId": "3", "isEmailAddressUpdate": "false",
				"isAddressUpdate": "true", "isCustomAttributesUpdate": "true"},
			json:    map[string]string{"attributeName": `["addresses","customAttributes"]`, "attributeIds": `[]`},
			update:  1003,
			changes: map[string]string{"addresses": `[{"city":"Leeds"}]`, "customAttributes": `[]`},
		},
		{
			name: "search",
			run: func(c *apptivo.Client) error {
				_, err := c.SearchCustomers(ctx, apptivo.SearchQuery{CustomerName: "Ltd", Email: "ada.lovelace@example.com", StatusIDs: []int64{10000, 10002}}, 0, 10)
				return err
			},
			method: http.MethodGet,
			plain: map[string]string{"a": "getAllByAdvancedSearch", "objectId": "3", "startIndex": "0", "numRecords": "10",
				"iDisplayStart": "0", "iDisplayLength": "10", "territoryType": "MULTIPLE"},
			json: map[string]string{
				"multiSelectData": `{"marketIds":[],"categoryIds":[],"statusIds":[10000,10002],"employeeRangeIds":[],"paymentTermIds":[],"slaIds":[],"industryIds":[],"segmentIds":[]}`,
				"searchData": `{"customerName":"Ltd","customerNumber":"","assigneeObjectRefName":null,"assigneeObjectId":null,"assigneeObjectRefId":null,
					"description":"","followUpDescription":"","phoneNumbers":[],"emailAddresses":[{"emailAddress":"ada.lovelace@example.com"}],
					"skypeName":"","parentCustomerName":"","parentCustomerId":null,"website":"","tickerSymbol":"","campaignName":"","campaignId":null,
					"creditRating":"","territoryName":"","territoryId":null,"ownership":"","faceBookURL":"","twitterURL":"","linkedInURL":"",
					"isUnsubscribed":null,"isBounced":null,"isResponded":null,"creationOnStartDate":"","creationOnEndDate":"","creationDateDuration":"",
					"creationDateDurationTypeId":"","creationDateRangeTypeId":"","lastUpdateOnStartDate":"","lastUpdateOnEndDate":"",
					"lastUpdateDateDuration":"","lastUpdateDateDurationTypeId":"","lastUpdateDateRangeTypeId":"","customAttributes":[],
					"addresses":[{"addressAttributeId":"address_section_attr_id","addressGroupName":"Address1","addressType":"","state":"","stateCode":"","stateId":null,"stateName":""}]}`,
			},
		},
		{
			name:   "list",
			run:    func(c *apptivo.Client) error { _, err := c.ListCustomers(ctx, 2, 3); return err },
			method: http.MethodGet,
			plain:  map[string]string{"a": "getAll", "startIndex": "2", "numRecords": "3"},
		},
		{
			name:   "get",
			run:    func(c *apptivo.Client) error { _, err := c.GetCustomer(ctx, "1001"); return err },
			method: http.MethodGet,
			plain:  map[string]string{"a": "getById", "customerId": "1001"},
		},
		{
			name:   "delete",
			run:    func(c *apptivo.Client) error { return c.DeleteCustomer(ctx, "1005") },
			method: http.MethodPost,
			plain:  map[string]string{"a": "delete", "customerId": "1005"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			var wantRecord map[string]json.RawMessage
			if tc.update != 0 {
				wantRecord = storedRecord(t, e, tc.update)
				for k, v := range tc.changes {
					wantRecord[k] = json.RawMessage(v)
				}
			}
			require.NoError(t, tc.run(e.c))
			entries := e.sim.Recorder().Entries()
			if tc.config {
				require.Greater(t, len(entries), 1)
				assert.Equal(t, "a=getConfigData&accessKey=REDACTED&apiKey=REDACTED", entries[0].Query, "the names come from the configuration")
				entries = entries[1:]
			}
			if tc.update != 0 {
				require.Len(t, entries, 2, "the record is read, then sent whole")
				assert.Equal(t, "a=getById&accessKey=REDACTED&apiKey=REDACTED&customerId="+strconv.FormatInt(tc.update, 10), entries[0].Query)
				entries = entries[1:]
			}
			require.Len(t, entries, 1)
			got := entries[0]
			assert.Equal(t, tc.method, got.Method)
			assert.Equal(t, "/customers", got.Path, "resolved below the base path prefix")
			if tc.method == http.MethodPost {
				// A write carries a= in the URL and the rest in a form
				// body, so a large record meets no URL limit.
				uq, err := url.ParseQuery(got.Query)
				require.NoError(t, err)
				assert.ElementsMatch(t, []string{"a", "apiKey", "accessKey"}, keys(uq), "only a= and the keys in the URL")
				assert.Equal(t, "application/x-www-form-urlencoded", got.Headers["Content-Type"])
			} else {
				assert.Empty(t, got.Body, "a read carries its parameters in the URL query")
			}
			assert.Equal(t, http.StatusOK, got.Status)

			q, err := entryParams(got)
			require.NoError(t, err)
			assert.Equal(t, []string{"REDACTED"}, q["apiKey"], "apiKey present once, redacted by the recorder")
			assert.Equal(t, []string{"REDACTED"}, q["accessKey"], "accessKey present once, redacted by the recorder")

			want := []string{"apiKey", "accessKey"}
			for k, v := range tc.plain {
				assert.Equal(t, []string{v}, q[k], "param %s", k)
				want = append(want, k)
			}
			for k, v := range tc.json {
				require.Len(t, q[k], 1, "param %s", k)
				assert.JSONEq(t, v, q.Get(k), "param %s", k)
				want = append(want, k)
			}
			if wantRecord != nil {
				b, err := json.Marshal(wantRecord)
				require.NoError(t, err)
				assert.JSONEq(t, string(b), q.Get("customerData"), "the whole record as read, with the changes applied")
				want = append(want, "customerData")
			}
			var have []string
			for k := range q {
				have = append(have, k)
			}
			sort.Strings(want)
			sort.Strings(have)
			assert.Equal(t, want, have, "exactly these parameters")
		})
	}
}

// storedRecord is customer id as the simulator holds it.
func storedRecord(t *testing.T, e *env, id int64) map[string]json.RawMessage {
	t.Helper()
	doc, err := e.sim.State()
	require.NoError(t, err)
	var st struct {
		Customers []map[string]json.RawMessage `json:"customers"`
	}
	require.NoError(t, json.Unmarshal(doc, &st))
	for _, c := range st.Customers {
		if string(c["customerId"]) == strconv.FormatInt(id, 10) {
			return c
		}
	}
	t.Fatalf("no customer %d", id)
	return nil
}

func TestAwkwardNameRoundTrip(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const name = `Tom & "Jerry" #1 +x=y`
	const desc = "100% real; a=b&c=d?e#f %2B\n\u00e9\u6f22"
	created, err := e.c.CreateCustomer(ctx, apptivo.Customer{CustomerName: name, Description: desc})
	require.NoError(t, err)
	assert.Equal(t, name, created.CustomerName)

	// The sim saw exactly the JSON we meant, not a mangled query.
	q, err := entryParams(lastEntry(t, e.sim))
	require.NoError(t, err)
	var sent apptivo.Customer
	require.NoError(t, json.Unmarshal([]byte(q.Get("customerData")), &sent))
	assert.Equal(t, name, sent.CustomerName)

	got, err := e.c.GetCustomer(ctx, created.ID)
	require.NoError(t, err)
	assert.Equal(t, name, got.CustomerName, "byte for byte")
	assert.Equal(t, desc, got.Description, "byte for byte")

	page, err := e.c.SearchCustomers(ctx, apptivo.SearchQuery{CustomerName: `"Jerry" #1 +x`}, 0, 10)
	require.NoError(t, err)
	require.Len(t, page.Customers, 1)
	assert.Equal(t, name, page.Customers[0].CustomerName)

	updated, err := e.c.UpdateCustomer(ctx, created.ID, map[string]any{"customerName": name + " & co"})
	require.NoError(t, err)
	assert.Equal(t, name+" & co", updated.CustomerName)
}

func TestCreateGetDecode(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	created, err := e.c.CreateCustomer(ctx, apptivo.Customer{
		CustomerName:   "Widgets Ltd",
		EmailAddresses: []apptivo.Email{{EmailAddress: "hello@widgets.example", EmailTypeCode: "BUSINESS", EmailType: "Business"}},
		PhoneNumbers:   []apptivo.Phone{{PhoneNumber: "+1 555 0100", PhoneTypeCode: "PHONE_BUSINESS", PhoneType: "Business"}},
		Addresses:      []apptivo.Address{{AddressType: "Billing Address", AddressTypeCode: "1", City: "Leeds", CountryID: 175, CountryCode: "GB"}},
	})
	require.NoError(t, err)
	assert.Equal(t, int64(1006), created.CustomerID)
	assert.Equal(t, "1006", created.ID)
	assert.Equal(t, "6", created.CustomerNumber)
	assert.Equal(t, "Active", created.StatusName)
	assert.Equal(t, int64(10000), created.StatusID)
	_, err = time.Parse("2006-01-02 15:04:05", created.CreationDate)
	assert.NoError(t, err)
	assert.Equal(t, "hello@widgets.example", created.PrimaryEmail())

	got, err := e.c.GetCustomer(ctx, "1006")
	require.NoError(t, err)
	assert.Equal(t, created, got)

	ada, err := e.c.GetCustomer(ctx, "1001")
	require.NoError(t, err)
	assert.Equal(t, "ada.lovelace@example.com", ada.PrimaryEmail())
	assert.Equal(t, "London", ada.Addresses[0].City)
	assert.Equal(t, int64(175), ada.Addresses[0].CountryID)
	assert.Equal(t, "PHONE_BUSINESS", ada.PhoneNumbers[0].PhoneTypeCode)
	assert.Equal(t, int64(98763), ada.PaymentTermID)
	assert.Equal(t, "N", ada.IsUnsubscribed)

	require.NoError(t, e.c.DeleteCustomer(ctx, "1006"))
	_, err = e.c.GetCustomer(ctx, "1006")
	requireKind(t, err, outbound.KindNotFound)
}

func TestUpdateChangesOnlyNamedAttributes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	before, err := e.c.GetCustomer(ctx, "1004")
	require.NoError(t, err)

	updated, err := e.c.UpdateCustomer(ctx, "1004", map[string]any{"description": "Updated description"})
	require.NoError(t, err)
	assert.Equal(t, "Updated description", updated.Description)

	after, err := e.c.GetCustomer(ctx, "1004")
	require.NoError(t, err)
	assert.Equal(t, updated, after)
	want := *before
	want.Description = "Updated description"
	want.LastUpdateDate = after.LastUpdateDate
	assert.Equal(t, want, *after, "only the named attribute (and lastUpdateDate) changed")
}

func TestUpdateEmailsThroughClient(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	updated, err := e.c.UpdateCustomer(ctx, "1002", map[string]any{
		"emailAddresses": []apptivo.Email{{EmailAddress: "grace@navy.example", EmailTypeCode: "BUSINESS", EmailType: "Business"}},
	})
	require.NoError(t, err)
	assert.Equal(t, "grace@navy.example", updated.PrimaryEmail(), "isEmailAddressUpdate=true lets the email change")
	q, err := entryParams(lastEntry(t, e.sim))
	require.NoError(t, err)
	assert.Equal(t, "true", q.Get("isEmailAddressUpdate"))

	_, err = e.c.UpdateCustomer(ctx, "1002", map[string]any{"customerName": "Hopper & Co"})
	require.NoError(t, err)
	q, err = entryParams(lastEntry(t, e.sim))
	require.NoError(t, err)
	assert.Equal(t, "false", q.Get("isEmailAddressUpdate"))
}

func TestConfigData(t *testing.T) {
	e := newEnv(t)
	cfg, err := e.c.GetConfigData(context.Background())
	require.NoError(t, err)
	assert.Contains(t, cfg.Statuses, apptivo.ConfigItem{ID: 10000, Name: "Active"})
	assert.Contains(t, cfg.PaymentTerms, apptivo.ConfigItem{ID: 98763, Name: "Net 30"})
	for name, list := range map[string][]apptivo.ConfigItem{
		"categories": cfg.Categories, "markets": cfg.Markets, "industries": cfg.Industries,
		"employeeRanges": cfg.EmployeeRanges, "segments": cfg.Segments,
	} {
		require.NotEmpty(t, list, name)
		assert.NotZero(t, list[0].ID, name)
		assert.NotEmpty(t, list[0].Name, name)
	}
	assert.True(t, json.Valid(cfg.Raw))
	assert.Contains(t, string(cfg.Raw), "customerStatusList")
}

func TestConfigDataTolerantDecoding(t *testing.T) {
	var cfg apptivo.ConfigData
	require.NoError(t, json.Unmarshal([]byte(`{
		"statuses":[{"parentStatusId":1,"statusId":"7","statusName":"Open"}],
		"customerCategoryList":[{"categoryId":3,"categoryName":"Gold"}],
		"markets":null,
		"industries":[{"id":4,"name":"Mining"}],
		"webLayout":"{}"}`), &cfg))
	assert.Equal(t, []apptivo.ConfigItem{{ID: 7, Name: "Open"}}, cfg.Statuses, "matching statusId/statusName pair wins over other *Id keys")
	assert.Equal(t, []apptivo.ConfigItem{{ID: 3, Name: "Gold"}}, cfg.Categories)
	assert.Nil(t, cfg.Markets)
	assert.Equal(t, []apptivo.ConfigItem{{ID: 4, Name: "Mining"}}, cfg.Industries)
	assert.Contains(t, string(cfg.Raw), "webLayout")

	require.Error(t, json.Unmarshal([]byte(`{"customerStatusList":[{"statusId":"x","statusName":"a"}]}`), &cfg))
}

// seed replaces the sim's state with n customers named "Cust NNN".
func seed(t *testing.T, sim *apptivosim.Server, n int) {
	t.Helper()
	customers := make([]map[string]any, n)
	for i := range customers {
		customers[i] = map[string]any{"customerId": i + 1, "customerName": fmt.Sprintf("Cust %03d", i+1), "statusId": 10000, "statusName": "Active"}
	}
	doc, err := json.Marshal(map[string]any{"customers": customers})
	require.NoError(t, err)
	require.NoError(t, sim.SetState(doc))
}

type window struct{ start, n int }

func windows(t *testing.T, sim *apptivosim.Server) []window {
	t.Helper()
	var out []window
	for _, en := range sim.Recorder().Entries() {
		q, err := url.ParseQuery(en.Query)
		require.NoError(t, err)
		s, _ := strconv.Atoi(q.Get("startIndex"))
		n, _ := strconv.Atoi(q.Get("numRecords"))
		out = append(out, window{s, n})
	}
	return out
}

func TestPagingSplit(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name        string
		stored      int
		start, n    int
		search      bool
		wantWindows []window
		wantCount   int
		wantFirstID int64
		wantTotal   int
	}{
		{"single call", 260, 0, 100, false, []window{{0, 100}}, 100, 1, 260},
		{"split into three", 260, 0, 250, false, []window{{0, 100}, {100, 100}, {200, 50}}, 250, 1, 260},
		{"offset split", 260, 30, 150, false, []window{{30, 100}, {130, 50}}, 150, 31, 260},
		{"stops on a short page", 260, 200, 250, false, []window{{200, 100}}, 60, 201, 260},
		{"stops when the count is reached", 200, 0, 300, false, []window{{0, 100}, {100, 100}}, 200, 1, 200},
		{"search splits too", 260, 0, 250, true, []window{{0, 100}, {100, 100}, {200, 50}}, 250, 1, 260},
		{"past the end", 5, 10, 20, false, []window{{10, 20}}, 0, 0, 5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			seed(t, e.sim, tc.stored)
			var page *apptivo.Page
			var err error
			if tc.search {
				page, err = e.c.SearchCustomers(ctx, apptivo.SearchQuery{CustomerName: "cust"}, tc.start, tc.n)
			} else {
				page, err = e.c.ListCustomers(ctx, tc.start, tc.n)
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantWindows, windows(t, e.sim))
			for _, w := range windows(t, e.sim) {
				assert.LessOrEqual(t, w.n, apptivo.MaxPageSize)
			}
			require.Len(t, page.Customers, tc.wantCount)
			assert.Equal(t, tc.wantTotal, page.Total)
			for i, c := range page.Customers {
				assert.Equal(t, tc.wantFirstID+int64(i), c.CustomerID, "merged in order without gaps or repeats")
			}
		})
	}
}

func TestPagingValidation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.c.ListCustomers(ctx, 0, 0)
	requireKind(t, err, outbound.KindBadInput)
	_, err = e.c.ListCustomers(ctx, -1, 10)
	requireKind(t, err, outbound.KindBadInput)
	_, err = e.c.SearchCustomers(ctx, apptivo.SearchQuery{}, 0, -5)
	requireKind(t, err, outbound.KindBadInput)
	assert.Zero(t, e.sim.Recorder().Count(""), "refused locally")
}

func TestPagingChunkFailureFailsCall(t *testing.T) {
	e := newEnv(t)
	seed(t, e.sim, 250)
	var calls int
	var mu sync.Mutex
	// Fail the second chunk only.
	e.ts.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 2 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		http.StripPrefix("/prefix", e.sim.Handler()).ServeHTTP(w, r)
	})
	_, err := e.c.ListCustomers(context.Background(), 0, 250)
	ev := requireKind(t, err, outbound.KindUnavailable)
	assert.Equal(t, time.Second, ev.RetryAfter)
	assert.Equal(t, 2, calls, "no further chunks after a failure")
}

func TestFailureMapping(t *testing.T) {
	ctx := context.Background()
	rawCall := func(params url.Values) func(c *apptivo.Client) error {
		return func(c *apptivo.Client) error {
			req, err := c.NewRequest(context.Background(), "", http.MethodPost, "customers", params, nil)
			if err != nil {
				return err
			}
			var v map[string]any
			return c.Do(ctx, req, &v)
		}
	}
	cases := []struct {
		name      string
		badKeys   bool
		run       func(c *apptivo.Client) error
		kind      outbound.Kind
		msgPart   string
		wantCalls int
	}{
		{"bad keys on read", true, func(c *apptivo.Client) error { _, err := c.GetCustomer(ctx, "1001"); return err }, outbound.KindAuth, "Key", 1},
		{"bad keys on list", true, func(c *apptivo.Client) error { _, err := c.ListCustomers(ctx, 0, 10); return err }, outbound.KindAuth, "Key", 1},
		{"unknown id get", false, func(c *apptivo.Client) error { _, err := c.GetCustomer(ctx, "999999"); return err }, outbound.KindNotFound, "not found", 1},
		{"unknown id update", false, func(c *apptivo.Client) error {
			_, err := c.UpdateCustomer(ctx, "999999", map[string]any{"customerName": "x"})
			return err
		}, outbound.KindNotFound, "not found", 1},
		{"unknown id delete", false, func(c *apptivo.Client) error { return c.DeleteCustomer(ctx, "999999") }, outbound.KindNotFound, "not found", 1},
		{"save without name", false, func(c *apptivo.Client) error {
			_, err := c.CreateCustomer(ctx, apptivo.Customer{Website: "https://x.example"})
			return err
		}, outbound.KindBadInput, "customerName is mandatory", 1},
		{"invalid email", false, func(c *apptivo.Client) error {
			_, err := c.CreateCustomer(ctx, apptivo.Customer{CustomerName: "x", EmailAddresses: []apptivo.Email{{EmailAddress: "nope"}}})
			return err
		}, outbound.KindBadInput, "Invalid email", 1},
		{"malformed customerData", false, rawCall(url.Values{"a": {"save"}, "customerData": {`{"customerName":`}, "isLeadConvert": {"N"}, "isDuplicate": {"false"}}), outbound.KindBadInput, "Invalid customerData", 1},
		{"malformed searchData", false, rawCall(url.Values{"a": {"getAllByAdvancedSearch"}, "searchData": {`[`}}), outbound.KindBadInput, "Invalid searchData", 1},
		{"unknown method", false, rawCall(url.Values{"a": {"explode"}}), outbound.KindBadInput, "Invalid method", 1},
		{"non-numeric id get", false, func(c *apptivo.Client) error { _, err := c.GetCustomer(ctx, "abc"); return err }, outbound.KindBadInput, "positive integer", 0},
		{"non-numeric id update", false, func(c *apptivo.Client) error {
			_, err := c.UpdateCustomer(ctx, "12x", map[string]any{"customerName": "x"})
			return err
		}, outbound.KindBadInput, "positive integer", 0},
		{"empty id delete", false, func(c *apptivo.Client) error { return c.DeleteCustomer(ctx, "") }, outbound.KindBadInput, "positive integer", 0},
		{"negative id", false, func(c *apptivo.Client) error { _, err := c.GetCustomer(ctx, "-4"); return err }, outbound.KindBadInput, "positive integer", 0},
		{"update with no fields", false, func(c *apptivo.Client) error { _, err := c.UpdateCustomer(ctx, "1001", nil); return err }, outbound.KindBadInput, "no attributes", 0},
		{"update with unencodable value", false, func(c *apptivo.Client) error {
			_, err := c.UpdateCustomer(ctx, "1001", map[string]any{"x": make(chan int)})
			return err
		}, outbound.KindBadInput, "cannot be encoded", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			c := e.c
			if tc.badKeys {
				var err error
				c, err = apptivo.New(apptivo.Config{APIKey: testAPIKey + "-WRONG", AccessKey: testAccessKey, BaseURL: e.ts.URL + "/prefix/"})
				require.NoError(t, err)
			}
			ev := requireKind(t, tc.run(c), tc.kind)
			assert.Contains(t, ev.Message, tc.msgPart)
			assert.False(t, ev.Retryable)
			assert.Equal(t, tc.wantCalls, e.sim.Recorder().Count(""))
			if tc.wantCalls > 0 {
				assert.Equal(t, http.StatusOK, ev.HTTPStatus, "Apptivo failures arrive as HTTP 200")
			}
		})
	}
}

func TestFaults(t *testing.T) {
	cases := []struct {
		name       string
		fault      simkit.Fault
		kind       outbound.Kind
		retryable  bool
		retryAfter time.Duration
		status     int
	}{
		{"503 with Retry-After", simkit.Fault{Status: 503, RetryAfterSeconds: 2}, outbound.KindUnavailable, true, 2 * time.Second, 503},
		{"502", simkit.Fault{Status: 502}, outbound.KindUnavailable, true, 0, 502},
		{"429", simkit.Fault{Status: 429, RetryAfterSeconds: 5}, outbound.KindRateLimited, true, 5 * time.Second, 429},
		{"500", simkit.Fault{Status: 500}, outbound.KindUpstream, false, 0, 500},
		{"401", simkit.Fault{Status: 401}, outbound.KindAuth, false, 0, 401},
		{"malformed body", simkit.Fault{Malformed: true}, outbound.KindUpstream, false, 0, 200},
		{"connection reset", simkit.Fault{Reset: true}, outbound.KindUnavailable, true, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			f := tc.fault
			f.Vendor = "apptivo"
			e.sim.Faults().Set(f)
			_, err := e.c.GetCustomer(context.Background(), "1001")
			ev := requireKind(t, err, tc.kind)
			assert.Equal(t, tc.retryable, ev.Retryable)
			assert.Equal(t, tc.retryAfter, ev.RetryAfter)
			assert.Equal(t, tc.status, ev.HTTPStatus)
			assert.Equal(t, "get customer", ev.Operation)
		})
	}
}

func TestTransportErrorHasNoSecret(t *testing.T) {
	ts := httptest.NewServer(http.NotFoundHandler())
	base := ts.URL + "/prefix/"
	ts.Close()
	c, err := apptivo.New(apptivo.Config{APIKey: testAPIKey, AccessKey: testAccessKey, BaseURL: base})
	require.NoError(t, err)

	_, err = c.GetCustomer(context.Background(), "1001")
	ev := requireKind(t, err, outbound.KindUnavailable)
	assert.True(t, ev.Retryable)
	assert.Zero(t, ev.HTTPStatus)
	assert.NotContains(t, err.Error(), "http://", "no URL in the text")
	assert.NotContains(t, err.Error(), "customerId=", "no query in the text")

	_, err = c.SearchCustomers(context.Background(), apptivo.SearchQuery{Email: "a@b.c"}, 0, 10)
	requireKind(t, err, outbound.KindUnavailable)
	err = c.DeleteCustomer(context.Background(), "1")
	requireKind(t, err, outbound.KindUnavailable)
}

// TestTransportErrorEmbeddingKeyedURL uses a transport below auth that
// fails with the full request URL (keys included) in both the *url.Error
// and its cause, as proxies and some transports do.
func TestTransportErrorEmbeddingKeyedURL(t *testing.T) {
	hc := &http.Client{Transport: outboundtest.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
		require.Equal(t, testAPIKey, r.URL.Query().Get("apiKey"), "the transport below auth sees the keys")
		return nil, &url.Error{Op: "Get", URL: r.URL.String(), Err: errors.New("proxy refused " + r.URL.String() + " key=" + r.URL.Query().Get("accessKey"))}
	})}
	c, err := apptivo.New(apptivo.Config{APIKey: testAPIKey, AccessKey: testAccessKey, BaseURL: "http://127.0.0.1:1/app/dao/v6/", HTTPClient: hc})
	require.NoError(t, err)
	_, err = c.GetCustomer(context.Background(), "1001")
	requireKind(t, err, outbound.KindUnavailable)
	assert.Contains(t, err.Error(), "proxy refused", "the cause is kept, minus the secrets")
}

func TestCanceledContext(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.c.GetCustomer(ctx, "1001")
	ev := requireKind(t, err, outbound.KindTimeout)
	assert.False(t, ev.Retryable)
}

func TestEchoedKeysAreScrubbed(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{
			"status": "FAILURE",
			"reason": "Invalid API Key " + q.Get("apiKey") + " / " + q.Get("accessKey") + " for http://x.example/customers?" + r.URL.RawQuery,
		})
	}))
	defer ts.Close()
	c, err := apptivo.New(apptivo.Config{APIKey: testAPIKey, AccessKey: testAccessKey, BaseURL: ts.URL})
	require.NoError(t, err)
	_, err = c.GetCustomer(context.Background(), "1001")
	ev := requireKind(t, err, outbound.KindAuth)
	assert.Contains(t, ev.Message, "REDACTED")
}

func TestNonJSONErrorStatus(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "<html>bad gateway "+r.URL.String()+"</html>", http.StatusBadGateway)
	}))
	defer ts.Close()
	c, err := apptivo.New(apptivo.Config{APIKey: testAPIKey, AccessKey: testAccessKey, BaseURL: ts.URL})
	require.NoError(t, err)
	_, err = c.ListCustomers(context.Background(), 0, 5)
	ev := requireKind(t, err, outbound.KindUnavailable)
	assert.Equal(t, "bad gateway", ev.Message, "the body is not echoed")
}

func TestReasonClassification(t *testing.T) {
	cases := []struct {
		status int
		reason string
		kind   outbound.Kind
	}{
		{200, "Invalid API Key", outbound.KindAuth},
		{200, "invalid accesskey supplied", outbound.KindAuth},
		{200, "Record does not exist", outbound.KindNotFound},
		{200, "Customer not found", outbound.KindNotFound},
		{200, "Too many requests", outbound.KindRateLimited},
		{200, "Something odd", outbound.KindBadInput},
		{400, "Invalid API Key", outbound.KindAuth},
		{400, "bad thing", outbound.KindBadInput},
		{404, "whatever", outbound.KindNotFound},
		{503, "Customer not found", outbound.KindUnavailable},
		{429, "Invalid Key", outbound.KindRateLimited},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%d %s", tc.status, tc.reason), func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				_ = json.NewEncoder(w).Encode(map[string]string{"status": "FAILURE", "reason": tc.reason})
			}))
			defer ts.Close()
			c, err := apptivo.New(apptivo.Config{APIKey: testAPIKey, AccessKey: testAccessKey, BaseURL: ts.URL})
			require.NoError(t, err)
			err = c.DeleteCustomer(context.Background(), "1")
			ev := requireKind(t, err, tc.kind)
			assert.Equal(t, tc.reason, ev.Message)
			assert.Equal(t, tc.status, ev.HTTPStatus)
		})
	}
}

func TestGetByIDEnvelopes(t *testing.T) {
	rec := `{"customerId":42,"id":"42","customerName":"Env Co"}`
	cases := []struct {
		name  string
		body  string
		found bool
		id    int64
	}{
		{"bare", rec, true, 42},
		{"data", `{"data":` + rec + `}`, true, 42},
		{"responseObject", `{"responseObject":` + rec + `}`, true, 42},
		{"customer", `{"customer":` + rec + `}`, true, 42},
		{"id only", `{"id":"42","customerName":"Env Co"}`, true, 42},
		{"customerId only", `{"data":{"customerId":42,"customerName":"Env Co"}}`, true, 42},
		{"null", `null`, false, 0},
		{"empty object", `{}`, false, 0},
		{"null data", `{"data":null}`, false, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(tc.body))
			}))
			defer ts.Close()
			c, err := apptivo.New(apptivo.Config{APIKey: testAPIKey, AccessKey: testAccessKey, BaseURL: ts.URL})
			require.NoError(t, err)
			got, err := c.GetCustomer(context.Background(), "42")
			if !tc.found {
				requireKind(t, err, outbound.KindNotFound)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.id, got.CustomerID)
			assert.Equal(t, "42", got.ID)
			assert.Equal(t, "Env Co", got.CustomerName)
		})
	}
}

func TestPageCountVariants(t *testing.T) {
	cases := []struct {
		name  string
		body  string
		total int
	}{
		{"countOfRecords", `{"data":[{"customerId":1}],"countOfRecords":9}`, 9},
		{"totalNumberOfRecords", `{"data":[{"customerId":1}],"totalNumberOfRecords":7}`, 7},
		{"no count", `{"data":[{"customerId":1}]}`, 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write([]byte(tc.body))
			}))
			defer ts.Close()
			c, err := apptivo.New(apptivo.Config{APIKey: testAPIKey, AccessKey: testAccessKey, BaseURL: ts.URL})
			require.NoError(t, err)
			page, err := c.ListCustomers(context.Background(), 3, 10)
			require.NoError(t, err)
			assert.Len(t, page.Customers, 1)
			assert.Equal(t, tc.total, page.Total)
		})
	}
}

func TestAuthTransport(t *testing.T) {
	t.Run("caller's request is not modified", func(t *testing.T) {
		e := newEnv(t)
		req, err := e.c.NewRequest(context.Background(), "", http.MethodGet, "customers", url.Values{"a": {"getById"}, "customerId": {"1001"}}, nil)
		require.NoError(t, err, nil)
		before := req.URL.String()
		var v map[string]any
		require.NoError(t, e.c.Do(context.Background(), req, &v))
		assert.Equal(t, before, req.URL.String())
		assert.NotContains(t, req.URL.RawQuery, "apiKey")
		assert.Equal(t, "Analytical Engines Ltd", v["customerName"])
	})

	t.Run("keys are not sent to another host on redirect", func(t *testing.T) {
		var gotQuery string
		other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			gotQuery = r.URL.RawQuery
			_, _ = w.Write([]byte(`{"status":"FAILURE","reason":"Invalid API Key"}`))
		}))
		defer other.Close()
		first := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			require.Equal(t, testAPIKey, r.URL.Query().Get("apiKey"), "the configured host does get the keys")
			http.Redirect(w, r, other.URL+"/customers?a=getById&customerId=1", http.StatusFound)
		}))
		defer first.Close()
		c, err := apptivo.New(apptivo.Config{APIKey: testAPIKey, AccessKey: testAccessKey, BaseURL: first.URL})
		require.NoError(t, err)
		_, err = c.GetCustomer(context.Background(), "1")
		requireKind(t, err, outbound.KindAuth)
		assert.Equal(t, "a=getById&customerId=1", gotQuery)
	})

	t.Run("new request refuses credential params and absolute paths", func(t *testing.T) {
		e := newEnv(t)
		_, err := e.c.NewRequest(context.Background(), "", http.MethodGet, "customers", url.Values{"apikey": {"x"}}, nil)
		require.Error(t, err, nil)
		_, err = e.c.NewRequest(context.Background(), "", http.MethodGet, "/customers", nil, nil)
		require.Error(t, err, nil)
	})

	t.Run("caller's HTTP client transport is used below auth", func(t *testing.T) {
		e := newEnv(t)
		var seen []string
		var mu sync.Mutex
		hc := &http.Client{Transport: outboundtest.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
			mu.Lock()
			seen = append(seen, r.URL.Query().Get("accessKey"))
			mu.Unlock()
			return http.DefaultTransport.RoundTrip(r)
		})}
		c, err := apptivo.New(apptivo.Config{APIKey: testAPIKey, AccessKey: testAccessKey, BaseURL: e.ts.URL + "/prefix", HTTPClient: hc})
		require.NoError(t, err)
		_, err = c.GetCustomer(context.Background(), "1001")
		require.NoError(t, err)
		assert.Equal(t, []string{testAccessKey}, seen)
	})
}

func TestRealPathBase(t *testing.T) {
	sim, err := apptivosim.New(apptivosim.Options{})
	require.NoError(t, err)
	defer sim.Close()
	c, err := apptivo.New(apptivo.Config{APIKey: apptivosim.APIKey, AccessKey: apptivosim.AccessKey, BaseURL: sim.URL() + "/app/dao/v6/"})
	require.NoError(t, err)
	page, err := c.SearchCustomers(context.Background(), apptivo.SearchQuery{Email: "BARBARA.LISKOV@example.com"}, 0, 10)
	require.NoError(t, err)
	require.Len(t, page.Customers, 1)
	assert.Equal(t, "Liskov Substitution Labs", page.Customers[0].CustomerName)
	assert.Equal(t, 1, page.Total)
	assert.Equal(t, "/app/dao/v6/customers", lastEntry(t, sim).Path)
}

func TestSearchFilters(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cases := []struct {
		name string
		q    apptivo.SearchQuery
		want []string
	}{
		{"status", apptivo.SearchQuery{StatusIDs: []int64{10001}}, []string{"1005"}},
		{"phone", apptivo.SearchQuery{Phone: "703-555-0102"}, []string{"1002"}},
		{"number", apptivo.SearchQuery{CustomerNumber: "3"}, []string{"1003"}},
		{"name and status", apptivo.SearchQuery{CustomerName: "ltd", StatusIDs: []int64{10002}}, []string{"1003"}},
		{"email exact", apptivo.SearchQuery{Email: "katherine.johnson@example.com"}, []string{"1004"}},
		{"no match", apptivo.SearchQuery{Email: "edsger.dijkstra@example.com"}, []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page, err := e.c.SearchCustomers(ctx, tc.q, 0, 50)
			require.NoError(t, err)
			ids := []string{}
			for _, c := range page.Customers {
				ids = append(ids, c.ID)
			}
			assert.Equal(t, tc.want, ids)
			assert.Equal(t, len(tc.want), page.Total)
		})
	}
}

func TestPrimaryEmail(t *testing.T) {
	var nilCustomer *apptivo.Customer
	assert.Equal(t, "", nilCustomer.PrimaryEmail())
	assert.Equal(t, "", (&apptivo.Customer{}).PrimaryEmail())
	c := apptivo.Customer{EmailAddresses: []apptivo.Email{{EmailAddress: " "}, {EmailAddress: "b@x.example"}, {EmailAddress: "c@x.example"}}}
	assert.Equal(t, "b@x.example", c.PrimaryEmail())
}

func TestCustomerOmitEmpty(t *testing.T) {
	b, err := json.Marshal(apptivo.Customer{CustomerName: "Only"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"customerName":"Only"}`, string(b))
	assert.False(t, strings.Contains(string(b), "null"))
}

// TestLargeRecordTravelsInBody: a whole record with large custom
// attributes is kilobytes; a write carries it in a form body, so the
// request line stays short whatever the record's size (the simulator, like
// a servlet container, refuses request lines over 8 KB).
func TestLargeRecordTravelsInBody(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	big := strings.Repeat("custom attribute text é&=? ", 600) // ~16 KB escaped
	attr, err := json.Marshal(map[string]string{"customAttributeId": "attr_big", "customAttributeValue": big})
	require.NoError(t, err)
	created, err := e.c.CreateCustomer(ctx, apptivo.Customer{CustomerName: "Big Co", Description: big, CustomAttributes: []json.RawMessage{attr}})
	require.NoError(t, err)
	assert.Equal(t, big, created.Description)
	save := lastEntry(t, e.sim)
	assert.Less(t, len(save.Query), 256, "the record is not in the URL")
	assert.NotContains(t, save.Query, "customerData")

	updated, err := e.c.UpdateCustomer(ctx, created.ID, map[string]any{"website": "https://big.example", "description": big + "!"})
	require.NoError(t, err)
	assert.Equal(t, big+"!", updated.Description)
	assert.Less(t, len(lastEntry(t, e.sim).Query), 256, "the whole record sent back is not in the URL either")
}

// TestReferenceNotConfigured: an id getConfigData does not list has no
// name to send beside it, so the write is refused before it is made.
func TestReferenceNotConfigured(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.c.UpdateCustomer(ctx, "1001", map[string]any{"segmentId": 69999})
	ev := requireKind(t, err, outbound.KindBadInput)
	assert.Contains(t, ev.Message, "segmentId 69999")
	_, err = e.c.CreateCustomer(ctx, apptivo.Customer{CustomerName: "X", MarketID: 1})
	requireKind(t, err, outbound.KindBadInput)
	for _, en := range e.sim.Recorder().Entries() {
		assert.Contains(t, en.Query, "a=getConfigData", "only the configuration was read")
	}
}
