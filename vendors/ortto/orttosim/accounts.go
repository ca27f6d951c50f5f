package orttosim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/switchyard/switchyard/internal/simkit"
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
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "Failed to parse request body: "+err.Error())
		return false
	}
	return true
}
