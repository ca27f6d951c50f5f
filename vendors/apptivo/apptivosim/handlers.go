package apptivosim

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/switchyard/switchyard/internal/base/simkit"
)

// routes serves the customers endpoint at both the short path (for
// mounting under a prefix) and Apptivo's real path.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/customers", s.serveCustomers)
	mux.HandleFunc("/app/dao/v6/customers", s.serveCustomers)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		simkit.WriteJSON(w, http.StatusNotFound, failure{Status: "FAILURE", Reason: "Not Found"})
	})
	return mux
}

func fail(w http.ResponseWriter, reason string) {
	writeFailure(w, http.StatusOK, reason)
}

func writeFailure(w http.ResponseWriter, status int, reason string) {
	simkit.WriteJSON(w, status, failure{Status: "FAILURE", Reason: reason})
}

func (s *Server) serveCustomers(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		simkit.WriteJSON(w, http.StatusMethodNotAllowed, failure{Status: "FAILURE", Reason: "Method Not Allowed"})
		return
	}
	if tooLong(w, r) {
		return
	}
	if err := r.ParseForm(); err != nil {
		fail(w, "Invalid request parameters")
		return
	}
	p := r.Form
	if !s.authorized(p) {
		fail(w, "Invalid API Key or Access Key")
		return
	}
	a := p.Get("a")
	if _, known := methodParams[a]; known {
		if msg := checkParams(a, p); msg != "" {
			fail(w, msg)
			return
		}
	}
	switch a {
	case "getConfigData":
		simkit.WriteJSON(w, http.StatusOK, configData())
	case "save":
		s.save(w, p)
	case "update":
		s.update(w, p)
	case "getById":
		s.getByID(w, p)
	case "delete":
		s.delete(w, p)
	case "getAll":
		s.getAll(w, p)
	case "getAllByAdvancedSearch":
		s.advancedSearch(w, p)
	case "getAllBySearchText":
		s.searchText(w, p)
	case "":
		fail(w, "Missing method parameter a")
	default:
		fail(w, "Invalid method: "+truncate(a, 64))
	}
}

// authorized compares both keys in constant time.
func (s *Server) authorized(p url.Values) bool {
	ok1 := subtle.ConstantTimeCompare([]byte(p.Get("apiKey")), []byte(s.apiKey)) == 1
	ok2 := subtle.ConstantTimeCompare([]byte(p.Get("accessKey")), []byte(s.accessKey)) == 1
	return ok1 && ok2 && s.apiKey != "" && s.accessKey != ""
}

func (s *Server) save(w http.ResponseWriter, p url.Values) {
	data, ok := customerData(w, p)
	if !ok {
		return
	}
	if p.Get("isLeadConvert") != "N" && p.Get("isLeadConvert") != "Y" {
		fail(w, "Invalid isLeadConvert: use Y or N")
		return
	}
	if _, err := strconv.ParseBool(p.Get("isDuplicate")); err != nil {
		fail(w, "Invalid isDuplicate: use true or false")
		return
	}
	c, err := s.store.save(data)
	if err != nil {
		fail(w, err.Error())
		return
	}
	simkit.WriteJSON(w, http.StatusOK, map[string]any{"customer": c})
}

func (s *Server) update(w http.ResponseWriter, p url.Values) {
	id, ok := customerID(w, p)
	if !ok {
		return
	}
	if p.Get("objectId") != customersObjectID {
		fail(w, "Invalid objectId: customers are object "+customersObjectID)
		return
	}
	if p.Has("attributeName") == p.Has("attributeNames") {
		fail(w, "attributeName is mandatory (once: attributeName or attributeNames)")
		return
	}
	rawNames := p.Get("attributeName")
	if rawNames == "" {
		rawNames = p.Get("attributeNames")
	}
	var names []string
	if err := json.Unmarshal([]byte(rawNames), &names); err != nil || len(names) == 0 {
		fail(w, "Invalid attributeName: a non-empty JSON array of attribute names is required")
		return
	}
	for _, n := range names {
		if !customerKeys[n] {
			fail(w, "Invalid attributeName: unknown attribute "+truncate(n, 64))
			return
		}
	}
	data, ok := customerData(w, p)
	if !ok {
		return
	}
	flags := updateFlags{
		emails:  strings.EqualFold(p.Get("isEmailAddressUpdate"), "true"),
		address: strings.EqualFold(p.Get("isAddressUpdate"), "true"),
	}
	c, err := s.store.update(id, names, data, flags)
	if err != nil {
		fail(w, err.Error())
		return
	}
	simkit.WriteJSON(w, http.StatusOK, map[string]any{"customer": c})
}

func (s *Server) getByID(w http.ResponseWriter, p url.Values) {
	id, ok := customerID(w, p)
	if !ok {
		return
	}
	c, err := s.store.get(id)
	if err != nil {
		fail(w, err.Error())
		return
	}
	simkit.WriteJSON(w, http.StatusOK, c)
}

func (s *Server) delete(w http.ResponseWriter, p url.Values) {
	id, ok := customerID(w, p)
	if !ok {
		return
	}
	if err := s.store.delete(id); err != nil {
		fail(w, err.Error())
		return
	}
	simkit.WriteJSON(w, http.StatusOK, map[string]string{"status": "SUCCESS"})
}

func (s *Server) getAll(w http.ResponseWriter, p url.Values) {
	start, n, ok := window(w, p)
	if !ok {
		return
	}
	s.writePage(w, p, nil, start, n)
}

func (s *Server) advancedSearch(w http.ResponseWriter, p url.Values) {
	start, n, ok := window(w, p)
	if !ok {
		return
	}
	search, err := jsonObject(orEmptyObject(p.Get("searchData")))
	if err != nil {
		fail(w, "Invalid searchData: "+err.Error())
		return
	}
	multi, err := jsonObject(orEmptyObject(p.Get("multiSelectData")))
	if err != nil {
		fail(w, "Invalid multiSelectData: "+err.Error())
		return
	}
	match, err := advancedMatcher(search, multi)
	if err != nil {
		fail(w, err.Error())
		return
	}
	s.writePage(w, p, match, start, n)
}

func (s *Server) searchText(w http.ResponseWriter, p url.Values) {
	start, n, ok := window(w, p)
	if !ok {
		return
	}
	text := strings.ToLower(strings.TrimSpace(p.Get("searchText")))
	s.writePage(w, p, func(c record) bool {
		if text == "" {
			return true
		}
		if strings.Contains(strings.ToLower(stringAttr(c, "customerName")), text) ||
			strings.Contains(strings.ToLower(stringAttr(c, "customerNumber")), text) {
			return true
		}
		for _, e := range subValues(c, "emailAddresses", "emailAddress") {
			if strings.Contains(strings.ToLower(e), text) {
				return true
			}
		}
		for _, ph := range subValues(c, "phoneNumbers", "phoneNumber") {
			if strings.Contains(strings.ToLower(ph), text) {
				return true
			}
		}
		return false
	}, start, n)
}

// writePage answers one window of the customers match accepts, in the
// order sortColumn/sortDir ask for (customerId order without them).
func (s *Server) writePage(w http.ResponseWriter, p url.Values, match func(record) bool, start, n int) {
	less, err := sortOrder(p)
	if err != nil {
		fail(w, err.Error())
		return
	}
	data, total := s.store.list(match, less, start, n)
	simkit.WriteJSON(w, http.StatusOK, map[string]any{"data": data, "countOfRecords": total})
}

// sortOrder reads sortColumn and sortDir. Inference: any attribute name
// sorts by that attribute (numbers numerically, text case-insensitively,
// dates as written, which sorts them), records without it last; _score
// (relevance) keeps customerId order; sortDir is asc or desc (default asc).
func sortOrder(p url.Values) (func(a, b record) bool, error) {
	col := strings.TrimSpace(p.Get("sortColumn"))
	dir := strings.ToLower(strings.TrimSpace(p.Get("sortDir")))
	switch dir {
	case "", "asc", "desc":
	default:
		return nil, reason("Invalid sortDir: use asc or desc")
	}
	if col == "" || col == "_score" {
		return nil, nil
	}
	desc := dir == "desc"
	return func(a, b record) bool {
		c := compareAttr(a, b, col)
		if desc {
			c = -c
		}
		if c == 0 {
			ia, _ := intAttr(a, "customerId")
			ib, _ := intAttr(b, "customerId")
			return ia < ib
		}
		return c < 0
	}, nil
}

func compareAttr(a, b record, k string) int {
	_, hasA := a[k]
	_, hasB := b[k]
	switch {
	case !hasA && !hasB:
		return 0
	case !hasA:
		return 1
	case !hasB:
		return -1
	}
	if na, ok := intAttr(a, k); ok {
		if nb, ok := intAttr(b, k); ok {
			return cmpInt(na, nb)
		}
	}
	return strings.Compare(strings.ToLower(stringAttr(a, k)), strings.ToLower(stringAttr(b, k)))
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// advancedMatcher builds the filter for getAllByAdvancedSearch.
func advancedMatcher(search, multi record) (func(record) bool, error) {
	name := strings.ToLower(strings.TrimSpace(stringAttr(search, "customerName")))
	number := strings.ToLower(strings.TrimSpace(stringAttr(search, "customerNumber")))
	emails, err := searchValues(search, "emailAddresses", "emailAddress")
	if err != nil {
		return nil, err
	}
	phones, err := searchValues(search, "phoneNumbers", "phoneNumber")
	if err != nil {
		return nil, err
	}
	type idFilter struct {
		attr string
		ids  map[int64]bool
	}
	var idFilters []idFilter
	for key, attr := range map[string]string{
		"statusIds":        "statusId",
		"categoryIds":      "customerCategoryId",
		"marketIds":        "marketId",
		"industryIds":      "industryId",
		"paymentTermIds":   "paymentTermId",
		"employeeRangeIds": "employeeRangeId",
		"segmentIds":       "segmentId",
		"slaIds":           "slaId",
	} {
		v, ok := multi[key]
		if !ok || v == nil {
			continue
		}
		arr, isArr := v.([]any)
		if !isArr {
			return nil, reason("Invalid multiSelectData: " + key + " must be an array")
		}
		if len(arr) == 0 {
			continue
		}
		ids := map[int64]bool{}
		for _, el := range arr {
			n, ok := intAttr(record{"v": el}, "v")
			if !ok {
				return nil, reason("Invalid multiSelectData: " + key + " must hold integer ids")
			}
			ids[n] = true
		}
		idFilters = append(idFilters, idFilter{attr, ids})
	}
	type dateFilter struct {
		attr     string
		from, to string // "" = open
	}
	var dates []dateFilter
	for _, d := range []struct{ attr, from, to string }{
		{"creationDate", "creationOnStartDate", "creationOnEndDate"},
		{"lastUpdateDate", "lastUpdateOnStartDate", "lastUpdateOnEndDate"},
	} {
		f := dateFilter{attr: d.attr}
		for _, b := range []struct {
			key string
			dst *string
		}{{d.from, &f.from}, {d.to, &f.to}} {
			v := strings.TrimSpace(stringAttr(search, b.key))
			if v == "" {
				continue
			}
			t, err := parseSearchDate(v, b.dst == &f.to)
			if err != nil {
				return nil, reason("Invalid searchData: " + b.key + " must be yyyy-MM-dd or yyyy-MM-dd HH:mm:ss")
			}
			*b.dst = t
		}
		if f.from != "" || f.to != "" {
			dates = append(dates, f)
		}
	}
	return func(c record) bool {
		for _, f := range dates {
			v := stringAttr(c, f.attr)
			if v == "" || (f.from != "" && v < f.from) || (f.to != "" && v > f.to) {
				return false
			}
		}
		if name != "" && !strings.Contains(strings.ToLower(stringAttr(c, "customerName")), name) {
			return false
		}
		if number != "" && !strings.Contains(strings.ToLower(stringAttr(c, "customerNumber")), number) {
			return false
		}
		for _, want := range emails {
			found := false
			for _, have := range subValues(c, "emailAddresses", "emailAddress") {
				if strings.EqualFold(strings.TrimSpace(have), want) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		for _, want := range phones {
			found := false
			for _, have := range subValues(c, "phoneNumbers", "phoneNumber") {
				if phoneMatches(have, want) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		for _, f := range idFilters {
			v, ok := intAttr(c, f.attr)
			if !ok || !f.ids[v] {
				return false
			}
		}
		return true
	}, nil
}

// parseSearchDate reads a date-range bound. Inference: Apptivo's own
// "2006-01-02 15:04:05" form or a bare date; a bare end date covers the
// whole day. It returns the bound in the record form, which compares as
// text.
func parseSearchDate(v string, end bool) (string, error) {
	if t, err := time.Parse(dateLayout, v); err == nil {
		return t.Format(dateLayout), nil
	}
	t, err := time.Parse("2006-01-02", v)
	if err != nil {
		return "", err
	}
	if end {
		t = t.Add(24*time.Hour - time.Second)
	}
	return t.Format(dateLayout), nil
}

// searchValues reads the non-empty sub-values of a searchData array such
// as emailAddresses:[{"emailAddress":"x"}].
func searchValues(search record, key, sub string) ([]string, error) {
	v, ok := search[key]
	if !ok || v == nil {
		return nil, nil
	}
	arr, isArr := v.([]any)
	if !isArr {
		return nil, reason("Invalid searchData: " + key + " must be an array")
	}
	var out []string
	for _, el := range arr {
		obj, isObj := el.(map[string]any)
		if !isObj {
			return nil, reason("Invalid searchData: " + key + " must be an array of objects")
		}
		if s := strings.TrimSpace(stringAttr(obj, sub)); s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}

// subValues lists the string sub-values of a customer array attribute.
func subValues(c record, key, sub string) []string {
	arr, _ := c[key].([]any)
	out := make([]string, 0, len(arr))
	for _, el := range arr {
		if obj, ok := el.(map[string]any); ok {
			if s, ok := obj[sub].(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// phoneMatches compares by digits so that formatting does not matter.
func phoneMatches(have, want string) bool {
	hd, wd := digits(have), digits(want)
	if wd == "" {
		return strings.Contains(strings.ToLower(have), strings.ToLower(want))
	}
	return strings.Contains(hd, wd)
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}

// customersObjectID is the customers app's objectId (see the client's
// package doc for why 3 and not the update template's 4).
const customersObjectID = "3"

// customerData reads customerData, refusing malformed JSON and attributes
// no documented sample has (see customerKeys), answering the FAILURE
// itself.
func customerData(w http.ResponseWriter, p url.Values) (record, bool) {
	data, err := jsonObject(p.Get("customerData"))
	if err != nil {
		fail(w, "Invalid customerData: "+err.Error())
		return nil, false
	}
	if bad := unknownKeys(data); len(bad) > 0 {
		fail(w, "Invalid customerData: unknown attribute "+truncate(strings.Join(bad, ", "), 128))
		return nil, false
	}
	return data, true
}

// customerID reads and checks the customerId parameter, answering the
// FAILURE itself when it is unusable.
func customerID(w http.ResponseWriter, p url.Values) (int64, bool) {
	raw := strings.TrimSpace(p.Get("customerId"))
	if raw == "" {
		fail(w, "customerId is mandatory")
		return 0, false
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		fail(w, "Invalid customerId")
		return 0, false
	}
	return id, true
}

// window reads startIndex and numRecords (defaults 0 and 50).
func window(w http.ResponseWriter, p url.Values) (int, int, bool) {
	start, ok := intParam(w, p, "startIndex", 0)
	if !ok {
		return 0, 0, false
	}
	n, ok := intParam(w, p, "numRecords", 50)
	if !ok {
		return 0, 0, false
	}
	return start, n, true
}

func intParam(w http.ResponseWriter, p url.Values, key string, def int) (int, bool) {
	raw := strings.TrimSpace(p.Get(key))
	if raw == "" {
		return def, true
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 {
		fail(w, "Invalid "+key)
		return 0, false
	}
	return n, true
}

// jsonObject decodes one JSON object (numbers kept exact) and refuses
// anything else, trailing data included.
func jsonObject(raw string) (record, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, errors.New("missing")
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.UseNumber()
	var m record
	if err := dec.Decode(&m); err != nil {
		return nil, errors.New("malformed JSON")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("malformed JSON")
	}
	if m == nil {
		return nil, errors.New("a JSON object is required")
	}
	return m, nil
}

func orEmptyObject(s string) string {
	if strings.TrimSpace(s) == "" {
		return "{}"
	}
	return s
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
