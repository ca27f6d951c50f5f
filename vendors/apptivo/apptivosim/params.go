package apptivosim

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// maxRequestURI is the longest request target (path and query) served.
// Inference: Apptivo's /app/dao/v6 endpoints run in a Java servlet
// container, whose default request-header limit is 8 KB (Tomcat's
// maxHttpHeaderSize 8192, Jetty's requestHeaderSize 8192); a longer
// request line is refused with 414 before the application sees it. A whole
// customer record is 1.6-2.8 KB of JSON before escaping and grows with
// custom attributes, which is why writes send their parameters in a form
// body.
const maxRequestURI = 8 << 10

// param is one documented parameter of a method: required ones are
// refused when missing.
type param struct {
	name     string
	required bool
}

// credentials are on every call (NOTES: "every call sends apiKey and
// accessKey").
var credentials = []param{{"apiKey", true}, {"accessKey", true}, {"a", true}}

var (
	windowParams = []param{{"startIndex", false}, {"numRecords", false}}
	sortParams   = []param{{"sortColumn", false}, {"sortDir", false}}
)

// methodParams lists, for each a=, the parameters the document and NOTES
// give it: the documented request URLs and samples, plus sortColumn and
// sortDir on lists and searches (NOTES). Anything else is a typo or an
// undocumented parameter and is refused, so that a misspelled parameter
// cannot be silently ignored.
var methodParams = map[string][]param{
	"getConfigData": nil,
	// The save sample sends isLeadConvert=N and isDuplicate=false beside
	// customerData; they are required here so that a save that forgets
	// them is caught.
	"save": {{"customerData", true}, {"isLeadConvert", true}, {"isDuplicate", true}},
	// The update sample and template: customerData, customerId,
	// attributeName (the template spells it attributeNames), objectId (the
	// template; 3, see the client's package doc) and the flags; NOTES add
	// isCustomAttributesUpdate, isAddressUpdate and attributeIds.
	"update": {{"customerData", true}, {"customerId", true}, {"attributeName", false}, {"attributeNames", false}, {"objectId", true},
		{"isEmailAddressUpdate", false}, {"isAddressUpdate", false}, {"isCustomAttributesUpdate", false}, {"attributeIds", false}},
	"getById":            {{"customerId", true}},
	"delete":             {{"customerId", true}},
	"getAll":             concat(windowParams, sortParams),
	"getAllBySearchText": concat([]param{{"searchText", true}, {"objectId", false}}, windowParams, sortParams),
	// The advanced-search sample: searchData, multiSelectData, objectId,
	// the window twice (startIndex/numRecords and iDisplayStart/
	// iDisplayLength) and territoryType.
	"getAllByAdvancedSearch": concat([]param{{"searchData", true}, {"multiSelectData", false}, {"objectId", false},
		{"iDisplayStart", false}, {"iDisplayLength", false}, {"territoryType", false}}, windowParams, sortParams),
}

func concat(lists ...[]param) []param {
	var out []param
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// checkParams refuses unknown, repeated and missing parameters of method a,
// returning the FAILURE reason or "".
func checkParams(a string, p url.Values) string {
	known := map[string]param{}
	for _, list := range [][]param{credentials, methodParams[a]} {
		for _, k := range list {
			known[k.name] = k
		}
	}
	var unknown []string
	for k, vs := range p {
		if _, ok := known[k]; !ok {
			unknown = append(unknown, k)
			continue
		}
		if len(vs) > 1 {
			return "Invalid request parameters: " + k + " is given more than once"
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return "Invalid request parameters: unknown parameter " + truncate(strings.Join(unknown, ", "), 128) + " for a=" + a
	}
	for _, k := range methodParams[a] {
		if k.required && !p.Has(k.name) {
			return k.name + " is mandatory"
		}
	}
	return ""
}

// customerKeys are the attributes a customerData may hold: every key of
// the documented save and update samples, and id (the record's string id,
// which getById answers and an update sends back). A key outside them is a
// misspelling that Apptivo would not store under the intended attribute,
// so it is refused rather than kept.
var customerKeys = func() map[string]bool {
	m := map[string]bool{"id": true}
	for _, k := range strings.Fields(`accounts addresses affiliateLogoId annualRevenue annualRevenueCurrencyCode assigneeObjectId
		assigneeObjectRefId assigneeObjectRefName bouncedReason campaignId campaignName contactEmail createdBy createdByName
		creationDate creditRating customAttributes customerCategory customerCategoryId customerId customerName customerNumber
		defaultBillingCurrency description emailAddresses employeeRange employeeRangeId faceBookURL followUpDate
		followUpDescription industryId industryName isAffiliate isBounced isExistingCustomer isResponded isUnsubscribed labels
		lastContactedDate lastUpdateDate lastUpdatedBy lastUpdatedByName linkedInURL marketId marketName ownership
		parentCustomerId parentCustomerName paymentTerm paymentTermId phoneNumber phoneNumbers removeLabels
		removePhoneNumbers segmentId segmentName skypeName slaId slaName statusId statusName territories tickerSymbol
		twitterURL website`) {
		m[k] = true
	}
	return m
}()

// unknownKeys lists the attributes of data that are not customerKeys.
func unknownKeys(data record) []string {
	var out []string
	for k := range data {
		if !customerKeys[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// tooLong answers a request line over maxRequestURI with 414.
func tooLong(w http.ResponseWriter, r *http.Request) bool {
	if len(r.URL.RequestURI()) <= maxRequestURI {
		return false
	}
	writeFailure(w, http.StatusRequestURITooLong, "Request-URI Too Long")
	return true
}
