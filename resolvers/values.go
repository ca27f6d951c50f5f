package resolvers

import (
	"errors"
	"strings"

	"github.com/switchyard/switchyard/internal/policy/errcode"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// deref returns *p, or "" for nil.
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// optional returns a pointer to s, or nil for "": vendors send "" where
// GraphQL clients expect null.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// optionalAt is optional without the copy: p itself, or nil when *p is "".
// For strings in a vendor reply that nothing modifies afterwards.
func optionalAt(p *string) *string {
	if *p == "" {
		return nil
	}
	return p
}

// isNotFound reports a vendor's "no such record", which single-record
// queries answer with null rather than an error.
func isNotFound(err error) bool {
	var ve *outbound.Error
	return errors.As(err, &ve) && ve.Kind == outbound.KindNotFound
}

// nonBlank checks a required identifier: the schema's String! and ID!
// accept "", which no vendor can look up.
func nonBlank(field, v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", errcode.Input(field, "must not be blank")
	}
	return v, nil
}

// isDryRun reads a destructive mutation's dryRun argument.
func isDryRun(dryRun *bool) bool { return dryRun != nil && *dryRun }

// errNotFound is the NOT_FOUND a dry run reports for a record the real
// operation would not find.
func errNotFound(vendor, what, id string) error {
	return &outbound.Error{Vendor: vendor, Operation: "dry run", Kind: outbound.KindNotFound, Message: what + " " + id + " does not exist"}
}

// fetchOne is one single-record vendor read behind a nullable field: an
// unconfigured vendor (client's error) is VENDOR_NOT_CONFIGURED, and the vendor's "not found" is null
// rather than an error.
func fetchOne[C, W, M any](client func() (*C, error), get func(*C) (*W, error), to func(*W) *M) (*M, error) {
	c, err := client()
	if err != nil {
		return nil, err
	}
	found, err := get(c)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return to(found), nil
}
