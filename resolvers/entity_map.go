package resolvers

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vikstrous/dataloadgen"

	"github.com/switchyard/switchyard/graph/model"
	"github.com/switchyard/switchyard/internal/policy/auth"
	"github.com/switchyard/switchyard/vendors/ortto"
)

// This file maps Apollo Federation entity representations (what a router
// sends to _entities) to vendor lookups. A representation is built by
// another subgraph or the router, not typed by a client, so a key no
// vendor could hold (blank, or not numeric where the vendor's ids are)
// resolves to null like an unknown id, without a vendor call.

// requireRead guards the entity resolvers as @hasScope(scope: READ)
// guards the root fields that read the same records: _entities is added
// by the federation plugin and carries no directive of its own.
func requireRead(ctx context.Context) error {
	return auth.Require(ctx, auth.ScopeRead)
}

// entityCustomerID is the Apptivo customer id in a representation, and
// whether it can be one.
func entityCustomerID(id *string) (string, bool) {
	v, err := customerID("id", deref(id))
	return v, err == nil
}

// entityListID is the Cordial list id in a representation, and whether
// it can be one.
func entityListID(id *string) (int64, bool) {
	s := strings.TrimSpace(deref(id))
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

// personEntityKeys turns Person representations into loader keys, id
// first and then email as the @key order and Ortto's own precedence have
// it. at[i] is the index in keys of representation i, or -1 when it
// names nobody. The key is read from the fields rather than MatchedKey:
// with omit_slice_element_pointers gqlgen v0.17.98 sets MatchedKey on a
// copy of each element of a multi batch, so the resolver sees it empty.
func personEntityKeys(reps []model.PersonRepresentation) (keys []ortto.PersonRef, at []int) {
	at = make([]int, len(reps))
	for i, rep := range reps {
		var ref ortto.PersonRef
		switch {
		case strings.TrimSpace(deref(rep.ID)) != "":
			ref.PersonID = deref(rep.ID)
		case strings.TrimSpace(deref(rep.Email)) != "":
			ref.Email = deref(rep.Email)
		default:
			at[i] = -1
			continue
		}
		at[i] = len(keys)
		keys = append(keys, ref.Canonical())
	}
	return keys, at
}

// personEntities places the loader's results at their representations:
// null where Ortto knows no such person or the representation names
// nobody. A failed lookup is reported against its own representation
// only (graphql.BatchErrorList), so the others keep their data.
func personEntities(n int, at []int, found []*ortto.Person, err error) ([]*model.Person, error) {
	var perKey dataloadgen.ErrorSlice
	if err != nil && !errors.As(err, &perKey) {
		return nil, err
	}
	out := make([]*model.Person, n)
	var errs graphql.BatchErrorList
	for i, k := range at {
		if k < 0 {
			continue
		}
		if k < len(perKey) && perKey[k] != nil {
			if errs == nil {
				errs = make(graphql.BatchErrorList, n)
			}
			errs[i] = perKey[k]
			continue
		}
		if k < len(found) {
			out[i] = toPerson(found[k])
		}
	}
	if errs != nil {
		return out, errs
	}
	return out, nil
}
