package cordialsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/switchyard/switchyard/internal/base/simkit"
)

// Messages Cordial's spec gives for the list rules.
const (
	msgNotUnique    = "Name must be unique"
	msgInvalidName  = "Name must contain only letters, numbers, and dashes. Should not exceed 128 characters."
	msgReservedName = "cid is not allowed for list names."
	maxNameLen      = 128
)

// Rule violations the store reports; the handler picks each route's body.
var (
	errNotFound     = errors.New("list not found")
	errDuplicate    = errors.New("name is taken")
	errInvalidName  = errors.New("name must be 1..128 letters, digits, dashes or underscores")
	errReservedName = errors.New("cid is reserved")
)

// ruleMessage is the spec's message for a rule violation.
func ruleMessage(err error) string {
	switch {
	case errors.Is(err, errDuplicate):
		return msgNotUnique
	case errors.Is(err, errReservedName):
		return msgReservedName
	default:
		return msgInvalidName
	}
}

// list is one account list as stored and as serialised in State.
type list struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Enhanced bool   `json:"enhanced"`
	Count    int    `json:"count"`
}

// show is ListShow: what every read returns (no count).
type show struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Enhanced bool   `json:"enhanced"`
}

func (l list) show() show { return show{ID: l.ID, Name: l.Name, Enhanced: l.Enhanced} }

// stateDoc is the State/SetState document.
type stateDoc struct {
	AccountLists *[]list `json:"accountlists"`
}

// store holds the lists. All methods are safe for concurrent use.
type store struct {
	mu     sync.Mutex
	lists  map[int64]*list
	nextID int64
}

func newStore(demo bool) *store {
	s := &store{}
	if demo {
		s.reset()
	} else {
		s.replace(nil)
	}
	return s
}

// demoLists are the lists Reset restores. Counts are as if the shared demo
// people were members: everyone gets the weekly specials, Ada and Grace
// are VIPs, three of the four would recommend us, and daily-deals is new
// and empty.
func demoLists() []list {
	return []list{
		{ID: 1, Name: "vip-customers", Enhanced: true, Count: 2},
		{ID: 2, Name: "weekly_specials", Enhanced: false, Count: 4},
		{ID: 3, Name: "net-promoters", Enhanced: true, Count: 3},
		{ID: 4, Name: "daily-deals", Enhanced: false, Count: 0},
	}
}

func (s *store) reset() { s.replace(demoLists()) }

func (s *store) replace(ls []list) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lists = make(map[int64]*list, len(ls))
	s.nextID = 1
	for _, l := range ls {
		s.lists[l.ID] = &l
		if l.ID >= s.nextID {
			s.nextID = l.ID + 1
		}
	}
}

// validName applies Cordial's name rule (see the package doc).
func validName(name string) error {
	if name == "" || len(name) > maxNameLen {
		return errInvalidName
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return errInvalidName
		}
	}
	if strings.EqualFold(name, "cid") {
		return errReservedName
	}
	return nil
}

// nameTakenLocked reports whether another list than except has name.
func (s *store) nameTakenLocked(name string, except int64) bool {
	for id, l := range s.lists {
		if id != except && l.Name == name {
			return true
		}
	}
	return false
}

func (s *store) create(name string, enhanced bool) (list, error) {
	if err := validName(name); err != nil {
		return list{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.nameTakenLocked(name, 0) {
		return list{}, errDuplicate
	}
	l := &list{ID: s.nextID, Name: name, Enhanced: enhanced}
	s.nextID++
	s.lists[l.ID] = l
	return *l, nil
}

// all returns the lists in id order, only the one named name when name is
// not empty.
func (s *store) all(name string) []list {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]list, 0, len(s.lists))
	for _, l := range s.lists {
		if name == "" || l.Name == name {
			out = append(out, *l)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (s *store) get(id int64) (list, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.lists[id]
	if !ok {
		return list{}, errNotFound
	}
	return *l, nil
}

// update applies a PUT. name is required; enhanced nil keeps the value.
func (s *store) update(id int64, name *string, enhanced *bool) (list, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.lists[id]
	if !ok {
		return list{}, errNotFound
	}
	if name == nil {
		return list{}, errInvalidName
	}
	if err := validName(*name); err != nil {
		return list{}, err
	}
	if s.nameTakenLocked(*name, id) {
		return list{}, errDuplicate
	}
	l.Name = *name
	if enhanced != nil {
		l.Enhanced = *enhanced
	}
	return *l, nil
}

func (s *store) clear(id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.lists[id]
	if !ok {
		return errNotFound
	}
	l.Count = 0
	return nil
}

func (s *store) remove(id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.lists[id]; !ok {
		return errNotFound
	}
	delete(s.lists, id)
	return nil
}

func (s *store) state() ([]byte, error) {
	ls := s.all("")
	return json.Marshal(stateDoc{AccountLists: &ls})
}

// setState validates doc completely before replacing anything, so a bad
// document leaves the old state in place.
func (s *store) setState(doc []byte) error {
	var sd stateDoc
	if err := simkit.DecodeState(name, doc, &sd); err != nil {
		return err
	}
	if sd.AccountLists == nil {
		return errors.New(`cordial state: missing "accountlists"`)
	}
	ids := map[int64]bool{}
	names := map[string]bool{}
	for i, l := range *sd.AccountLists {
		switch {
		case l.ID <= 0:
			return fmt.Errorf("cordial state: accountlists[%d]: id must be a positive integer", i)
		case ids[l.ID]:
			return fmt.Errorf("cordial state: accountlists[%d]: duplicate id %d", i, l.ID)
		case names[l.Name]:
			return fmt.Errorf("cordial state: accountlists[%d]: duplicate name %q", i, l.Name)
		case l.Count < 0:
			return fmt.Errorf("cordial state: accountlists[%d]: count must not be negative", i)
		}
		if err := validName(l.Name); err != nil {
			return fmt.Errorf("cordial state: accountlists[%d]: name %q: %w", i, l.Name, err)
		}
		ids[l.ID], names[l.Name] = true, true
	}
	s.replace(*sd.AccountLists)
	return nil
}
