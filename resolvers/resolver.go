// Package resolvers holds Switchyard's GraphQL resolvers and, beside them
// as in gqlgen's dataloader example, the per-request loaders they read
// through. They stay thin: check the input the schema cannot express, call
// a loader or a vendor client, and map the vendor's types to graph/model
// (one *_map.go file per vendor). They return errors; the error presenter
// in internal/policy/errcode turns them into GraphQL errors.
package resolvers

import (
	"context"
	"fmt"

	"github.com/switchyard/switchyard/graph/model"
	"github.com/switchyard/switchyard/internal/base/outbound"
)

// Resolver is the root resolver: hand-owned dependency injection of the
// vendor clients and the loaders' tuning.
type Resolver struct {
	Clients
	// LoaderOptions tune the per-request loaders.
	LoaderOptions LoaderOptions
	// Info is what the `gateway` field reports.
	Info model.GatewayInfo
	// InvalidateVendorCache drops the cached reads of a vendor for
	// invalidateCache, reporting whether there was a cache to drop them
	// from; nil when nothing is cached.
	InvalidateVendorCache func(ctx context.Context, vendor string) (bool, error)
}

// Clients are the vendor clients of this deployment, keyed by vendor
// name, as the gateway built them from its registry. A missing client is
// a vendor without credentials: its fields fail with
// VENDOR_NOT_CONFIGURED. Each vendor's typed accessor, in its
// <vendor>_map.go, asks clientOf, the one place that decides it;
// resolvers and loaders reach a vendor only through those accessors.
type Clients struct{ byName map[string]any }

// NewClients holds the clients of byName, keyed by vendor name.
func NewClients(byName map[string]any) Clients { return Clients{byName: byName} }

// clientOf returns vendor's client as a C, or VENDOR_NOT_CONFIGURED when
// the vendor has none. A client of another type is a wiring mistake,
// reported as an internal error rather than a panic.
func clientOf[C any](c *Clients, vendor string) (C, error) {
	var zero C
	v, ok := c.byName[vendor]
	if !ok || v == nil {
		return zero, &outbound.Error{Vendor: vendor, Kind: outbound.KindNotConfigured, Message: "vendor is not configured in this deployment"}
	}
	client, ok := v.(C)
	if !ok {
		return zero, fmt.Errorf("vendor %s: client is a %T, not a %T", vendor, v, zero)
	}
	return client, nil
}

// Get is vendor's client, nil when it has none.
func (c *Clients) Get(vendor string) any { return c.byName[vendor] }
