package ortto

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
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
	if sel.AllRowsSelected {
		// Ortto selects the rows itself: one call, nothing to split.
		if len(sel.ExclusionIDs) > MaxBatch {
			return nil, badInput(op, fmt.Sprintf("at most %d exclusion_ids may accompany all_rows_selected, got %d", MaxBatch, len(sel.ExclusionIDs)))
		}
		if len(sel.InclusionIDs) > MaxBatch {
			return nil, badInput(op, fmt.Sprintf("at most %d inclusion_ids may accompany all_rows_selected, got %d", MaxBatch, len(sel.InclusionIDs)))
		}
		return c.bulkCall(ctx, method, path, sel)
	}
	if len(sel.InclusionIDs) == 0 {
		return nil, badInput(op, "select accounts with inclusion_ids or all_rows_selected")
	}
	if len(sel.ExclusionIDs) > MaxBatch {
		return nil, badInput(op, fmt.Sprintf("at most %d exclusion_ids per call, got %d", MaxBatch, len(sel.ExclusionIDs)))
	}
	ids := sel.InclusionIDs
	total := (len(ids) + c.batchSize - 1) / c.batchSize
	var sum BulkResult
	for i := 0; i < total; i++ {
		lo := i * c.batchSize
		hi := min(lo+c.batchSize, len(ids))
		chunk := AccountSelection{InclusionIDs: ids[lo:hi:hi], ExclusionIDs: sel.ExclusionIDs}
		r, err := c.bulkCall(ctx, method, path, chunk)
		if err != nil {
			return nil, chunkError(err, append([]string(nil), ids[lo:]...), i, total)
		}
		sum.add(*r)
	}
	return &sum, nil
}

func (c *Client) bulkCall(ctx context.Context, method, path string, sel AccountSelection) (*BulkResult, error) {
	req, err := c.NewRequest(ctx, method, path, sel)
	if err != nil {
		return nil, err
	}
	var r BulkResult
	if err := c.Do(ctx, req, &r); err != nil {
		return nil, err
	}
	return &r, nil
}
