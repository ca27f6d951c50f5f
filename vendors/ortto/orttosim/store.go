package orttosim

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/switchyard/switchyard/internal/base/simkit"
)

// Person is a person record in Ortto's wire names.
type Person struct {
	PersonID           string         `json:"person_id"`
	Email              string         `json:"email,omitempty"`
	ExternalID         string         `json:"external_id,omitempty"`
	Subscriptions      []Subscription `json:"subscriptions"`
	EmailPermissions   bool           `json:"email_permissions"`
	SMSPermissions     bool           `json:"sms_permissions"`
	IOSPermissions     bool           `json:"ios_permissions"`
	AndroidPermissions bool           `json:"android_permissions"`
	WebPermissions     bool           `json:"web_permissions"`
}

// Subscription is one audience membership in Ortto's wire names, in the
// field order of the recorded replies.
type Subscription struct {
	AudienceID       string     `json:"audience_id"`
	AudienceName     string     `json:"audience_name"`
	MemberFrom       *time.Time `json:"member_from,omitempty"`
	Subscribed       bool       `json:"subscribed"`
	SubscribedFrom   *time.Time `json:"subscribed_from,omitempty"`
	UnsubscribedFrom *time.Time `json:"unsubscribed_from,omitempty"`
	SMSOptedIn       bool       `json:"sms_opted_in"`
	SMSOptedOutFrom  *time.Time `json:"sms_opted_out_from,omitempty"`
	WhatsAppOptedIn  bool       `json:"whatsapp_opted_in"`
	IOSOptedIn       bool       `json:"ios_opted_in"`
	AndroidOptedIn   bool       `json:"android_opted_in"`
	WebOptedIn       bool       `json:"web_opted_in"`
}

// Account is an account record: Ortto's id and fields, plus the
// simulator's own archived flag (Ortto keeps a separate archived list).
type Account struct {
	ID       string         `json:"id"`
	Fields   map[string]any `json:"fields"`
	Archived bool           `json:"archived"`
}

// stateDoc is the whole state as State and SetState exchange it.
type stateDoc struct {
	People   []Person  `json:"people"`
	Accounts []Account `json:"accounts"`
}

// store holds the simulator's state behind one mutex; every operation
// is a short critical section, which is plenty for a test double.
type store struct {
	mu  sync.Mutex
	doc stateDoc
}

func (s *store) snapshot() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return json.Marshal(s.doc)
}

func (s *store) replace(doc stateDoc) {
	s.mu.Lock()
	s.doc = doc
	s.mu.Unlock()
}

// parseState decodes and validates a state document. Unknown fields are
// refused so that a typo in a hand-written state fails loudly instead of
// being silently dropped.
func parseState(b []byte) (stateDoc, error) {
	var doc stateDoc
	if err := simkit.DecodeState(name, b, &doc); err != nil {
		return stateDoc{}, err
	}
	if doc.People == nil {
		doc.People = []Person{}
	}
	if doc.Accounts == nil {
		doc.Accounts = []Account{}
	}
	ids, emails, exts := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i := range doc.People {
		p := &doc.People[i]
		if p.PersonID == "" {
			return stateDoc{}, fmt.Errorf("ortto state: people[%d] has no person_id", i)
		}
		if ids[p.PersonID] {
			return stateDoc{}, fmt.Errorf("ortto state: duplicate person_id %q", p.PersonID)
		}
		ids[p.PersonID] = true
		if e := strings.ToLower(p.Email); e != "" {
			if emails[e] {
				return stateDoc{}, fmt.Errorf("ortto state: duplicate email %q", p.Email)
			}
			emails[e] = true
		}
		if p.ExternalID != "" {
			if exts[p.ExternalID] {
				return stateDoc{}, fmt.Errorf("ortto state: duplicate external_id %q", p.ExternalID)
			}
			exts[p.ExternalID] = true
		}
		if p.Subscriptions == nil {
			p.Subscriptions = []Subscription{}
		}
		for j, sub := range p.Subscriptions {
			if sub.AudienceID == "" {
				return stateDoc{}, fmt.Errorf("ortto state: people[%d].subscriptions[%d] has no audience_id", i, j)
			}
		}
	}
	accounts := map[string]bool{}
	for i := range doc.Accounts {
		a := &doc.Accounts[i]
		if a.ID == "" {
			return stateDoc{}, fmt.Errorf("ortto state: accounts[%d] has no id", i)
		}
		if accounts[a.ID] {
			return stateDoc{}, fmt.Errorf("ortto state: duplicate account id %q", a.ID)
		}
		accounts[a.ID] = true
		if a.Fields == nil {
			a.Fields = map[string]any{}
		}
	}
	return doc, nil
}

// bulkOp is one of the three account operations.
type bulkOp int

const (
	opArchive bulkOp = iota
	opRestore
	opDelete
)

// bulk applies op to the selected accounts and returns how many were
// done synchronously (explicit ids) and how many as scheduled work
// (all_rows_selected). Accounts in the wrong list are skipped.
func (s *store) bulk(op bulkOp, inclusion, exclusion []string, allRows bool) (done, scheduled int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	excluded := make(map[string]bool, len(exclusion))
	for _, id := range exclusion {
		excluded[id] = true
	}
	selected := map[string]bool{}
	if !allRows {
		for _, id := range inclusion {
			selected[id] = true
		}
	}
	// Archive reads the main list; restore and delete the archived list.
	wantArchived := op != opArchive
	kept := s.doc.Accounts[:0:0]
	n := 0
	for _, a := range s.doc.Accounts {
		if a.Archived == wantArchived && !excluded[a.ID] && (allRows || selected[a.ID]) {
			n++
			switch op {
			case opArchive:
				a.Archived = true
			case opRestore:
				a.Archived = false
			case opDelete:
				continue // dropped from the state
			}
		}
		kept = append(kept, a)
	}
	s.doc.Accounts = kept
	if allRows {
		return 0, n
	}
	return n, 0
}

// lookup finds a person by Ortto's identifier precedence and returns the
// reply entry for it.
func (s *store) lookup(ref personRef) replyPerson {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case ref.PersonID != "":
		for _, p := range s.doc.People {
			if p.PersonID == ref.PersonID {
				return found(p, "by-id", "", "")
			}
		}
		return replyPerson{PersonStatus: "not-found", PersonID: ref.PersonID}
	case ref.Email != "":
		for _, p := range s.doc.People {
			if p.Email != "" && strings.EqualFold(p.Email, ref.Email) {
				return found(p, "merged", p.Email, "")
			}
		}
		return replyPerson{PersonStatus: "not-found", Email: ref.Email}
	default:
		for _, p := range s.doc.People {
			if p.ExternalID != "" && p.ExternalID == ref.ExternalID {
				return found(p, "by-external-id", "", p.ExternalID)
			}
		}
		return replyPerson{PersonStatus: "not-found", ExternalID: ref.ExternalID}
	}
}

func found(p Person, status, email, ext string) replyPerson {
	subs := append([]Subscription{}, p.Subscriptions...)
	perms := permissions{
		EmailPermissions:   p.EmailPermissions,
		SMSPermissions:     p.SMSPermissions,
		IOSPermissions:     p.IOSPermissions,
		AndroidPermissions: p.AndroidPermissions,
		WebPermissions:     p.WebPermissions,
	}
	return replyPerson{
		PersonStatus:  status,
		PersonID:      p.PersonID,
		Email:         email,
		ExternalID:    ext,
		Subscriptions: &subs,
		permissions:   &perms,
	}
}

// listQuery is one accounts/get page request, already validated.
type listQuery struct {
	archived             bool
	inclusion, exclusion []string
	fields               []string
	offset, limit        int
}

// listAccounts answers one page of the main or archived list in store
// order. total_organizations counts the whole list; total_matches what is
// left after inclusion_ids (when given) and exclusion_ids.
func (s *store) listAccounts(q listQuery) getAccountsReply {
	included := idSet(q.inclusion)
	excluded := idSet(q.exclusion)
	s.mu.Lock()
	defer s.mu.Unlock()
	reply := getAccountsReply{Accounts: []listedAccount{}, Offset: q.offset}
	for _, a := range s.doc.Accounts {
		if a.Archived != q.archived {
			continue
		}
		reply.Meta.TotalOrganizations++
		if excluded[a.ID] || (len(included) > 0 && !included[a.ID]) {
			continue
		}
		reply.Meta.TotalMatches++
		if reply.Meta.TotalMatches <= q.offset || len(reply.Accounts) == q.limit {
			continue
		}
		fields := make(map[string]any, len(q.fields))
		for _, f := range q.fields {
			if v, ok := a.Fields[f]; ok {
				fields[f] = v
			}
		}
		reply.Accounts = append(reply.Accounts, listedAccount{ID: a.ID, Fields: fields})
	}
	reply.NextOffset = q.offset + len(reply.Accounts)
	reply.HasMore = reply.NextOffset < reply.Meta.TotalMatches
	return reply
}

func idSet(ids []string) map[string]bool {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}
