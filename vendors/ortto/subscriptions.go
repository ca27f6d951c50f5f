package ortto

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// PersonRef identifies one person to look up. Ortto uses the first
// identifier set, in the order person_id, email, external_id.
type PersonRef struct {
	PersonID   string `json:"person_id,omitempty"`
	Email      string `json:"email,omitempty"`
	ExternalID string `json:"external_id,omitempty"`
}

// Canonical is the ref reduced to the one identifier Ortto will use for
// it: person_id, else email, else external_id, trimmed of surrounding
// space, the others cleared. It is the key to deduplicate lookups by; it
// is the zero PersonRef when r has no identifier at all. The email keeps
// the case it was given: Ortto's documents do not say that emails are
// compared without case, so the gateway sends the address as written
// (lower-casing it could miss a person stored with capitals). Replies are
// still matched to requests without case (see match).
func (r PersonRef) Canonical() PersonRef {
	switch {
	case strings.TrimSpace(r.PersonID) != "":
		return PersonRef{PersonID: strings.TrimSpace(r.PersonID)}
	case strings.TrimSpace(r.Email) != "":
		return PersonRef{Email: strings.TrimSpace(r.Email)}
	default:
		return PersonRef{ExternalID: strings.TrimSpace(r.ExternalID)}
	}
}

// match is Canonical with the email case-folded: the key a reply entry
// is matched to its request by, since a reply may echo an address in the
// case Ortto stored rather than the case it was asked in.
func (r PersonRef) match() PersonRef {
	k := r.Canonical()
	k.Email = strings.ToLower(k.Email)
	return k
}

// Person is one person's subscription status as Ortto reports it.
// Email is present only when the person was looked up by email, and
// ExternalID only when looked up by external id.
type Person struct {
	PersonStatus       string         `json:"person_status"`
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

// Subscription is a person's membership of one audience and their
// channel opt-ins for it.
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

// UnmarshalJSON reads a subscription, treating an empty or null timestamp
// as absent: Ortto documents these as ISO 8601 strings but not what it
// sends when there is no date, and one odd field must not fail a lookup.
func (s *Subscription) UnmarshalJSON(b []byte) error {
	type plain Subscription
	var w struct {
		plain
		MemberFrom       *string `json:"member_from"`
		SubscribedFrom   *string `json:"subscribed_from"`
		UnsubscribedFrom *string `json:"unsubscribed_from"`
		SMSOptedOutFrom  *string `json:"sms_opted_out_from"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*s = Subscription(w.plain)
	for _, f := range []struct {
		raw *string
		dst **time.Time
		key string
	}{
		{w.MemberFrom, &s.MemberFrom, "member_from"},
		{w.SubscribedFrom, &s.SubscribedFrom, "subscribed_from"},
		{w.UnsubscribedFrom, &s.UnsubscribedFrom, "unsubscribed_from"},
		{w.SMSOptedOutFrom, &s.SMSOptedOutFrom, "sms_opted_out_from"},
	} {
		if f.raw == nil || *f.raw == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, *f.raw)
		if err != nil {
			return fmt.Errorf("%s: %w", f.key, err)
		}
		*f.dst = &t
	}
	return nil
}

// subscriptionsRequest and subscriptionsReply are the wire bodies of
// POST v1/person/subscriptions.
type subscriptionsRequest struct {
	People []PersonRef `json:"people"`
}

type subscriptionsReply struct {
	People []*Person `json:"people"`
}

// refLabel is the identifier of a ref as reported in an error's IDs.
func refLabel(r PersonRef) string {
	switch {
	case r.PersonID != "":
		return r.PersonID
	case r.Email != "":
		return r.Email
	}
	return r.ExternalID
}

// Subscriptions looks people up with POST v1/person/subscriptions and
// returns exactly one *Person per ref, in the refs' order, nil where Ortto
// knows no such person. Refs are split into batches of the configured
// batch size (one call per batch, sent one after another); results are
// matched back to refs by identifier (person_id, else email compared
// case-insensitively, else external_id: see PersonRef.match). Only a
// ref that no entry echoes falls back on position, and only when the
// reply has one entry per ref and that entry names no identifier another
// ref of the batch asked for (an inference: Ortto does not document the
// order of its reply, and the recorded replies hold one person each).
// Each person is asked for once, by the first ref naming them, as the
// caller wrote it.
func (c *Client) Subscriptions(ctx context.Context, refs []PersonRef) ([]*Person, error) {
	const op = "get subscriptions"
	out := make([]*Person, len(refs))
	if len(refs) == 0 {
		return out, nil
	}
	// Validate everything first: Ortto refuses the whole request for one
	// empty person object, and a later batch must not fail after earlier
	// ones were spent.
	keys := make([]PersonRef, len(refs))
	var unique []PersonRef // the first ref of each canonical ref, in order
	seen := map[PersonRef]bool{}
	for i, r := range refs {
		k := r.match()
		if k == (PersonRef{}) {
			return nil, badInput(op, fmt.Sprintf("person %d has none of person_id, email, external_id", i))
		}
		keys[i] = k
		if !seen[k] {
			seen[k] = true
			unique = append(unique, r)
		}
	}

	found := make(map[PersonRef]*Person, len(unique))
	total := (len(unique) + c.batchSize - 1) / c.batchSize
	for i := 0; i < total; i++ {
		lo := i * c.batchSize
		hi := min(lo+c.batchSize, len(unique))
		people, err := c.subscriptionsCall(ctx, unique[lo:hi])
		if err != nil {
			pending := make([]string, 0, len(unique)-lo)
			for _, r := range unique[lo:] {
				pending = append(pending, refLabel(r))
			}
			return nil, chunkError(err, pending, i, total)
		}
		batch := unique[lo:hi]
		asked := make(map[PersonRef]bool, len(batch))
		for _, r := range batch {
			asked[r.match()] = true
		}
		answered := make(map[PersonRef]bool, len(batch)) // refs of this batch some entry echoes
		for _, p := range people {
			if p == nil {
				continue
			}
			// The reply names the person by every identifier it echoes;
			// each names the same canonical ref a request would.
			for _, k := range echoedRefs(p) {
				answered[k] = asked[k]
				if known(p) {
					found[k] = p
				}
			}
		}
		// Recorded replies echo person_id and email but are not shown to
		// echo external_id. A ref no entry echoes takes the entry at its
		// own position (inferred, not documented: request order), when the
		// reply has one entry per ref and that entry names no other
		// identifier this batch asked for.
		if len(people) == len(batch) {
			for j, r := range batch {
				k := r.match()
				p := people[j]
				if answered[k] || p == nil || claimedByOther(p, k, answered) {
					continue
				}
				if known(p) {
					found[k] = p
				}
			}
		}
	}
	for i, k := range keys {
		out[i] = found[k]
	}
	return out, nil
}

// echoedRefs lists the canonical refs a reply entry names.
func echoedRefs(p *Person) []PersonRef {
	var out []PersonRef
	if p.PersonID != "" {
		out = append(out, PersonRef{PersonID: p.PersonID}.match())
	}
	if p.Email != "" {
		out = append(out, PersonRef{Email: p.Email}.match())
	}
	if p.ExternalID != "" {
		out = append(out, PersonRef{ExternalID: p.ExternalID}.match())
	}
	return out
}

// known reports whether a reply entry is a person Ortto knows: it has a
// person_id and is not marked not-found.
func known(p *Person) bool {
	return p.PersonID != "" && !strings.EqualFold(p.PersonStatus, "not-found")
}

// claimedByOther reports whether entry p echoes an identifier that some
// ref of the batch other than k was answered by: then p belongs to that
// ref, and the positions do not line up.
func claimedByOther(p *Person, k PersonRef, answered map[PersonRef]bool) bool {
	for _, e := range echoedRefs(p) {
		if e != k && answered[e] {
			return true
		}
	}
	return false
}

func (c *Client) subscriptionsCall(ctx context.Context, refs []PersonRef) ([]*Person, error) {
	// A lookup changes nothing at Ortto, though it is a POST: let the
	// chain share and retry it.
	ctx = outbound.IdempotentRead(ctx)
	req, err := c.NewRequest(ctx, "get subscriptions", http.MethodPost, "v1/person/subscriptions", nil, subscriptionsRequest{People: refs})
	if err != nil {
		return nil, err
	}
	var reply subscriptionsReply
	if err := c.Do(ctx, req, &reply); err != nil {
		return nil, err
	}
	return reply.People, nil
}
