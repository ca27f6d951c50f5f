package apptivosim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/simkit"
)

func newSim(t *testing.T, opts Options) *Server {
	t.Helper()
	s, err := New(opts)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

// call sends a request with the sandbox keys and decodes the JSON reply.
func call(t *testing.T, s *Server, method string, p url.Values) (int, map[string]any) {
	t.Helper()
	q := url.Values{}
	for k, v := range p {
		q[k] = v
	}
	if !q.Has("apiKey") {
		q.Set("apiKey", APIKey)
	}
	if !q.Has("accessKey") {
		q.Set("accessKey", AccessKey)
	}
	// The documented parameters a test does not name get the sample's
	// values; naming one with a nil value leaves it out.
	defaults := map[string]url.Values{"save": {"isLeadConvert": {"N"}, "isDuplicate": {"false"}}, "update": {"objectId": {"3"}}}
	for k, v := range defaults[q.Get("a")] {
		if _, named := q[k]; !named {
			q[k] = v
		}
	}
	req, err := http.NewRequest(method, s.URL()+"/customers?"+q.Encode(), nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	return resp.StatusCode, body
}

func requireFailure(t *testing.T, status int, body map[string]any, reasonPart string) {
	t.Helper()
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "FAILURE", body["status"], "body: %v", body)
	require.Contains(t, strings.ToLower(body["reason"].(string)), strings.ToLower(reasonPart))
}

func save(t *testing.T, s *Server, data string) map[string]any {
	t.Helper()
	status, body := call(t, s, http.MethodPost, url.Values{"a": {"save"}, "customerData": {data}})
	require.Equal(t, http.StatusOK, status)
	require.NotEqual(t, "FAILURE", body["status"], "body: %v", body)
	return body["customer"].(map[string]any)
}

func TestName(t *testing.T) {
	s := newSim(t, Options{NoListener: true})
	assert.Equal(t, "apptivo", s.Name())
	assert.Empty(t, s.URL())
	var _ simkit.Vendor = s
}

func TestAuth(t *testing.T) {
	s := newSim(t, Options{APIKey: "k1", AccessKey: "k2"})
	cases := []struct {
		name             string
		apiKey, accessKy string
		ok               bool
	}{
		{"both right", "k1", "k2", true},
		{"wrong api key", "nope", "k2", false},
		{"wrong access key", "k1", "nope", false},
		{"missing both", "", "", false},
		{"sandbox defaults not accepted when overridden", APIKey, AccessKey, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := call(t, s, http.MethodGet, url.Values{"a": {"getAll"}, "apiKey": {tc.apiKey}, "accessKey": {tc.accessKy}})
			if tc.ok {
				assert.Contains(t, body, "data")
				return
			}
			requireFailure(t, status, body, "key")
		})
	}
}

func TestRoutingAndMethods(t *testing.T) {
	s := newSim(t, Options{})
	q := "?a=getAll&apiKey=" + APIKey + "&accessKey=" + AccessKey

	resp, err := http.Get(s.URL() + "/app/dao/v6/customers" + q)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "real Apptivo path is served")

	resp, err = http.Get(s.URL() + "/leads" + q)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.JSONEq(t, `{"status":"FAILURE","reason":"Not Found"}`, string(b))

	req, _ := http.NewRequest(http.MethodDelete, s.URL()+"/customers"+q, nil)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Equal(t, "GET, POST", resp.Header.Get("Allow"))

	status, body := call(t, s, http.MethodGet, url.Values{"a": {"frobnicate"}})
	requireFailure(t, status, body, "invalid method")
	status, body = call(t, s, http.MethodGet, url.Values{})
	requireFailure(t, status, body, "missing method")
}

func TestPostFormBody(t *testing.T) {
	s := newSim(t, Options{Empty: true})
	form := url.Values{"customerData": {`{"customerName":"Form Co"}`}, "isLeadConvert": {"N"}, "isDuplicate": {"false"}, "apiKey": {APIKey}, "accessKey": {AccessKey}}
	resp, err := http.Post(s.URL()+"/customers?a=save", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	defer resp.Body.Close()
	var body map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	require.Contains(t, body, "customer")
	assert.Equal(t, "Form Co", body["customer"].(map[string]any)["customerName"])

	// Apptivo clients may POST the keys in the form body; the recorder must
	// not keep them there either.
	entries := s.Recorder().Entries()
	require.Len(t, entries, 1)
	assert.NotContains(t, entries[0].Body, APIKey)
	assert.NotContains(t, entries[0].Body, AccessKey)
	recorded, err := url.ParseQuery(entries[0].Body)
	require.NoError(t, err)
	assert.Equal(t, "REDACTED", recorded.Get("apiKey"))
	assert.Equal(t, `{"customerName":"Form Co"}`, recorded.Get("customerData"), "other form values are kept")
}

func TestSaveAssignsIDsNumberDates(t *testing.T) {
	s := newSim(t, Options{})
	fixed := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	s.store.now = func() time.Time { return fixed }

	c := save(t, s, `{"customerName":"Acme","customerId":5,"id":"5","customerNumber":"Auto generated number","website":null}`)
	assert.Equal(t, json.Number("1006").String(), fmt.Sprint(c["customerId"]), "ids continue after the demo data; a supplied id is ignored")
	assert.Equal(t, "1006", c["id"])
	assert.Equal(t, "6", c["customerNumber"])
	assert.Equal(t, "2025-03-04 05:06:07", c["creationDate"])
	assert.Equal(t, "2025-03-04 05:06:07", c["lastUpdateDate"])
	assert.Equal(t, "Active", c["statusName"], "status defaults to Active")
	assert.EqualValues(t, 10000, c["statusId"])
	assert.NotContains(t, c, "website", "null attributes are dropped")

	c2 := save(t, s, `{"customerName":"Beta","customerNumber":"C-77","statusName":"Inactive","statusId":10001}`)
	assert.Equal(t, "1007", c2["id"])
	assert.Equal(t, "C-77", c2["customerNumber"], "a given number is kept")
	assert.EqualValues(t, 10001, c2["statusId"])
	assert.Equal(t, "Inactive", c2["statusName"])
}

func TestSaveFailures(t *testing.T) {
	s := newSim(t, Options{Empty: true})
	cases := []struct {
		name, data, reason string
	}{
		{"missing name", `{"website":"x"}`, "customername is mandatory"},
		{"blank name", `{"customerName":"  "}`, "customername is mandatory"},
		{"malformed json", `{"customerName":`, "invalid customerdata"},
		{"not an object", `[1,2]`, "invalid customerdata"},
		{"trailing data", `{"customerName":"a"} x`, "invalid customerdata"},
		{"missing data", ``, "invalid customerdata"},
		{"emails not array", `{"customerName":"a","emailAddresses":"a@b"}`, "emailaddresses must be an array"},
		{"bad email", `{"customerName":"a","emailAddresses":[{"emailAddress":"nope"}]}`, "invalid email address"},
		{"unknown status", `{"customerName":"a","statusId":1}`, "invalid statusid"},
		{"unknown status name", `{"customerName":"a","statusName":"Zombie"}`, "invalid statusname"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := call(t, s, http.MethodPost, url.Values{"a": {"save"}, "customerData": {tc.data}})
			requireFailure(t, status, body, tc.reason)
		})
	}
	doc, err := s.State()
	require.NoError(t, err)
	assert.JSONEq(t, `{"customers":[]}`, string(doc), "failed saves store nothing")
}

func TestUpdateChangesOnlyNamedAttributes(t *testing.T) {
	s := newSim(t, Options{})
	before := getByID(t, s, "1001")

	status, body := call(t, s, http.MethodPost, url.Values{
		"a":             {"update"},
		"customerId":    {"1001"},
		"objectId":      {"3"},
		"attributeName": {`["customerName","website"]`},
		"customerData": {whole(t, s, "1001", map[string]any{"customerName": "Renamed", "website": nil, "description": "NOT NAMED",
			"creationDate": "1999-01-01 00:00:00", "emailAddresses": []any{map[string]any{"emailAddress": "x@example.com"}}})},
		"isEmailAddressUpdate": {"false"},
	})
	require.Equal(t, http.StatusOK, status)
	updated := body["customer"].(map[string]any)
	assert.Equal(t, "Renamed", updated["customerName"])
	assert.NotContains(t, updated, "website", "a named attribute given as null is cleared")
	assert.Equal(t, before["description"], updated["description"], "unnamed attribute untouched although present in customerData")
	assert.Equal(t, before["emailAddresses"], updated["emailAddresses"])
	assert.Equal(t, before["customerId"], updated["customerId"])
	assert.Equal(t, before["creationDate"], updated["creationDate"])

	stored := getByID(t, s, "1001")
	assert.Equal(t, updated, stored, "reply equals what is stored")
	for k, v := range before {
		if k == "customerName" || k == "website" || k == "lastUpdateDate" {
			continue
		}
		assert.Equal(t, v, stored[k], "attribute %s changed", k)
	}
}

func TestUpdateEmailFlagAndLegacyNames(t *testing.T) {
	s := newSim(t, Options{})
	emails := whole(t, s, "1002", map[string]any{"emailAddresses": []any{map[string]any{"emailAddress": "new@example.com", "emailTypeCode": "BUSINESS"}}})
	cases := []struct {
		name    string
		params  url.Values
		changed bool
	}{
		{"flag false leaves emails", url.Values{"attributeName": {`["emailAddresses"]`}, "isEmailAddressUpdate": {"false"}}, false},
		{"flag missing leaves emails", url.Values{"attributeName": {`["emailAddresses"]`}}, false},
		{"flag true changes emails", url.Values{"attributeName": {`["emailAddresses"]`}, "isEmailAddressUpdate": {"true"}}, true},
		{"legacy attributeNames accepted", url.Values{"attributeNames": {`["emailAddresses"]`}, "isEmailAddressUpdate": {"true"}}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.Reset()
			p := tc.params
			p.Set("a", "update")
			p.Set("customerId", "1002")
			p.Set("customerData", emails)
			status, body := call(t, s, http.MethodPost, p)
			require.Equal(t, http.StatusOK, status)
			require.Contains(t, body, "customer", "body: %v", body)
			got := getByID(t, s, "1002")["emailAddresses"].([]any)[0].(map[string]any)["emailAddress"]
			if tc.changed {
				assert.Equal(t, "new@example.com", got)
			} else {
				assert.Equal(t, "grace.hopper@example.com", got)
			}
		})
	}
}

func TestUpdateStatusAndFailures(t *testing.T) {
	s := newSim(t, Options{})
	status, body := call(t, s, http.MethodPost, url.Values{"a": {"update"}, "customerId": {"1001"},
		"attributeName": {`["statusName","statusId"]`}, "customerData": {whole(t, s, "1001", map[string]any{"statusName": "On Hold", "statusId": 10002})}})
	require.Equal(t, http.StatusOK, status)
	assert.EqualValues(t, 10002, body["customer"].(map[string]any)["statusId"], "the status pair is applied")
	assert.Equal(t, "On Hold", body["customer"].(map[string]any)["statusName"])
	s.Reset()

	cases := []struct {
		name   string
		params url.Values
		reason string
	}{
		{"unknown id", url.Values{"customerId": {"424242"}, "attributeName": {`["customerName"]`}, "customerData": {`{"customerName":"x"}`}}, "customer not found"},
		{"non-numeric id", url.Values{"customerId": {"abc"}, "attributeName": {`["customerName"]`}, "customerData": {`{"customerName":"x"}`}}, "invalid customerid"},
		{"missing id", url.Values{"attributeName": {`["customerName"]`}, "customerData": {`{"customerName":"x"}`}}, "customerid is mandatory"},
		{"malformed attributeName", url.Values{"customerId": {"1001"}, "attributeName": {`customerName`}, "customerData": {`{"customerName":"x"}`}}, "invalid attributename"},
		{"empty attributeName", url.Values{"customerId": {"1001"}, "attributeName": {`[]`}, "customerData": {`{"customerName":"x"}`}}, "invalid attributename"},
		{"malformed customerData", url.Values{"customerId": {"1001"}, "attributeName": {`["customerName"]`}, "customerData": {`{"customerName":`}}, "invalid customerdata"},
		{"clearing the name", url.Values{"customerId": {"1001"}, "attributeName": {`["customerName"]`}, "customerData": {whole(t, s, "1001", map[string]any{"customerName": nil})}}, "customername is mandatory"},
		{"bad status", url.Values{"customerId": {"1001"}, "attributeName": {`["statusId","statusName"]`}, "customerData": {whole(t, s, "1001", map[string]any{"statusId": 7})}}, "invalid statusid"},
		{"fragment", url.Values{"customerId": {"1001"}, "attributeName": {`["customerName"]`}, "customerData": {`{"customerName":"x"}`}}, "whole customer record"},
		{"fragment with the id", url.Values{"customerId": {"1001"}, "attributeName": {`["customerName"]`}, "customerData": {`{"customerId":1001,"customerName":"x"}`}}, "missing"},
		{"another customer's record", url.Values{"customerId": {"1001"}, "attributeName": {`["customerName"]`}, "customerData": {whole(t, s, "1002", map[string]any{"customerName": "x"})}}, "whole customer record"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.params.Set("a", "update")
			status, body := call(t, s, http.MethodPost, tc.params)
			requireFailure(t, status, body, tc.reason)
		})
	}
	assert.Equal(t, "Analytical Engines Ltd", getByID(t, s, "1001")["customerName"], "failed updates change nothing")
}

// whole is customer id as getById returns it, with changes applied, as
// update's customerData: the whole record.
func whole(t *testing.T, s *Server, id string, changes map[string]any) string {
	t.Helper()
	c := getByID(t, s, id)
	for k, v := range changes {
		c[k] = v
	}
	b, err := json.Marshal(c)
	require.NoError(t, err)
	return string(b)
}

// TestUpdateAddressFlag: addresses change only with isAddressUpdate=true.
func TestUpdateAddressFlag(t *testing.T) {
	s := newSim(t, Options{})
	for _, flag := range []string{"", "false", "true"} {
		t.Run("flag="+flag, func(t *testing.T) {
			s.Reset()
			p := url.Values{"a": {"update"}, "customerId": {"1002"}, "attributeName": {`["addresses"]`},
				"customerData": {whole(t, s, "1002", map[string]any{"addresses": []any{map[string]any{"city": "Leeds"}}})}}
			if flag != "" {
				p.Set("isAddressUpdate", flag)
			}
			status, _ := call(t, s, http.MethodPost, p)
			require.Equal(t, http.StatusOK, status)
			city := getByID(t, s, "1002")["addresses"].([]any)[0].(map[string]any)["city"]
			if flag == "true" {
				assert.Equal(t, "Leeds", city)
			} else {
				assert.Equal(t, "Arlington", city)
			}
		})
	}
}

func getByID(t *testing.T, s *Server, id string) map[string]any {
	t.Helper()
	status, body := call(t, s, http.MethodGet, url.Values{"a": {"getById"}, "customerId": {id}})
	require.Equal(t, http.StatusOK, status)
	require.NotEqual(t, "FAILURE", body["status"], "body: %v", body)
	return body
}

func TestGetAndDelete(t *testing.T) {
	s := newSim(t, Options{})
	c := getByID(t, s, "1005")
	assert.Equal(t, "Liskov Substitution Labs", c["customerName"])
	assert.EqualValues(t, 1005, c["customerId"])

	status, body := call(t, s, http.MethodPost, url.Values{"a": {"delete"}, "customerId": {"1005"}})
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, map[string]any{"status": "SUCCESS"}, body)

	for _, a := range []string{"getById", "delete"} {
		status, body = call(t, s, http.MethodPost, url.Values{"a": {a}, "customerId": {"1005"}})
		requireFailure(t, status, body, "customer not found")
	}
	status, body = call(t, s, http.MethodGet, url.Values{"a": {"getById"}, "customerId": {"-3"}})
	requireFailure(t, status, body, "invalid customerid")
}

func TestGetAllPaging(t *testing.T) {
	s := newSim(t, Options{})
	ids := func(body map[string]any) []string {
		var out []string
		for _, d := range body["data"].([]any) {
			out = append(out, d.(map[string]any)["id"].(string))
		}
		return out
	}
	cases := []struct {
		start, n string
		want     []string
	}{
		{"", "", []string{"1001", "1002", "1003", "1004", "1005"}},
		{"0", "2", []string{"1001", "1002"}},
		{"2", "2", []string{"1003", "1004"}},
		{"4", "10", []string{"1005"}},
		{"9", "10", nil},
	}
	for _, tc := range cases {
		t.Run(tc.start+"/"+tc.n, func(t *testing.T) {
			p := url.Values{"a": {"getAll"}}
			if tc.start != "" {
				p.Set("startIndex", tc.start)
				p.Set("numRecords", tc.n)
			}
			status, body := call(t, s, http.MethodGet, p)
			require.Equal(t, http.StatusOK, status)
			assert.Equal(t, tc.want, ids(body))
			assert.EqualValues(t, 5, body["countOfRecords"])
		})
	}
	for _, bad := range []url.Values{{"startIndex": {"-1"}}, {"numRecords": {"x"}}} {
		bad.Set("a", "getAll")
		status, body := call(t, s, http.MethodGet, bad)
		requireFailure(t, status, body, "invalid")
	}
}

func TestAdvancedSearch(t *testing.T) {
	s := newSim(t, Options{})
	cases := []struct {
		name        string
		search      string
		multiSelect string
		want        []string
	}{
		{"empty matches all", `{}`, `{}`, []string{"Analytical Engines Ltd", "Hopper Compilers Inc", "Turing Machines Ltd", "Johnson Orbital Mechanics", "Liskov Substitution Labs"}},
		{"name substring, case-insensitive", `{"customerName":"LTD"}`, ``, []string{"Analytical Engines Ltd", "Turing Machines Ltd"}},
		{"number substring", `{"customerNumber":"4"}`, ``, []string{"Johnson Orbital Mechanics"}},
		{"email exact, case-insensitive", `{"emailAddresses":[{"emailAddress":"Grace.Hopper@Example.com"}]}`, ``, []string{"Hopper Compilers Inc"}},
		{"email is not a substring match", `{"emailAddresses":[{"emailAddress":"hopper@example.com"}]}`, ``, nil},
		{"empty email entry ignored", `{"emailAddresses":[{"emailAddress":""}]}`, ``, []string{"Analytical Engines Ltd", "Hopper Compilers Inc", "Turing Machines Ltd", "Johnson Orbital Mechanics", "Liskov Substitution Labs"}},
		{"phone by digits", `{"phoneNumbers":[{"phoneNumber":"(757) 555-0104"}]}`, ``, []string{"Johnson Orbital Mechanics"}},
		{"status ids", `{}`, `{"statusIds":[10001,10002],"marketIds":[]}`, []string{"Turing Machines Ltd", "Liskov Substitution Labs"}},
		{"status and market combined", `{}`, `{"statusIds":[10000],"marketIds":[30002]}`, []string{"Analytical Engines Ltd"}},
		{"name and status combined", `{"customerName":"Ltd"}`, `{"statusIds":[10000]}`, []string{"Analytical Engines Ltd"}},
		{"documented template with empty values matches all", `{"customerName":"","customerNumber":"","assigneeObjectRefName":null,"phoneNumbers":[],"emailAddresses":[],"customAttributes":[],"addresses":[{"addressAttributeId":"address_section_attr_id","addressGroupName":"Address1","addressType":"","state":"","stateCode":"","stateId":null,"stateName":""}]}`,
			`{"marketIds":[],"categoryIds":[],"statusIds":[],"employeeRangeIds":[],"paymentTermIds":[],"slaIds":[],"industryIds":[],"segmentIds":[]}`,
			[]string{"Analytical Engines Ltd", "Hopper Compilers Inc", "Turing Machines Ltd", "Johnson Orbital Mechanics", "Liskov Substitution Labs"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := url.Values{"a": {"getAllByAdvancedSearch"}, "searchData": {tc.search}, "objectId": {"3"}, "startIndex": {"0"}, "numRecords": {"50"}}
			if tc.multiSelect != "" {
				p.Set("multiSelectData", tc.multiSelect)
			}
			status, body := call(t, s, http.MethodGet, p)
			require.Equal(t, http.StatusOK, status)
			require.Contains(t, body, "data", "body: %v", body)
			var names []string
			for _, d := range body["data"].([]any) {
				names = append(names, d.(map[string]any)["customerName"].(string))
			}
			assert.Equal(t, tc.want, names)
			assert.EqualValues(t, len(tc.want), body["countOfRecords"])
		})
	}

	t.Run("paged search reports the full count", func(t *testing.T) {
		status, body := call(t, s, http.MethodGet, url.Values{"a": {"getAllByAdvancedSearch"}, "searchData": {`{}`}, "startIndex": {"1"}, "numRecords": {"2"}})
		require.Equal(t, http.StatusOK, status)
		assert.Len(t, body["data"], 2)
		assert.EqualValues(t, 5, body["countOfRecords"])
	})

	failures := []struct{ name, search, multi, reason string }{
		{"malformed searchData", `{"customerName":`, `{}`, "invalid searchdata"},
		{"malformed multiSelectData", `{}`, `{"statusIds":[`, "invalid multiselectdata"},
		{"emails not array", `{"emailAddresses":"x"}`, `{}`, "invalid searchdata"},
		{"status ids not integers", `{}`, `{"statusIds":["a"]}`, "invalid multiselectdata"},
	}
	for _, tc := range failures {
		t.Run(tc.name, func(t *testing.T) {
			status, body := call(t, s, http.MethodGet, url.Values{"a": {"getAllByAdvancedSearch"}, "searchData": {tc.search}, "multiSelectData": {tc.multi}})
			requireFailure(t, status, body, tc.reason)
		})
	}
}

func TestSearchText(t *testing.T) {
	s := newSim(t, Options{})
	status, body := call(t, s, http.MethodGet, url.Values{"a": {"getAllBySearchText"}, "searchText": {"alan.turing"}, "objectId": {"3"}})
	require.Equal(t, http.StatusOK, status)
	require.Len(t, body["data"], 1)
	assert.Equal(t, "Turing Machines Ltd", body["data"].([]any)[0].(map[string]any)["customerName"])
}

func TestConfigData(t *testing.T) {
	s := newSim(t, Options{})
	status, body := call(t, s, http.MethodGet, url.Values{"a": {"getConfigData"}})
	require.Equal(t, http.StatusOK, status)
	st := body["customerStatusList"].([]any)
	require.NotEmpty(t, st)
	assert.Equal(t, map[string]any{"statusId": float64(10000), "statusName": "Active"}, st[0])
	for _, k := range []string{"categories", "markets", "industries", "paymentTerms", "employeeRanges", "segments"} {
		list, ok := body[k].([]any)
		require.True(t, ok, k)
		require.NotEmpty(t, list, k)
		assert.Contains(t, list[0], "id")
		assert.Contains(t, list[0], "name")
	}
}

func TestDemoDataEmails(t *testing.T) {
	s := newSim(t, Options{})
	status, body := call(t, s, http.MethodGet, url.Values{"a": {"getAll"}})
	require.Equal(t, http.StatusOK, status)
	var emails []string
	for _, d := range body["data"].([]any) {
		c := d.(map[string]any)
		emails = append(emails, c["emailAddresses"].([]any)[0].(map[string]any)["emailAddress"].(string))
		assert.NotEmpty(t, c["addresses"])
		assert.NotEmpty(t, c["phoneNumbers"])
		assert.NotEmpty(t, c["statusName"])
	}
	assert.Equal(t, []string{"ada.lovelace@example.com", "grace.hopper@example.com", "alan.turing@example.com",
		"katherine.johnson@example.com", "barbara.liskov@example.com"}, emails)

	empty := newSim(t, Options{Empty: true})
	doc, err := empty.State()
	require.NoError(t, err)
	assert.JSONEq(t, `{"customers":[]}`, string(doc))
}

func TestStateRoundTripAndReset(t *testing.T) {
	s := newSim(t, Options{})
	doc, err := s.State()
	require.NoError(t, err)

	require.NoError(t, s.SetState([]byte(`{"customers":[{"customerId":7,"customerName":"Only","customerNumber":"40"},{"customerId":3,"customerName":"First"}]}`)))
	got, err := s.State()
	require.NoError(t, err)
	assert.JSONEq(t, `{"customers":[{"customerId":3,"id":"3","customerName":"First"},{"customerId":7,"id":"7","customerName":"Only","customerNumber":"40"}]}`, string(got))
	c := save(t, s, `{"customerName":"Next"}`)
	assert.Equal(t, "8", c["id"], "ids continue after the highest id in the state")
	assert.Equal(t, "41", c["customerNumber"], "numbers continue after the highest number")

	s.Reset()
	again, err := s.State()
	require.NoError(t, err)
	assert.JSONEq(t, string(doc), string(again))
}

func TestSetStateRejectsMalformed(t *testing.T) {
	s := newSim(t, Options{})
	before, err := s.State()
	require.NoError(t, err)
	for name, doc := range map[string]string{
		"not json":          `{`,
		"missing customers": `{}`,
		"unknown key":       `{"customers":[],"leads":[]}`,
		"trailing":          `{"customers":[]} {}`,
		"no id":             `{"customers":[{"customerName":"a"}]}`,
		"zero id":           `{"customers":[{"customerId":0,"customerName":"a"}]}`,
		"dup id":            `{"customers":[{"customerId":1,"customerName":"a"},{"customerId":1,"customerName":"b"}]}`,
		"id mismatch":       `{"customers":[{"customerId":1,"id":"2","customerName":"a"}]}`,
		"no name":           `{"customers":[{"customerId":1}]}`,
		"null customer":     `{"customers":[null]}`,
		"emails not array":  `{"customers":[{"customerId":1,"customerName":"a","emailAddresses":{}}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			require.Error(t, s.SetState([]byte(doc)))
			after, err := s.State()
			require.NoError(t, err)
			assert.JSONEq(t, string(before), string(after), "state unchanged")
		})
	}
}

func TestFaultBodyAndRecorder(t *testing.T) {
	s := newSim(t, Options{})
	s.Faults().Set(simkit.Fault{Vendor: "apptivo", Status: 503, RetryAfterSeconds: 2})
	resp, err := http.Get(s.URL() + "/customers?a=getAll&apiKey=" + APIKey + "&accessKey=" + AccessKey)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 503, resp.StatusCode)
	assert.Equal(t, "2", resp.Header.Get("Retry-After"))
	assert.JSONEq(t, `{"status":"FAILURE","reason":"Service Unavailable"}`, string(b))
	assert.JSONEq(t, `{"status":"FAILURE","reason":"Rate limit exceeded; retry after 3 seconds"}`, string(faultBody(429, 3, "")))
	assert.JSONEq(t, `{"status":"FAILURE","reason":"echo: GET /x"}`, string(faultBody(400, 0, "echo: GET /x")))

	entries := s.Recorder().Entries()
	require.Len(t, entries, 1)
	q, err := url.ParseQuery(entries[0].Query)
	require.NoError(t, err)
	assert.Equal(t, "REDACTED", q.Get("apiKey"))
	assert.Equal(t, "REDACTED", q.Get("accessKey"))
	assert.Equal(t, "getAll", q.Get("a"))
}

func TestMountedUnderPrefix(t *testing.T) {
	s := newSim(t, Options{NoListener: true})
	ts := httptest.NewServer(http.StripPrefix("/apptivo", s.Handler()))
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/apptivo/customers?a=getById&customerId=1001&apiKey=" + APIKey + "&accessKey=" + AccessKey)
	require.NoError(t, err)
	defer resp.Body.Close()
	var c map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&c))
	assert.Equal(t, "1001", c["id"])
}

func TestConcurrentSavesGetUniqueIDs(t *testing.T) {
	s := newSim(t, Options{Empty: true})
	const n = 20
	var wg sync.WaitGroup
	ids := make(chan string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c, err := s.store.save(record{"customerName": fmt.Sprintf("c%d", i)})
			if err == nil {
				ids <- c["id"].(string)
			}
			_, _ = s.State()
			s.store.list(nil, nil, 0, 5)
		}(i)
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		assert.False(t, seen[id], "duplicate id %s", id)
		seen[id] = true
	}
	assert.Len(t, seen, n)
}
