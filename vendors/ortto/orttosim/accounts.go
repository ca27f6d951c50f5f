package orttosim

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"

	"github.com/switchyard/switchyard/internal/base/simkit"
)

// maxIDs is Ortto's cap on the ids of one bulk account call.
const maxIDs = 100

// bulkRequest is the body of archive, restore and delete.
type bulkRequest struct {
	InclusionIDs    []string `json:"inclusion_ids"`
	ExclusionIDs    []string `json:"exclusion_ids"`
	AllRowsSelected bool     `json:"all_rows_selected"`
}

// bulkAccounts serves PUT /v1/accounts/archive, PUT /v1/accounts/restore
// and DELETE /v1/accounts/delete.
func (s *Server) bulkAccounts(w http.ResponseWriter, r *http.Request, op bulkOp) {
	var req bulkRequest
	if !decodeBody(w, r, &req) {
		return
	}
	switch {
	case !req.AllRowsSelected && len(req.InclusionIDs) == 0:
		writeError(w, http.StatusBadRequest, "inclusion_ids or all_rows_selected is required")
		return
	case len(req.InclusionIDs) > maxIDs:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("inclusion_ids can contain at most %d ids", maxIDs))
		return
	case len(req.ExclusionIDs) > maxIDs:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("exclusion_ids can contain at most %d ids", maxIDs))
		return
	}
	done, scheduled := s.store.bulk(op, req.InclusionIDs, req.ExclusionIDs, req.AllRowsSelected)
	// Key names as recorded live: *_organizations for archive and
	// restore, *_accounts for delete. Field order follows the recordings.
	var reply any
	switch op {
	case opArchive:
		reply = struct {
			Scheduled int `json:"scheduled_organizations"`
			Archived  int `json:"archived_organizations"`
		}{scheduled, done}
	case opRestore:
		reply = struct {
			Scheduled int `json:"scheduled_organizations"`
			Restored  int `json:"restored_organizations"`
		}{scheduled, done}
	case opDelete:
		reply = struct {
			Scheduled int `json:"scheduled_accounts"`
			Deleted   int `json:"deleted_accounts"`
		}{scheduled, done}
	}
	simkit.WriteJSON(w, http.StatusOK, reply)
}

// decodeBody reads a JSON request body into v, answering 400 with Ortto's
// envelope when it is not one JSON object of the right shape.
//
// An element the endpoint's table of valid request body elements does not
// list (a misspelled exclusionIds for exclusion_ids, say) is refused with
// 400, not ignored: ignored, it would widen the request (a restore that
// drops its exclusions restores every archived account). Ortto refuses
// unknown fields live ("failed to validate field ... Object not found",
// fixture person/merge_people_with_invalid_field.json); its documents
// record no leniency. The request is refused before any state is read or
// changed.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err = dec.Decode(v); err == nil && dec.More() {
			err = errors.New("trailing data after the JSON object")
		}
	}
	if err != nil {
		msg := "Failed to parse request body: " + err.Error()
		simkit.WriteJSON(w, http.StatusBadRequest, errorReply{RequestID: requestID(), Code: http.StatusBadRequest, Error: instanceName + ": " + msg,
			Details: []errorDetail{{Status: "invalid", Error: msg}}})
		return false
	}
	return true
}

// Listing limits of POST /v1/accounts/get, taken from the people listing
// (POST /v1/person/get): 1..500 per page, 50 when absent or out of range.
const (
	defaultListLimit = 50
	maxListLimit     = 500
)

// instanceName stands where a live Ortto error names the instance
// ("betweendynamic: Failed to parse request …" in the recordings).
const instanceName = "sandbox"

// invalidAttributes is the text Ortto answered, live, for an accounts/get
// whose type it did not accept (fixture get_accounts_archived_type.json).
const invalidAttributes = "One or more attributes is invalid"

// getAccountsRequest is the body of POST /v1/accounts/get. Filter, q and
// sort_by_field_id are decoded only so that a request using them is
// refused rather than answered as if they had been applied.
type getAccountsRequest struct {
	Limit         int             `json:"limit"`
	Offset        int             `json:"offset"`
	CursorID      *string         `json:"cursor_id"`
	SortByFieldID string          `json:"sort_by_field_id"`
	SortOrder     string          `json:"sort_order"` // NOTES: person/get's sort_order; accepted, no effect without sort_by_field_id
	Fields        []string        `json:"fields"`
	Filter        json.RawMessage `json:"filter"`
	Q             string          `json:"q"`
	Type          string          `json:"type"`
	InclusionIDs  []string        `json:"inclusion_ids"`
	ExclusionIDs  []string        `json:"exclusion_ids"`
}

// listedAccount is one entry of the accounts/get reply: the id and the
// requested fields the account has a value for.
type listedAccount struct {
	ID     string         `json:"id"`
	Fields map[string]any `json:"fields"`
}

type accountsMeta struct {
	TotalContacts      int `json:"total_contacts"`
	TotalOrganizations int `json:"total_organizations"`
	TotalMatches       int `json:"total_matches"`
	TotalSubscribers   int `json:"total_subscribers"`
}

// getAccountsReply is the recorded reply shape, keys in recorded order.
type getAccountsReply struct {
	Accounts   []listedAccount `json:"accounts"`
	Meta       accountsMeta    `json:"meta"`
	Offset     int             `json:"offset"`
	NextOffset int             `json:"next_offset"`
	CursorID   string          `json:"cursor_id"`
	HasMore    bool            `json:"has_more"`
}

// getAccounts serves POST /v1/accounts/get: one offset page of the main
// list, or of the archived list with "type":"archived".
func (s *Server) getAccounts(w http.ResponseWriter, r *http.Request) {
	var req getAccountsRequest
	if !decodeBody(w, r, &req) {
		return
	}
	var archived bool
	switch req.Type {
	case "":
	case "archived":
		archived = true
	default:
		writeError(w, http.StatusBadRequest, invalidAttributes)
		return
	}
	if req.Offset < 0 || len(req.Fields) == 0 || slices.Contains(req.Fields, "") {
		writeError(w, http.StatusBadRequest, invalidAttributes)
		return
	}
	var ids []string
	if req.CursorID != nil {
		ids = append(ids, *req.CursorID)
	}
	for _, id := range slices.Concat(ids, req.InclusionIDs, req.ExclusionIDs) {
		if len(id) != 12 && len(id) != 24 {
			// The recorded text counts the JSON string's quotes.
			writeError(w, http.StatusBadRequest, fmt.Sprintf("%s: Failed to parse request cannot unmarshal into an ID, the length must be 12 or 24 + 2 for hex but it is %d: Object not found", instanceName, len(id)+2))
			return
		}
	}
	switch {
	case len(req.Filter) > 0 && string(req.Filter) != "null":
		writeError(w, http.StatusBadRequest, "orttosim: filter is not supported by the simulator")
		return
	case req.Q != "":
		writeError(w, http.StatusBadRequest, "orttosim: q is not supported by the simulator")
		return
	case req.SortByFieldID != "":
		writeError(w, http.StatusBadRequest, "orttosim: sort_by_field_id is not supported by the simulator")
		return
	}
	limit := req.Limit
	if limit < 1 || limit > maxListLimit {
		limit = defaultListLimit
	}
	reply := s.store.listAccounts(listQuery{
		archived:  archived,
		inclusion: req.InclusionIDs,
		exclusion: req.ExclusionIDs,
		fields:    req.Fields,
		offset:    req.Offset,
		limit:     limit,
	})
	reply.CursorID = cursorID()
	simkit.WriteJSON(w, http.StatusOK, reply)
}

// cursorID returns a random id of Ortto's 24-hex form for the reply's
// cursor_id; the simulator pages by offset only and never reads it back.
func cursorID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
