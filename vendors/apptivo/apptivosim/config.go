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
		"assignees":          idName(assignees),
	}
}

// assignees are the employees customers can be assigned to. Inference:
// getConfigData lists them as assignees of {id,name}; the documented
// samples assign to 77021 "Db2Es s" (assigneeObjectId 8, employees).
var assignees = []item{{77021, "Sandbox Admin"}, {77022, "Sandbox Agent"}}

// refs pairs each reference id attribute with its name attribute and the
// configured list both must come from.
var refs = []struct {
	id, name string
	items    []item
}{
	{"statusId", "statusName", statuses},
	{"customerCategoryId", "customerCategory", categories},
	{"marketId", "marketName", markets},
	{"industryId", "industryName", industries},
	{"paymentTermId", "paymentTerm", paymentTerms},
	{"employeeRangeId", "employeeRange", employeeRanges},
	{"segmentId", "segmentName", segments},
	{"assigneeObjectRefId", "assigneeObjectRefName", assignees},
}

// checkPairs refuses a record whose reference pairs disagree. The
// documented save and update samples send each reference as its id and
// its name ("statusName":"Active","statusId":10000); inference: Apptivo
// stores both as sent, so a name that is not the id's configured name
// (a stale one beside a changed id) or an id without its name would be
// stored wrong, and the simulator refuses it instead of re-deriving the
// name. A non-null id must be configured and its name must be the
// configured one; a name with a null or missing id is refused too. On
// update (names non-nil) only the pairs named in attributeName are
// checked, and naming one half of a pair without the other is refused:
// it would change one and leave the other stale.
func checkPairs(c record, names []string) error {
	for _, r := range refs {
		if names != nil {
			hasID, hasName := contains(names, r.id), contains(names, r.name)
			if !hasID && !hasName {
				continue
			}
			if hasID != hasName {
				return reason("Invalid attributeName: " + r.id + " and " + r.name + " are updated together")
			}
		}
		name := strings.TrimSpace(stringAttr(c, r.name))
		if v, has := c[r.id]; !has || v == nil {
			if name != "" {
				return reason("Invalid " + r.name + ": " + r.id + " is mandatory with it")
			}
			continue
		}
		id, ok := intAttr(c, r.id)
		it, found := itemByID(r.items, id)
		if !ok || !found {
			return reason("Invalid " + r.id)
		}
		switch got := stringAttr(c, r.name); {
		case got == "":
			return reason(r.name + " is mandatory with " + r.id)
		case got != it.Name:
			return reason("Invalid " + r.name + ": " + r.id + " " + strconv.FormatInt(id, 10) + " is " + strconv.Quote(it.Name))
		}
		c[r.id] = json.Number(strconv.FormatInt(id, 10))
	}
	return nil
}

func itemByID(items []item, id int64) (item, bool) {
	for _, it := range items {
		if it.ID == id {
			return it, true
		}
	}
	return item{}, false
}
