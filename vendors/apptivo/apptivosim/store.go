package apptivosim

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/switchyard/switchyard/internal/base/simkit"
)

// dateLayout is Apptivo's date format ("2017-10-07 05:30:02").
const dateLayout = "2006-01-02 15:04:05"

// record is one customer in wire names, as decoded with UseNumber so that
// ids keep their exact value.
type record = map[string]any

// store holds the customers. Every method takes the mutex and hands out
// deep copies, so replies are written without holding the lock.
type store struct {
	mu         sync.Mutex
	customers  []record // ordered by customerId
	nextID     int64
	nextNumber int64
	now        func() time.Time
}

func newStore() *store {
	return &store{customers: []record{}, nextID: 1, nextNumber: 1, now: func() time.Time { return time.Now().UTC() }}
}

// errNotFound is the reason for an unknown customer id.
var errNotFound error = reason("Customer not found")

// reason is a failure whose text is the reason Apptivo reports; it keeps
// Apptivo's capitalisation, which ordinary Go error strings do not use.
type reason string

func (r reason) Error() string { return string(r) }

// immutable attributes are set by Apptivo and never taken from input.
var immutable = map[string]bool{"customerId": true, "id": true, "creationDate": true, "lastUpdateDate": true}

type stateDoc struct {
	Customers *[]record `json:"customers"`
}

func (s *store) state() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return json.Marshal(struct {
		Customers []record `json:"customers"`
	}{s.customers})
}

// setState validates the whole document before replacing anything.
func (s *store) setState(doc []byte) error {
	var st stateDoc
	if err := simkit.DecodeState(name, doc, &st); err != nil {
		return err
	}
	if st.Customers == nil {
		return errors.New(`apptivo state: "customers" array is required`)
	}
	customers := *st.Customers
	seen := map[int64]bool{}
	var maxID, maxNumber int64
	for i, c := range customers {
		if c == nil {
			return fmt.Errorf("apptivo state: customers[%d] is null", i)
		}
		id, ok := intAttr(c, "customerId")
		if !ok || id <= 0 {
			return fmt.Errorf("apptivo state: customers[%d].customerId must be a positive integer", i)
		}
		if seen[id] {
			return fmt.Errorf("apptivo state: customers[%d].customerId %d is duplicated", i, id)
		}
		seen[id] = true
		if v, ok := c["id"]; ok {
			if sv, _ := v.(string); sv != strconv.FormatInt(id, 10) {
				return fmt.Errorf("apptivo state: customers[%d].id must be the string of customerId", i)
			}
		}
		c["id"] = strconv.FormatInt(id, 10)
		if err := validate(c); err != nil {
			return fmt.Errorf("apptivo state: customers[%d]: %w", i, err)
		}
		maxID = max(maxID, id)
		if n, err := strconv.ParseInt(stringAttr(c, "customerNumber"), 10, 64); err == nil {
			maxNumber = max(maxNumber, n)
		}
	}
	sort.SliceStable(customers, func(i, j int) bool {
		a, _ := intAttr(customers[i], "customerId")
		b, _ := intAttr(customers[j], "customerId")
		return a < b
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	s.customers = customers
	s.nextID = maxID + 1
	s.nextNumber = maxNumber + 1
	return nil
}

// save creates a customer from data (already decoded) and returns a copy.
func (s *store) save(data record) (record, error) {
	c := record{}
	for k, v := range data {
		if v == nil || immutable[k] {
			continue
		}
		c[k] = v
	}
	if _, has := c["statusId"]; !has && stringAttr(c, "statusName") == "" {
		// A save without a status is Active, as in the documented sample.
		c["statusId"] = json.Number(strconv.FormatInt(statuses[0].ID, 10))
		c["statusName"] = statuses[0].Name
	}
	if err := checkPairs(c, nil); err != nil {
		return nil, err
	}
	if err := validate(c); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextID
	s.nextID++
	c["customerId"] = json.Number(strconv.FormatInt(id, 10))
	c["id"] = strconv.FormatInt(id, 10)
	if num := strings.TrimSpace(stringAttr(c, "customerNumber")); num == "" || strings.EqualFold(num, "Auto generated number") {
		c["customerNumber"] = strconv.FormatInt(s.nextNumber, 10)
		s.nextNumber++
	} else if n, err := strconv.ParseInt(num, 10, 64); err == nil && n >= s.nextNumber {
		s.nextNumber = n + 1
	}
	now := s.now().Format(dateLayout)
	c["creationDate"] = now
	c["lastUpdateDate"] = now
	s.customers = append(s.customers, c)
	return deepCopy(c).(record), nil
}

// updateFlags are update's isEmailAddressUpdate and isAddressUpdate.
type updateFlags struct{ emails, address bool }

// update applies the named attributes of data to customer id. data must
// be the whole record (see wholeRecord); the flags gate emailAddresses and
// addresses, as Apptivo's isEmailAddressUpdate and isAddressUpdate do.
func (s *store) update(id int64, names []string, data record, flags updateFlags) (record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.index(id)
	if i < 0 {
		return nil, errNotFound
	}
	if err := wholeRecord(s.customers[i], id, data); err != nil {
		return nil, err
	}
	c := deepCopy(s.customers[i]).(record)
	for _, n := range names {
		if immutable[n] || (n == "emailAddresses" && !flags.emails) || (n == "addresses" && !flags.address) {
			continue
		}
		if v, ok := data[n]; ok && v != nil {
			c[n] = deepCopy(v)
		} else {
			delete(c, n)
		}
	}
	if err := checkPairs(c, names); err != nil {
		return nil, err
	}
	if err := validate(c); err != nil {
		return nil, err
	}
	c["lastUpdateDate"] = s.now().Format(dateLayout)
	s.customers[i] = c
	return deepCopy(c).(record), nil
}

// wholeRecord refuses an update whose customerData is a fragment: the
// documented sample sends the whole record as read (customerId included)
// with the changes applied. Inference: Apptivo needs every attribute the
// stored record has, so customerData must hold the customerId being
// updated and every key of the stored record (values may differ: only the
// named ones are applied).
func wholeRecord(stored record, id int64, data record) error {
	if got, ok := intAttr(data, "customerId"); !ok || got != id {
		return reason("Invalid customerData: the whole customer record is required, with customerId " + strconv.FormatInt(id, 10))
	}
	var missing []string
	for k := range stored {
		if _, ok := data[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return reason("Invalid customerData: the whole customer record is required; missing " + strings.Join(missing, ", "))
	}
	return nil
}

func (s *store) get(id int64) (record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.index(id)
	if i < 0 {
		return nil, errNotFound
	}
	return deepCopy(s.customers[i]).(record), nil
}

func (s *store) delete(id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.index(id)
	if i < 0 {
		return errNotFound
	}
	s.customers = append(s.customers[:i], s.customers[i+1:]...)
	return nil
}

// list returns the window [start, start+n) of the customers match accepts
// in the order less gives (customerId order when nil), and how many match
// in all.
func (s *store) list(match func(record) bool, less func(a, b record) bool, start, n int) ([]record, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []record{}
	total := 0
	all := s.customers
	if less != nil {
		all = append([]record(nil), s.customers...)
		sort.SliceStable(all, func(i, j int) bool { return less(all[i], all[j]) })
	}
	for _, c := range all {
		if match != nil && !match(c) {
			continue
		}
		if total >= start && len(out) < n {
			out = append(out, deepCopy(c).(record))
		}
		total++
	}
	return out, total
}

func (s *store) index(id int64) int {
	i := sort.Search(len(s.customers), func(i int) bool {
		v, _ := intAttr(s.customers[i], "customerId")
		return v >= id
	})
	if i < len(s.customers) {
		if v, _ := intAttr(s.customers[i], "customerId"); v == id {
			return i
		}
	}
	return -1
}

// validate enforces the attribute rules every stored customer satisfies.
func validate(c record) error {
	name, ok := c["customerName"].(string)
	if !ok || strings.TrimSpace(name) == "" {
		return errors.New("customerName is mandatory")
	}
	for _, k := range []string{"emailAddresses", "phoneNumbers", "addresses", "customAttributes", "labels"} {
		v, ok := c[k]
		if !ok {
			continue
		}
		arr, isArr := v.([]any)
		if !isArr {
			return fmt.Errorf("%s must be an array", k)
		}
		for _, el := range arr {
			obj, isObj := el.(map[string]any)
			if !isObj && k != "labels" {
				return fmt.Errorf("%s must be an array of objects", k)
			}
			if k == "emailAddresses" {
				addr, _ := obj["emailAddress"].(string)
				if addr != "" && !strings.Contains(addr, "@") {
					return reason("Invalid email address: " + addr)
				}
			}
		}
	}
	return nil
}

// intAttr reads an integer attribute in any of the forms JSON decoding
// leaves it in.
func intAttr(c record, k string) (int64, bool) {
	switch v := c[k].(type) {
	case json.Number:
		n, err := strconv.ParseInt(v.String(), 10, 64)
		return n, err == nil
	case float64:
		return int64(v), v == float64(int64(v))
	case int64:
		return v, true
	case int:
		return int64(v), true
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		return n, err == nil
	}
	return 0, false
}

func stringAttr(c record, k string) string {
	s, _ := c[k].(string)
	return s
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// deepCopy copies the JSON-shaped values the store holds.
func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		a := make([]any, len(t))
		for i, e := range t {
			a[i] = deepCopy(e)
		}
		return a
	}
	return v
}
