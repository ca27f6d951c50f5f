package resolvers

import (
	"context"
	"strconv"
	"strings"

	"github.com/switchyard/switchyard/graph/model"
	"github.com/switchyard/switchyard/internal/policy/errcode"
	"github.com/switchyard/switchyard/vendors/cordial"
)

func toAccountList(l *cordial.AccountList) *model.AccountList {
	return &model.AccountList{ID: strconv.FormatInt(l.ID, 10), Name: l.Name, Enhanced: l.Enhanced}
}

// listID checks a Cordial list id (an integer) before any call.
func listID(field, id string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
	if err != nil || n <= 0 {
		return 0, errcode.Input(field, "must be a numeric Cordial list id")
	}
	return n, nil
}

// listName applies Cordial's naming rule before any call, so that a bad
// name never reaches the vendor.
func listName(field, name string) (string, error) {
	if err := cordial.ValidListName(name); err != nil {
		return "", errcode.Input(field, "%s", err.Error())
	}
	return name, nil
}

// listMutation runs a Cordial call that takes a list id and returns only
// success (clear, delete).
//
// A dry run reads the list instead, so the client sees what it would lose.
func (r *mutationResolver) listMutation(ctx context.Context, id string, dryRun *bool, op func(*cordial.Client, context.Context, int64) error) (*model.AccountListMutationPayload, error) {
	n, err := listID("id", id)
	if err != nil {
		return nil, err
	}
	c, err := r.cordial()
	if err != nil {
		return nil, err
	}
	if isDryRun(dryRun) {
		l, err := c.GetList(ctx, n)
		if err != nil {
			return nil, err
		}
		return &model.AccountListMutationPayload{ID: strconv.FormatInt(n, 10), DryRun: true, AccountList: toAccountList(l)}, nil
	}
	if err := op(c, ctx, n); err != nil {
		return nil, err
	}
	return &model.AccountListMutationPayload{ID: strconv.FormatInt(n, 10), Success: true}, nil
}

// cordial is the cordial client, or VENDOR_NOT_CONFIGURED.
func (c *Clients) cordial() (*cordial.Client, error) {
	return clientOf[*cordial.Client](c, cordial.Name)
}
