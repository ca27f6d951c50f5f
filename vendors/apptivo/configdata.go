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
