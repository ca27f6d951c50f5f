// Package resolvers holds Switchyard's GraphQL resolvers. They stay thin:
// check the input the schema cannot express, call a loader or a vendor
// client, and map the vendor's types to graph/model (one *_map.go file per
// vendor). They return errors; the error presenter in internal/errcode
// turns them into GraphQL errors.
package resolvers

import (
	"context"

	"github.com/switchyard/switchyard/graph/model"
	"github.com/switchyard/switchyard/internal/loaders"
	"github.com/switchyard/switchyard/vendors/appdirect"
	"github.com/switchyard/switchyard/vendors/apptivo"
	"github.com/switchyard/switchyard/vendors/cordial"
	"github.com/switchyard/switchyard/vendors/ortto"
)

// Resolver is the root resolver: hand-owned dependency injection of the
// concrete vendor clients. A nil client is a vendor that is not
// configured; its fields fail with VENDOR_NOT_CONFIGURED.
type Resolver struct {
	Ortto     *ortto.Client
	Apptivo   *apptivo.Client
	AppDirect *appdirect.Client
	Cordial   *cordial.Client

	// LoaderOptions tune the per-request loaders.
	LoaderOptions loaders.Options
	// Info is what the `gateway` field reports.
	Info model.GatewayInfo
}

// Clients returns the vendor clients as the loaders want them.
func (r *Resolver) Clients() loaders.Clients {
	return loaders.Clients{Ortto: r.Ortto, Apptivo: r.Apptivo, AppDirect: r.AppDirect, Cordial: r.Cordial}
}

// loaders returns the request's loaders, or a fresh set when the request
// did not go through loaders.Middleware (a direct executor call).
func (r *Resolver) loaders(ctx context.Context) *loaders.Loaders {
	if l := loaders.For(ctx); l != nil {
		return l
	}
	return loaders.New(r.Clients(), r.LoaderOptions)
}

// configured returns c, or VENDOR_NOT_CONFIGURED when the vendor has no
// client in this deployment.
func configured[C any](c *C, vendor string) (*C, error) {
	if c == nil {
		return nil, loaders.NotConfigured(vendor)
	}
	return c, nil
}
