package ortto

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// AccountSelection picks the accounts of a bulk archive, restore or delete:
// either explicit InclusionIDs, or AllRowsSelected (the main list for
// archive, the archived list for restore and delete) minus ExclusionIDs.
type AccountSelection struct {
	InclusionIDs    []string `json:"inclusion_ids,omitempty"`
	ExclusionIDs    []string `json:"exclusion_ids,omitempty"`
	AllRowsSelected bool     `json:"all_rows_selected,omitempty"`
}

// BulkResult counts what a bulk account call did. Scheduled is work Ortto
// queued to run shortly after the call; the other counts were done during
// it. For a split request the counts are summed over its calls.
type BulkResult struct {
	Scheduled int
	Archived  int
	Restored  int
	Deleted   int
}

// UnmarshalJSON reads both key families Ortto uses: the documented
// *_accounts names and the *_organizations names its live archive and
// restore endpoints still send.
func (r *BulkResult) UnmarshalJSON(b []byte) error {
	var w struct {
		ScheduledAccounts      *int `json:"scheduled_accounts"`
		ScheduledOrganizations *int `json:"scheduled_organizations"`
		ArchivedAccounts       *int `json:"archived_accounts"`
		ArchivedOrganizations  *int `json:"archived_organizations"`
		RestoredAccounts       *int `json:"restored_accounts"`
		RestoredOrganizations  *int `json:"restored_organizations"`
		DeletedAccounts        *int `json:"deleted_accounts"`
		DeletedOrganizations   *int `json:"deleted_organizations"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*r = BulkResult{
		Scheduled: either(w.ScheduledAccounts, w.ScheduledOrganizations),
		Archived:  either(w.ArchivedAccounts, w.ArchivedOrganizations),
		Restored:  either(w.RestoredAccounts, w.RestoredOrganizations),
		Deleted:   either(w.DeletedAccounts, w.DeletedOrganizations),
	}
	return nil
}

func either(a, b *int) int {
	if a != nil {
		return *a
	}
	if b != nil {
		return *b
	}
	return 0
}

func (r *BulkResult) add(o BulkResult) {
	r.Scheduled += o.Scheduled
	r.Archived += o.Archived
	r.Restored += o.Restored
	r.Deleted += o.Deleted
}

// ArchiveAccounts moves the selected accounts from the main list to the
// archived list (PUT v1/accounts/archive). Accounts must be archived
// before they can be restored or deleted.
func (c *Client) ArchiveAccounts(ctx context.Context, sel AccountSelection) (*BulkResult, error) {
	return c.bulk(ctx, "archive accounts", http.MethodPut, "v1/accounts/archive", sel)
}

// RestoreAccounts moves archived accounts back to the main list
// (PUT v1/accounts/restore). Accounts that are not archived are skipped by
// Ortto and simply not counted.
func (c *Client) RestoreAccounts(ctx context.Context, sel AccountSelection) (*BulkResult, error) {
	return c.bulk(ctx, "restore accounts", http.MethodPut, "v1/accounts/restore", sel)
}

// DeleteAccounts permanently deletes archived accounts
// (DELETE v1/accounts/delete, with a JSON body). Accounts that are not
// archived are skipped by Ortto and simply not counted.
func (c *Client) DeleteAccounts(ctx context.Context, sel AccountSelection) (*BulkResult, error) {
	return c.bulk(ctx, "delete accounts", http.MethodDelete, "v1/accounts/delete", sel)
}

// bulk validates sel, splits explicit ids into calls of at most
// c.batchSize, runs them one after another and sums their counts.
func (c *Client) bulk(ctx context.Context, op, method, path string, sel AccountSelection) (*BulkResult, error) {
	if err := checkSelection(op, sel); err != nil {
		return nil, err
	}
	if sel.AllRowsSelected {
		// Ortto selects the rows itself: one call, nothing to split.
		return c.bulkCall(ctx, op, method, path, sel)
	}
	ids := sel.InclusionIDs
	total := (len(ids) + c.batchSize - 1) / c.batchSize
	var sum BulkResult
	for i := 0; i < total; i++ {
		lo := i * c.batchSize
		hi := min(lo+c.batchSize, len(ids))
		chunk := AccountSelection{InclusionIDs: ids[lo:hi:hi], ExclusionIDs: sel.ExclusionIDs}
		r, err := c.bulkCall(ctx, op, method, path, chunk)
		if err != nil {
			return nil, chunkError(err, append([]string(nil), ids[lo:]...), i, total)
		}
		sum.add(*r)
	}
	return &sum, nil
}

// checkSelection refuses, before any call, a selection Ortto would refuse
// or that the client could not split. Bulk calls and their dry runs
// (Affected) share it, so a dry run fails exactly where the real call would.
func checkSelection(op string, sel AccountSelection) error {
	if sel.AllRowsSelected {
		if len(sel.ExclusionIDs) > MaxBatch {
			return badInput(op, fmt.Sprintf("at most %d exclusion_ids may accompany all_rows_selected, got %d", MaxBatch, len(sel.ExclusionIDs)))
		}
		if len(sel.InclusionIDs) > MaxBatch {
			return badInput(op, fmt.Sprintf("at most %d inclusion_ids may accompany all_rows_selected, got %d", MaxBatch, len(sel.InclusionIDs)))
		}
		return nil
	}
	if len(sel.InclusionIDs) == 0 {
		return badInput(op, "select accounts with inclusion_ids or all_rows_selected")
	}
	if len(sel.ExclusionIDs) > MaxBatch {
		return badInput(op, fmt.Sprintf("at most %d exclusion_ids per call, got %d", MaxBatch, len(sel.ExclusionIDs)))
	}
	return nil
}

func (c *Client) bulkCall(ctx context.Context, op, method, path string, sel AccountSelection) (*BulkResult, error) {
	req, err := c.NewRequest(ctx, op, method, path, nil, sel)
	if err != nil {
		return nil, err
	}
	var r BulkResult
	if err := c.Do(ctx, req, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// MaxListLimit is the largest page POST v1/accounts/get serves; listing
// every account asks for it so that a big list costs as few calls as
// possible.
const MaxListLimit = 500

// MaxListPages bounds how many pages AccountIDs reads: 100,000 accounts
// at MaxListLimit. A list that long, or a vendor that keeps answering
// has_more, fails instead of paging for ever.
const MaxListPages = 200

// accountNameField is the one field AccountIDs asks for. Ortto's listing
// wants at least one field id and every account has a name.
const accountNameField = "str:o:name"

// accountsGetRequest is the body of POST v1/accounts/get as AccountIDs
// sends it.
type accountsGetRequest struct {
	Limit  int      `json:"limit"`
	Offset int      `json:"offset"`
	Fields []string `json:"fields"`
	Type   string   `json:"type,omitempty"`
}

// accountsGetReply is the part of Ortto's listing reply that paging needs.
type accountsGetReply struct {
	Accounts []struct {
		ID string `json:"id"`
	} `json:"accounts"`
	Offset     int  `json:"offset"`
	NextOffset int  `json:"next_offset"`
	HasMore    bool `json:"has_more"`
}

// AccountIDs pages through POST v1/accounts/get and returns the ids of
// every account in the main list (archived=false) or the archived list
// (archived=true), in Ortto's order. It is a read: the context is marked
// with outbound.IdempotentRead so the chain may share and retry it.
//
// Pages are read one after another with offset/next_offset; an id seen on
// an earlier page (the list moved under the listing) is kept once, where
// it was first seen. A failed page fails the whole listing: a partial
// list would make a dry run report too little.
func (c *Client) AccountIDs(ctx context.Context, archived bool) ([]string, error) {
	const op = "get accounts"
	ctx = outbound.IdempotentRead(ctx)
	body := accountsGetRequest{Limit: MaxListLimit, Fields: []string{accountNameField}}
	if archived {
		body.Type = "archived"
	}
	ids := []string{}
	seen := map[string]bool{}
	for page := 0; ; page++ {
		if page == MaxListPages {
			return nil, &outbound.Error{Vendor: Name, Operation: op, Kind: outbound.KindUpstream,
				Message: fmt.Sprintf("the account list is longer than %d pages of %d; refusing to page further", MaxListPages, MaxListLimit)}
		}
		req, err := c.NewRequest(ctx, op, http.MethodPost, "v1/accounts/get", nil, body)
		if err != nil {
			return nil, err
		}
		var reply accountsGetReply
		if err := c.Do(ctx, req, &reply); err != nil {
			return nil, err
		}
		for _, a := range reply.Accounts {
			if a.ID != "" && !seen[a.ID] {
				seen[a.ID] = true
				ids = append(ids, a.ID)
			}
		}
		if !reply.HasMore {
			return ids, nil
		}
		if reply.NextOffset <= body.Offset {
			return nil, &outbound.Error{Vendor: Name, Operation: op, Kind: outbound.KindUpstream,
				Message: fmt.Sprintf("has_more with next_offset %d not after offset %d", reply.NextOffset, body.Offset)}
		}
		body.Offset = reply.NextOffset
	}
}

// Affected returns exactly the ids a bulk operation with sel would act
// on, without calling the mutation, so that a dry run can report them (or
// their count). op is "archive" (which acts on the main list), "restore"
// or "delete" (which act on the archived list). Explicit inclusion ids
// are intersected with that list, all_rows_selected takes the whole list;
// either way exclusion ids are taken out. The ids come in Ortto's list
// order. A selection the real call would refuse is refused the same way.
func (c *Client) Affected(ctx context.Context, op string, sel AccountSelection) ([]string, error) {
	var name string
	var archived bool
	switch op {
	case "archive":
		name = "archive accounts"
	case "restore":
		name, archived = "restore accounts", true
	case "delete":
		name, archived = "delete accounts", true
	default:
		return nil, badInput("affected accounts", fmt.Sprintf("unknown operation %q (want archive, restore or delete)", op))
	}
	if err := checkSelection(name, sel); err != nil {
		return nil, err
	}
	list, err := c.AccountIDs(ctx, archived)
	if err != nil {
		return nil, err
	}
	excluded := make(map[string]bool, len(sel.ExclusionIDs))
	for _, id := range sel.ExclusionIDs {
		excluded[id] = true
	}
	var included map[string]bool
	if !sel.AllRowsSelected {
		// With all_rows_selected, inclusion_ids are ignored (an inference,
		// see the package doc); otherwise they pick from the list.
		included = make(map[string]bool, len(sel.InclusionIDs))
		for _, id := range sel.InclusionIDs {
			included[id] = true
		}
	}
	out := []string{}
	for _, id := range list {
		if excluded[id] || (included != nil && !included[id]) {
			continue
		}
		out = append(out, id)
	}
	return out, nil
}
