package orttosim

import (
	"fmt"
	"net/http"

	"github.com/switchyard/switchyard/internal/base/simkit"
)

// maxPeople is the cap on people per subscriptions call (inference: Ortto's
// general 100-contacts-per-payload limit).
const maxPeople = 100

// personRef is one requested person.
type personRef struct {
	PersonID   string `json:"person_id"`
	Email      string `json:"email"`
	ExternalID string `json:"external_id"`
}

type subscriptionsRequest struct {
	People []personRef `json:"people"`
}

// permissions are the channel-wide flags of a found person; a not-found
// entry has none, so they sit behind a nil-able embedded pointer.
type permissions struct {
	EmailPermissions   bool `json:"email_permissions"`
	SMSPermissions     bool `json:"sms_permissions"`
	IOSPermissions     bool `json:"ios_permissions"`
	AndroidPermissions bool `json:"android_permissions"`
	WebPermissions     bool `json:"web_permissions"`
}

// replyPerson is one entry of the subscriptions reply, keys in the order
// of the recorded replies.
type replyPerson struct {
	PersonStatus  string          `json:"person_status"`
	PersonID      string          `json:"person_id,omitempty"`
	Email         string          `json:"email,omitempty"`
	ExternalID    string          `json:"external_id,omitempty"`
	Subscriptions *[]Subscription `json:"subscriptions,omitempty"`
	*permissions
}

type subscriptionsReply struct {
	People []replyPerson `json:"people"`
}

// subscriptions serves POST /v1/person/subscriptions.
func (s *Server) subscriptions(w http.ResponseWriter, r *http.Request) {
	var req subscriptionsRequest
	if !decodeBody(w, r, &req) {
		return
	}
	switch {
	case len(req.People) == 0:
		writeError(w, http.StatusBadRequest, "people is required")
		return
	case len(req.People) > maxPeople:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("people can contain at most %d entries", maxPeople))
		return
	}
	for i, p := range req.People {
		if p.PersonID == "" && p.Email == "" && p.ExternalID == "" {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("people[%d]: one of person_id, email or external_id is required", i))
			return
		}
	}
	reply := subscriptionsReply{People: make([]replyPerson, 0, len(req.People))}
	for _, p := range req.People {
		reply.People = append(reply.People, s.store.lookup(p))
	}
	simkit.WriteJSON(w, http.StatusOK, reply)
}
