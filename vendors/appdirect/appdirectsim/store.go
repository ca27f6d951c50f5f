package appdirectsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/vendors/appdirect/appdirectsim/graph/model"
)

// accountRecord is one account as the simulator stores it, in AppDirect's
// GraphQL field names. The REST company view and the GraphQL Account are
// both derived from it, so the two APIs can never disagree.
type accountRecord struct {
	ID                  string      `json:"id"`
	Name                string      `json:"name"`
	Status              string      `json:"status"`
	AccessTypes         []string    `json:"accessTypes"`
	CreatedOn           *time.Time  `json:"createdOn,omitempty"`
	DefaultRole         string      `json:"defaultRole,omitempty"`
	ExternalID          string      `json:"externalId,omitempty"`
	CountryCode         string      `json:"countryCode,omitempty"`
	Website             string      `json:"website,omitempty"`
	ContactEmail        string      `json:"contactEmail,omitempty"`
	ContactPhoneNumber  string      `json:"contactPhoneNumber,omitempty"`
	CompanySize         string      `json:"companySize,omitempty"`
	Industry            string      `json:"industry,omitempty"`
	Address             *address    `json:"address,omitempty"`
	Tenant              string      `json:"tenant,omitempty"`
	Memberships         memberships `json:"memberships"`
	ActiveSubscriptions int         `json:"activeSubscriptions"`
}

// membership is one user's membership of an account, served as
// Account.accountMemberships. Inference: the user's id, email and names
// plus the role names are what AppDirect's AccountMembership carries.
type membership struct {
	UserID    string   `json:"userId"`
	Email     string   `json:"email"`
	FirstName string   `json:"firstName,omitempty"`
	LastName  string   `json:"lastName,omitempty"`
	Roles     []string `json:"roles"`
}

// memberships is an account's membership list. A state document may still
// give the older integer count instead of the list; parseState then makes
// that many placeholder members (legacyCount), so old fixtures keep
// working. State always writes the list.
type memberships struct {
	list        []membership
	legacyCount *int
}

func (m memberships) MarshalJSON() ([]byte, error) {
	if m.list == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(m.list)
}

func (m *memberships) UnmarshalJSON(b []byte) error {
	if s := strings.TrimSpace(string(b)); s != "" && s[0] != '[' && s != "null" {
		var n int
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("memberships: want a list of memberships (or a count): %w", err)
		}
		*m = memberships{legacyCount: &n}
		return nil
	}
	// Strict like the rest of the state document (simkit.DecodeState),
	// which a custom unmarshaler would otherwise escape.
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var list []membership
	if err := dec.Decode(&list); err != nil {
		return fmt.Errorf("memberships: %w", err)
	}
	*m = memberships{list: list}
	return nil
}

// placeholderMembers stands in for an old state document's membership
// count: n members with ids and emails derived from the account id.
func placeholderMembers(accountID string, n int) []membership {
	out := make([]membership, n)
	for i := range out {
		id := fmt.Sprintf("%s-member-%d", accountID, i+1)
		out[i] = membership{UserID: id, Email: id + "@members.example.com", Roles: []string{"USER"}}
	}
	return out
}

// address is the REST company address. Inference: AppDirect's usual
// street1/street2/city/state/zip/country names.
type address struct {
	Street1 string `json:"street1,omitempty"`
	Street2 string `json:"street2,omitempty"`
	City    string `json:"city,omitempty"`
	State   string `json:"state,omitempty"`
	Zip     string `json:"zip,omitempty"`
	Country string `json:"country,omitempty"`
}

type stateDoc struct {
	Accounts []accountRecord `json:"accounts"`
}

// clone returns a deep copy, so callers never share slices or pointers
// with the store.
func (a accountRecord) clone() accountRecord {
	a.AccessTypes = append([]string(nil), a.AccessTypes...)
	if a.CreatedOn != nil {
		t := *a.CreatedOn
		a.CreatedOn = &t
	}
	if a.Address != nil {
		ad := *a.Address
		a.Address = &ad
	}
	list := make([]membership, len(a.Memberships.list))
	for i, m := range a.Memberships.list {
		m.Roles = append([]string{}, m.Roles...)
		list[i] = m
	}
	a.Memberships = memberships{list: list}
	return a
}

func (a accountRecord) hasAccessType(t string) bool {
	for _, x := range a.AccessTypes {
		if x == t {
			return true
		}
	}
	return false
}

// store holds the accounts in insertion order behind a mutex.
type store struct {
	mu       sync.Mutex
	accounts []accountRecord
}

func newStore(empty bool) *store {
	s := &store{}
	if !empty {
		s.accounts = demoAccounts()
	}
	return s
}

func (s *store) reset() {
	s.mu.Lock()
	s.accounts = demoAccounts()
	s.mu.Unlock()
}

func (s *store) state() ([]byte, error) {
	s.mu.Lock()
	doc := stateDoc{Accounts: make([]accountRecord, 0, len(s.accounts))}
	for _, a := range s.accounts {
		doc.Accounts = append(doc.Accounts, a.clone())
	}
	s.mu.Unlock()
	return json.MarshalIndent(doc, "", "  ")
}

func (s *store) setState(raw []byte) error {
	accounts, err := parseState(raw)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.accounts = accounts
	s.mu.Unlock()
	return nil
}

// parseState decodes and validates a whole state document; a document
// that the GraphQL schema could not serve (bad enum, missing id or name,
// duplicate keys) is refused rather than half-loaded.
func parseState(raw []byte) ([]accountRecord, error) {
	var doc struct {
		Accounts *[]accountRecord `json:"accounts"`
	}
	if err := simkit.DecodeState(Name, raw, &doc); err != nil {
		return nil, err
	}
	if doc.Accounts == nil {
		return nil, errors.New(`appdirect state: missing "accounts" array`)
	}
	ids := map[string]bool{}
	extIDs := map[string]bool{}
	out := make([]accountRecord, 0, len(*doc.Accounts))
	for i, a := range *doc.Accounts {
		where := fmt.Sprintf("appdirect state: accounts[%d]", i)
		switch {
		case strings.TrimSpace(a.ID) == "":
			return nil, fmt.Errorf("%s: id is required", where)
		case ids[a.ID]:
			return nil, fmt.Errorf("%s: duplicate id %q", where, a.ID)
		case strings.TrimSpace(a.Name) == "":
			return nil, fmt.Errorf("%s: name is required", where)
		case !model.AccountStatus(a.Status).IsValid():
			return nil, fmt.Errorf("%s: status %q is not one of %v", where, a.Status, model.AllAccountStatus)
		case a.Memberships.legacyCount != nil && *a.Memberships.legacyCount < 0 || a.ActiveSubscriptions < 0:
			return nil, fmt.Errorf("%s: memberships and activeSubscriptions must not be negative", where)
		case a.ExternalID != "" && extIDs[a.ExternalID]:
			return nil, fmt.Errorf("%s: duplicate externalId %q", where, a.ExternalID)
		}
		for _, t := range a.AccessTypes {
			if !model.AccessType(t).IsValid() {
				return nil, fmt.Errorf("%s: access type %q is not one of %v", where, t, model.AllAccessType)
			}
		}
		if a.AccessTypes == nil {
			a.AccessTypes = []string{}
		}
		if n := a.Memberships.legacyCount; n != nil {
			a.Memberships = memberships{list: placeholderMembers(a.ID, *n)}
		}
		users := map[string]bool{}
		for j, m := range a.Memberships.list {
			switch {
			case strings.TrimSpace(m.UserID) == "":
				return nil, fmt.Errorf("%s: memberships[%d]: userId is required", where, j)
			case users[m.UserID]:
				return nil, fmt.Errorf("%s: memberships[%d]: duplicate userId %q", where, j, m.UserID)
			case strings.TrimSpace(m.Email) == "":
				return nil, fmt.Errorf("%s: memberships[%d]: email is required", where, j)
			}
			users[m.UserID] = true
		}
		ids[a.ID] = true
		if a.ExternalID != "" {
			extIDs[a.ExternalID] = true
		}
		out = append(out, a.clone())
	}
	return out, nil
}

// snapshot returns copies of all accounts, in insertion order.
func (s *store) snapshot() []accountRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]accountRecord, len(s.accounts))
	for i, a := range s.accounts {
		out[i] = a.clone()
	}
	return out
}

func (s *store) get(id string) (accountRecord, bool) {
	return s.find(func(a accountRecord) bool { return a.ID == id })
}

func (s *store) getByExternalID(externalID string) (accountRecord, bool) {
	if externalID == "" {
		return accountRecord{}, false
	}
	return s.find(func(a accountRecord) bool { return a.ExternalID == externalID })
}

func (s *store) find(match func(accountRecord) bool) (accountRecord, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.accounts {
		if match(a) {
			return a.clone(), true
		}
	}
	return accountRecord{}, false
}

// Codes deleteAccount reports in userErrors. Inference: AppDirect does not
// publish DeleteAccountError's codes.
const (
	codeAccountNotFound          = "ACCOUNT_NOT_FOUND"
	codeAccountHasMemberships    = "ACCOUNT_HAS_MEMBERSHIPS"
	codeAccountHasSubscriptions  = "ACCOUNT_HAS_ACTIVE_SUBSCRIPTIONS"
	msgAccountHasMemberships     = "account has %d account membership(s); delete them with deleteAccountMembership first"
	msgAccountHasSubscriptions   = "account has %d active subscription(s); cancel them with terminateSubscription first"
	msgAccountNotFound           = "account %s not found"
	msgAccountNotFoundEmptyInput = "accountId must not be empty"
)

// delete removes the account (and so its REST company) unless a business
// rule refuses it; the refusals are returned as DeleteAccountError values,
// every applicable one, as AppDirect reports user errors as a list.
func (s *store) delete(id string) []model.DeleteAccountError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id == "" {
		return []model.DeleteAccountError{{Code: codeAccountNotFound, Message: msgAccountNotFoundEmptyInput}}
	}
	for i, a := range s.accounts {
		if a.ID != id {
			continue
		}
		var errs []model.DeleteAccountError
		if n := len(a.Memberships.list); n > 0 {
			errs = append(errs, model.DeleteAccountError{Code: codeAccountHasMemberships, Message: fmt.Sprintf(msgAccountHasMemberships, n)})
		}
		if a.ActiveSubscriptions > 0 {
			errs = append(errs, model.DeleteAccountError{Code: codeAccountHasSubscriptions, Message: fmt.Sprintf(msgAccountHasSubscriptions, a.ActiveSubscriptions)})
		}
		if len(errs) > 0 {
			return errs
		}
		s.accounts = append(s.accounts[:i:i], s.accounts[i+1:]...)
		return nil
	}
	return []model.DeleteAccountError{{Code: codeAccountNotFound, Message: fmt.Sprintf(msgAccountNotFound, id)}}
}
