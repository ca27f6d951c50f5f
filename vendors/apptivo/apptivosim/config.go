package apptivosim

import "strings"

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
