package apptivosim

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRefusesWhatApptivoDoesNotDocument: unknown or misspelled
// parameters and attributes, missing documented parameters, the wrong
// objectId and reference pairs that disagree are each refused with the
// FAILURE body, and a refusal changes nothing.
func TestRefusesWhatApptivoDoesNotDocument(t *testing.T) {
	s := newSim(t, Options{})
	before, err := s.State()
	require.NoError(t, err)
	pairs := func(changes map[string]any) string { return whole(t, s, "1001", changes) }
	cases := []struct {
		name   string
		params url.Values
		reason string
	}{
		{"save: misspelled customerData", url.Values{"a": {"save"}, "customerDate": {`{"customerName":"x"}`}}, "unknown parameter customerDate"},
		{"save: no isLeadConvert", url.Values{"a": {"save"}, "customerData": {`{"customerName":"x"}`}, "isLeadConvert": nil}, "isLeadConvert is mandatory"},
		{"save: no isDuplicate", url.Values{"a": {"save"}, "customerData": {`{"customerName":"x"}`}, "isDuplicate": nil}, "isDuplicate is mandatory"},
		{"save: bad isLeadConvert", url.Values{"a": {"save"}, "customerData": {`{"customerName":"x"}`}, "isLeadConvert": {"maybe"}}, "invalid isLeadConvert"},
		{"save: misspelled attribute", url.Values{"a": {"save"}, "customerData": {`{"customerName":"x","custmerNumber":"7"}`}}, "unknown attribute custmerNumber"},
		{"save: id without its name", url.Values{"a": {"save"}, "customerData": {`{"customerName":"x","customerCategoryId":20001}`}}, "customerCategory is mandatory"},
		{"save: name of another id", url.Values{"a": {"save"}, "customerData": {`{"customerName":"x","paymentTermId":98764,"paymentTerm":"Net 30"}`}}, "invalid paymentTerm"},
		{"save: name without its id", url.Values{"a": {"save"}, "customerData": {`{"customerName":"x","segmentName":"Growth"}`}}, "segmentId is mandatory"},
		{"save: unknown assignee", url.Values{"a": {"save"}, "customerData": {`{"customerName":"x","assigneeObjectRefId":1,"assigneeObjectRefName":"Nobody"}`}}, "invalid assigneeObjectRefId"},
		{"save: parameter twice", url.Values{"a": {"save"}, "customerData": {`{"customerName":"x"}`, `{"customerName":"y"}`}}, "more than once"},
		{"update: no objectId", url.Values{"a": {"update"}, "customerId": {"1001"}, "objectId": nil, "attributeName": {`["customerName"]`}, "customerData": {pairs(map[string]any{"customerName": "x"})}}, "objectId is mandatory"},
		{"update: objectId 4", url.Values{"a": {"update"}, "customerId": {"1001"}, "objectId": {"4"}, "attributeName": {`["customerName"]`}, "customerData": {pairs(map[string]any{"customerName": "x"})}}, "invalid objectId"},
		{"update: misspelled flag", url.Values{"a": {"update"}, "customerId": {"1001"}, "attributeName": {`["customerName"]`}, "isEmailAdressUpdate": {"true"}, "customerData": {pairs(map[string]any{"customerName": "x"})}}, "unknown parameter isEmailAdressUpdate"},
		{"update: both attributeName spellings", url.Values{"a": {"update"}, "customerId": {"1001"}, "attributeName": {`["customerName"]`}, "attributeNames": {`["customerName"]`}, "customerData": {pairs(map[string]any{"customerName": "x"})}}, "attributeName is mandatory"},
		{"update: unknown attribute named", url.Values{"a": {"update"}, "customerId": {"1001"}, "attributeName": {`["customerNme"]`}, "customerData": {pairs(map[string]any{"customerName": "x"})}}, "unknown attribute customerNme"},
		{"update: stale name beside a new id", url.Values{"a": {"update"}, "customerId": {"1001"}, "attributeName": {`["customerCategoryId","customerCategory"]`},
			"customerData": {pairs(map[string]any{"customerCategoryId": 20003})}}, `invalid customerCategory: customerCategoryId 20003 is "Non-Profit"`},
		{"update: only the id named", url.Values{"a": {"update"}, "customerId": {"1001"}, "attributeName": {`["customerCategoryId"]`},
			"customerData": {pairs(map[string]any{"customerCategoryId": 20003, "customerCategory": "Non-Profit"})}}, "updated together"},
		{"getById: misspelled id", url.Values{"a": {"getById"}, "customerID": {"1001"}}, "unknown parameter customerID"},
		{"delete: no id", url.Values{"a": {"delete"}}, "customerId is mandatory"},
		{"delete: extra parameter", url.Values{"a": {"delete"}, "customerId": {"1001"}, "customerIds": {"[1002]"}}, "unknown parameter customerIds"},
		{"getAll: misspelled window", url.Values{"a": {"getAll"}, "numRecord": {"5"}}, "unknown parameter numRecord"},
		{"search: no searchData", url.Values{"a": {"getAllByAdvancedSearch"}, "multiSelectData": {`{}`}}, "searchData is mandatory"},
		{"search text: no text", url.Values{"a": {"getAllBySearchText"}}, "searchText is mandatory"},
		{"config: stray parameter", url.Values{"a": {"getConfigData"}, "objectId": {"3"}}, "unknown parameter objectId"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := call(t, s, http.MethodPost, tc.params)
			requireFailure(t, status, body, tc.reason)
			after, err := s.State()
			require.NoError(t, err)
			assert.JSONEq(t, string(before), string(after), "a refused call changes nothing")
		})
	}
}

// TestRequestLineLimit: like the servlet container in front of Apptivo
// (inference, see maxRequestURI), a request line over 8 KB is refused with
// 414, while the same record in a form body is served.
func TestRequestLineLimit(t *testing.T) {
	s := newSim(t, Options{Empty: true})
	data := `{"customerName":"Big","description":"` + strings.Repeat("x", maxRequestURI) + `"}`
	status, body := call(t, s, http.MethodPost, url.Values{"a": {"save"}, "customerData": {data}})
	assert.Equal(t, http.StatusRequestURITooLong, status)
	assert.Equal(t, "FAILURE", body["status"])

	form := url.Values{"customerData": {data}, "isLeadConvert": {"N"}, "isDuplicate": {"false"}}
	resp, err := http.Post(s.URL()+"/customers?a=save&apiKey="+APIKey+"&accessKey="+AccessKey, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	doc, err := s.State()
	require.NoError(t, err)
	assert.Contains(t, string(doc), `"customerName":"Big"`)
}
