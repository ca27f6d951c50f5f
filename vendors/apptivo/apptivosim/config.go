package apptivosim

import (
	"encoding/json"
	"strconv"
	"strings"
)

// item is one configured choice.
type item struct {
	ID   int64
	Name string
}

// statuses are the customer statuses; the first is the default for new
// customers (Active/10000 as in the documented save sample).
var statuses = []item{
	{10000, "Active"},
	{10001, "Inactive"},
	{10002, "On Hold"},
}

var (
	categories     = []item{{20001, "Enterprise"}, {20002, "Small Business"}, {20003, "Non-Profit"}}
	markets        = []item{{30001, "North America"}, {30002, "Europe"}, {30003, "Asia Pacific"}}
	industries     = []item{{40001, "Computer Software"}, {40002, "Aerospace"}, {40003, "Education"}, {40004, "Research"}}
	paymentTerms   = []item{{98763, "Net 30"}, {98764, "Net 60"}, {98765, "Due on Receipt"}}
	employeeRanges = []item{{50001, "1-10"}, {50002, "11-50"}, {50003, "51-200"}, {50004, "201-1000"}}
	segments       = []item{{60001, "Strategic"}, {60002, "Growth"}}
)

func statusByID(id int64) (item, bool) {
	for _, s := range statuses {
		if s.ID == id {
			return s, true
		}
	}
	return item{}, false
}

func statusByName(name string) (item, bool) {
	for _, s := range statuses {
		if strings.EqualFold(s.Name, name) {
			return s, true
		}
	}
	return item{}, false
}

// configData is the getConfigData reply (shape: see the package doc).
func configData() map[string]any {
	idName := func(items []item) []map[string]any {
		out := make([]map[string]any, len(items))
		for i, it := range items {
			out[i] = map[string]any{"id": it.ID, "name": it.Name}
		}
		return out
	}
	statusList := make([]map[string]any, len(statuses))
	for i, s := range statuses {
		statusList[i] = map[string]any{"statusId": s.ID, "statusName": s.Name}
	}
	return map[string]any{
		"customerStatusList": statusList,
		"categories":         idName(categories),
		"markets":            idName(markets),
		"industries":         idName(industries),
		"paymentTerms":       idName(paymentTerms),
		"employeeRanges":     idName(employeeRanges),
		"segments":           idName(segments),
	}
}

// refs pairs each configured-list id attribute with its name attribute and
// list: a customer's customerCategoryId, marketId, industryId,
// paymentTermId, employeeRangeId and segmentId must come from
// getConfigData.
var refs = []struct {
	id, name string
	items    []item
}{
	{"customerCategoryId", "customerCategory", categories},
	{"marketId", "marketName", markets},
	{"industryId", "industryName", industries},
	{"paymentTermId", "paymentTerm", paymentTerms},
	{"employeeRangeId", "employeeRange", employeeRanges},
	{"segmentId", "segmentName", segments},
}

// normalizeRefs makes each configured-list reference agree with the
// configuration: a non-null id must be a configured one (else FAILURE
// "Invalid <attr>") and sets the matching name. Inference, by analogy with
// statuses. On update, only ids named in attributeName are checked (names
// nil means all, as on save).
func normalizeRefs(c record, names []string) error {
	for _, r := range refs {
		if names != nil && !contains(names, r.id) {
			continue
		}
		v, has := c[r.id]
		if !has || v == nil {
			continue
		}
		id, ok := intAttr(c, r.id)
		if !ok {
			return reason("Invalid " + r.id)
		}
		found := false
		for _, it := range r.items {
			if it.ID == id {
				c[r.id] = json.Number(strconv.FormatInt(id, 10))
				c[r.name] = it.Name
				found = true
				break
			}
		}
		if !found {
			return reason("Invalid " + r.id)
		}
	}
	return nil
}
