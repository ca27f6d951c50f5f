package apptivo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// ConfigItem is one choice of a configured list (a status, a category, a
// market...). On the wire it is {id,name} or, for statuses,
// {statusId,statusName}; both are read (see UnmarshalJSON).
type ConfigItem struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// UnmarshalJSON accepts {id,name} and the prefixed pairs Apptivo uses in
// some lists ({statusId,statusName}, {categoryId,categoryName}, ...), with
// the id as a number or a numeric string. Apptivo's config reply is not
// documented field by field, so being liberal here costs little.
func (it *ConfigItem) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	idKey, nameKey := "id", "name"
	_, hasID := m[idKey]
	_, hasName := m[nameKey]
	if !hasID || !hasName {
		// Prefer a matching pair such as statusId/statusName over any
		// other *Id key (parentStatusId, ...).
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, ok := strings.CutSuffix(k, "Name"); ok && p != "" {
				if _, ok := m[p+"Id"]; ok {
					idKey, nameKey = p+"Id", k
					break
				}
			}
		}
	}
	*it = ConfigItem{}
	if v, ok := m[idKey]; ok {
		id, err := flexibleInt(v)
		if err != nil {
			return fmt.Errorf("config item id: %w", err)
		}
		it.ID = id
	}
	if v, ok := m[nameKey]; ok && !bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		if err := json.Unmarshal(v, &it.Name); err != nil {
			return fmt.Errorf("config item name: %w", err)
		}
	}
	return nil
}

func flexibleInt(v json.RawMessage) (int64, error) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || bytes.Equal(v, []byte("null")) {
		return 0, nil
	}
	var n json.Number
	if v[0] == '"' {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return 0, err
		}
		if s == "" {
			return 0, nil
		}
		n = json.Number(s)
	} else if err := json.Unmarshal(v, &n); err != nil {
		return 0, err
	}
	return strconv.ParseInt(n.String(), 10, 64)
}

// ConfigData is the customers app configuration (a=getConfigData): the
// choices a customer's statusId, customerCategoryId, marketId, industryId,
// paymentTermId and employeeRangeId must come from.
//
// Wire names, by inference (see the package doc): customerStatusList,
// categories, markets, industries, paymentTerms, employeeRanges, segments.
// The alternatives listed in configAliases are read too.
type ConfigData struct {
	Statuses       []ConfigItem `json:"customerStatusList,omitempty"`
	Categories     []ConfigItem `json:"categories,omitempty"`
	Markets        []ConfigItem `json:"markets,omitempty"`
	Industries     []ConfigItem `json:"industries,omitempty"`
	PaymentTerms   []ConfigItem `json:"paymentTerms,omitempty"`
	EmployeeRanges []ConfigItem `json:"employeeRanges,omitempty"`
	Segments       []ConfigItem `json:"segments,omitempty"`
	// Assignees are the employees a customer can be assigned to
	// (assigneeObjectRefId, assigneeObjectRefName). Inference: listed as
	// assignees of {id,name}; see the package doc.
	Assignees []ConfigItem `json:"assignees,omitempty"`
	// Raw is the whole reply, for the parts this type does not model
	// (webLayout, custom attributes).
	Raw json.RawMessage `json:"-"`
}

// configAliases lists, per field, the reply keys tried in order.
var configAliases = []struct {
	keys []string
	get  func(*ConfigData) *[]ConfigItem
}{
	{[]string{"customerStatusList", "statuses", "customerStatuses"}, func(d *ConfigData) *[]ConfigItem { return &d.Statuses }},
	{[]string{"categories", "customerCategories", "customerCategoryList"}, func(d *ConfigData) *[]ConfigItem { return &d.Categories }},
	{[]string{"markets", "marketList"}, func(d *ConfigData) *[]ConfigItem { return &d.Markets }},
	{[]string{"industries", "industryList"}, func(d *ConfigData) *[]ConfigItem { return &d.Industries }},
	{[]string{"paymentTerms", "paymentTermList"}, func(d *ConfigData) *[]ConfigItem { return &d.PaymentTerms }},
	{[]string{"employeeRanges", "employeeRangeList"}, func(d *ConfigData) *[]ConfigItem { return &d.EmployeeRanges }},
	{[]string{"segments", "segmentList"}, func(d *ConfigData) *[]ConfigItem { return &d.Segments }},
	{[]string{"assignees", "assigneeList", "employees"}, func(d *ConfigData) *[]ConfigItem { return &d.Assignees }},
}

// UnmarshalJSON reads each list from the first of its known key names and
// keeps the whole reply in Raw.
func (d *ConfigData) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*d = ConfigData{Raw: append(json.RawMessage(nil), b...)}
	for _, a := range configAliases {
		for _, k := range a.keys {
			v, ok := m[k]
			if !ok || bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
				continue
			}
			if err := json.Unmarshal(v, a.get(d)); err != nil {
				return fmt.Errorf("config data %s: %w", k, err)
			}
			break
		}
	}
	return nil
}

// GetConfigData reads the customers app configuration. Callers use it to
// turn names into the ids CreateCustomer and SearchCustomers need.
func (c *Client) GetConfigData(ctx context.Context) (*ConfigData, error) {
	var d ConfigData
	if err := c.call(ctx, "get config data", http.MethodGet, url.Values{"a": {"getConfigData"}}, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// refPair is one reference a customer record carries as an id and a name.
// The documented save and update samples send both halves of each pair
// ("statusName":"Active","statusId":10000, "paymentTerm":"Net 30",
// "paymentTermId":98763, "assigneeObjectRefName" beside
// "assigneeObjectRefId"), so the client never sends an id without the
// name that goes with it: a stale name beside a new id would be stored as
// sent.
type refPair struct {
	id, name string
	list     func(*ConfigData) []ConfigItem
}

var refPairs = []refPair{
	{"statusId", "statusName", func(d *ConfigData) []ConfigItem { return d.Statuses }},
	{"customerCategoryId", "customerCategory", func(d *ConfigData) []ConfigItem { return d.Categories }},
	{"marketId", "marketName", func(d *ConfigData) []ConfigItem { return d.Markets }},
	{"industryId", "industryName", func(d *ConfigData) []ConfigItem { return d.Industries }},
	{"paymentTermId", "paymentTerm", func(d *ConfigData) []ConfigItem { return d.PaymentTerms }},
	{"employeeRangeId", "employeeRange", func(d *ConfigData) []ConfigItem { return d.EmployeeRanges }},
	{"segmentId", "segmentName", func(d *ConfigData) []ConfigItem { return d.Segments }},
	{"assigneeObjectRefId", "assigneeObjectRefName", func(d *ConfigData) []ConfigItem { return d.Assignees }},
}

// pairNames sets, in m (a customer record or the changes of an update),
// the name beside every reference id m holds, read from getConfigData,
// and returns the name attributes it set. The configuration is read only
// when m holds an id. An id the configuration does not list is
// KindBadInput: without its name it cannot be sent the way Apptivo's
// documents send it.
func (c *Client) pairNames(ctx context.Context, op string, m map[string]any) ([]string, error) {
	var cfg *ConfigData
	var set []string
	for _, p := range refPairs {
		v, ok := m[p.id]
		if !ok {
			continue
		}
		if v == nil {
			m[p.name] = nil
			set = append(set, p.name)
			continue
		}
		id, err := strconv.ParseInt(fmt.Sprint(v), 10, 64)
		if err != nil {
			return nil, badInput(op, p.id+" must be an integer id", nil)
		}
		if cfg == nil {
			if cfg, err = c.GetConfigData(ctx); err != nil {
				return nil, err
			}
		}
		name, found := "", false
		for _, it := range p.list(cfg) {
			if it.ID == id {
				name, found = it.Name, true
				break
			}
		}
		if !found {
			return nil, badInput(op, fmt.Sprintf("%s %d is not in Apptivo's configuration (getConfigData)", p.id, id), nil)
		}
		m[p.name] = name
		set = append(set, p.name)
	}
	return set, nil
}
