// Package resolvers holds Switchyard's GraphQL resolvers and, beside them
// as in gqlgen's dataloader example, the per-request loaders they read
// through. They stay thin: check the input the schema cannot express, call
// a loader or a vendor client, and map the vendor's types to graph/model
// (one *_map.go file per vendor). They return errors; the error presenter
// in internal/errcode turns them into GraphQL errors.
package resolvers

import (
	"context"

	"github.com/switchyard/switchyard/graph/model"
	"github.com/switchyard/switchyard/internal/outbound"
	"github.com/switchyard/switchyard/vendors/appdirect"
	"github.com/switchyard/switchyard/vendors/apptivo"
	"github.com/switchyard/switchyard/vendors/cordial"
	"github.com/switchyard/switchyard/vendors/ortto"
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

// Clients are the vendor clients of this deployment. A nil client is a
// vendor without credentials: its fields fail with VENDOR_NOT_CONFIGURED.
// The accessors below are the one place that decides it; resolvers and
// loaders reach a vendor only through them.
type Clients struct {
	Ortto     *ortto.Client
	Apptivo   *apptivo.Client
	AppDirect *appdirect.Client
	Cordial   *cordial.Client
}

func (c *Clients) ortto() (*ortto.Client, error)         { return need(c.Ortto, ortto.Name) }
func (c *Clients) apptivo() (*apptivo.Client, error)     { return need(c.Apptivo, apptivo.Name) }
func (c *Clients) appDirect() (*appdirect.Client, error) { return need(c.AppDirect, appdirect.Name) }
func (c *Clients) cordial() (*cordial.Client, error)     { return need(c.Cordial, cordial.Name) }

// need returns client, or VENDOR_NOT_CONFIGURED for vendor when it is nil.
func need[C any](client *C, vendor string) (*C, error) {
	if client == nil {
		return nil, &outbound.Error{Vendor: vendor, Kind: outbound.KindNotConfigured, Message: "vendor is not configured in this deployment"}
	}
	return client, nil
}
