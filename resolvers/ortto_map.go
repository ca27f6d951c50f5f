package resolvers

import (
	"context"
	"strings"

	"github.com/switchyard/switchyard/graph/model"
	"github.com/switchyard/switchyard/internal/policy/errcode"
	"github.com/switchyard/switchyard/vendors/ortto"
)

// maxPersonRefs bounds one people() call: ten Ortto calls at most.
const maxPersonRefs = 1000

func personRef(field string, in model.PersonRef) (ortto.PersonRef, error) {
	ref := ortto.PersonRef{PersonID: deref(in.ID), Email: deref(in.Email), ExternalID: deref(in.ExternalID)}
	if strings.TrimSpace(ref.PersonID) == "" && strings.TrimSpace(ref.Email) == "" && strings.TrimSpace(ref.ExternalID) == "" {
		return ref, errcode.Input(field, "give at least one of id, email or externalId")
	}
	return ref, nil
}

func toPerson(p *ortto.Person) *model.Person {
	if p == nil {
		return nil
	}
	out := &model.Person{
		ID:                 p.PersonID,
		Email:              optional(p.Email),
		ExternalID:         optional(p.ExternalID),
		Status:             optional(p.PersonStatus),
		Subscriptions:      make([]model.AudienceSubscription, 0, len(p.Subscriptions)),
		EmailPermissions:   p.EmailPermissions,
		SmsPermissions:     p.SMSPermissions,
		IosPermissions:     p.IOSPermissions,
		AndroidPermissions: p.AndroidPermissions,
		WebPermissions:     p.WebPermissions,
	}
	for _, s := range p.Subscriptions {
		out.Subscriptions = append(out.Subscriptions, model.AudienceSubscription{
			AudienceID:       s.AudienceID,
			AudienceName:     s.AudienceName,
			MemberFrom:       s.MemberFrom,
			Subscribed:       s.Subscribed,
			SubscribedFrom:   s.SubscribedFrom,
			UnsubscribedFrom: s.UnsubscribedFrom,
			SmsOptedIn:       s.SMSOptedIn,
			SmsOptedOutFrom:  s.SMSOptedOutFrom,
			WhatsappOptedIn:  s.WhatsAppOptedIn,
			IosOptedIn:       s.IOSOptedIn,
			AndroidOptedIn:   s.AndroidOptedIn,
			WebOptedIn:       s.WebOptedIn,
		})
	}
	return out
}

// accountSelection checks a bulk selection before anything is sent:
// Ortto needs either ids or all_rows_selected, and explicit ids together
// with all_rows_selected would be ambiguous about what is removed.
// exclusion_ids go with either: the document lists them as a valid
// element of every request ("a list of accounts to exclude") and shows
// them with all_rows_selected only as an example, not as a requirement.
func accountSelection(in model.AccountSelectionInput) (ortto.AccountSelection, error) {
	sel := ortto.AccountSelection{AllRowsSelected: in.AllRowsSelected != nil && *in.AllRowsSelected}
	var err error
	if sel.InclusionIDs, err = cleanIDs("input.inclusionIds", in.InclusionIds); err != nil {
		return sel, err
	}
	if sel.ExclusionIDs, err = cleanIDs("input.exclusionIds", in.ExclusionIds); err != nil {
		return sel, err
	}
	switch {
	case len(sel.InclusionIDs) == 0 && !sel.AllRowsSelected:
		return sel, errcode.Input("input", "select accounts with inclusionIds or allRowsSelected")
	case len(sel.InclusionIDs) > 0 && sel.AllRowsSelected:
		return sel, errcode.Input("input", "give inclusionIds or allRowsSelected, not both")
	}
	return sel, nil
}

// cleanIDs rejects blank ids and drops repeats, so that a repeated id is
// not counted twice against Ortto's 100-per-call limit.
func cleanIDs(field string, ids []string) ([]string, error) {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" {
			return nil, errcode.Input(field, "ids must not be blank")
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

// bulkOutcome is what an Ortto bulk operation did, or on a dry run would
// do.
type bulkOutcome struct {
	ortto.BulkResult
	dryRun bool
	ids    []string // on a dry run: the accounts that would be acted on
}

// affectedCount is the dry run's count, nil for a real run.
func (o *bulkOutcome) affectedCount() *int {
	if !o.dryRun {
		return nil
	}
	n := len(o.ids)
	return &n
}

// bulk runs one Ortto bulk account operation (name is "archive",
// "restore" or "delete") after checking the selection. A dry run lists the
// accounts the operation would act on instead of calling it.
func (r *mutationResolver) bulk(ctx context.Context, name string, input model.AccountSelectionInput, dryRun *bool,
	op func(*ortto.Client, context.Context, ortto.AccountSelection) (*ortto.BulkResult, error)) (*bulkOutcome, error) {
	sel, err := accountSelection(input)
	if err != nil {
		return nil, err
	}
	c, err := r.ortto()
	if err != nil {
		return nil, err
	}
	if isDryRun(dryRun) {
		ids, err := c.Affected(ctx, name, sel)
		if err != nil {
			return nil, err
		}
		return &bulkOutcome{dryRun: true, ids: ids}, nil
	}
	res, err := op(c, ctx, sel)
	if err != nil {
		return nil, err
	}
	return &bulkOutcome{BulkResult: *res}, nil
}

// ortto is the ortto client, or VENDOR_NOT_CONFIGURED.
func (c *Clients) ortto() (*ortto.Client, error) { return clientOf[*ortto.Client](c, ortto.Name) }
