// Package loaders holds Switchyard's per-request data loaders: every key a
// response needs from a vendor is fetched once per request, batched where
// the vendor has a batch endpoint (Ortto person/subscriptions) and run
// concurrently with a per-vendor bound where it has not. Loaders are made
// fresh for each request by Middleware and read back with For, as in
// gqlgen's dataloader example; nothing is cached across requests.
package loaders

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/vikstrous/dataloadgen"
	"golang.org/x/sync/errgroup"

	"github.com/switchyard/switchyard/internal/outbound"
	"github.com/switchyard/switchyard/vendors/appdirect"
	"github.com/switchyard/switchyard/vendors/apptivo"
	"github.com/switchyard/switchyard/vendors/cordial"
	"github.com/switchyard/switchyard/vendors/ortto"
)

// Clients are the vendor clients the loaders call; a nil client is a
// vendor that is not configured.
type Clients struct {
	Ortto     *ortto.Client
	Apptivo   *apptivo.Client
	AppDirect *appdirect.Client
	Cordial   *cordial.Client
}

// Options tune batching and concurrency.
type Options struct {
	// PersonBatchSize is the most people per Ortto call (Ortto's payload
	// cap is 100 contacts).
	PersonBatchSize int
	// Concurrency bounds the calls one request runs at once against a vendor
	// that has no batch endpoint.
	Concurrency int
	// Wait is how long a loader collects keys before it calls the vendor.
	Wait time.Duration
}

func (o Options) withDefaults() Options {
	if o.PersonBatchSize <= 0 {
		o.PersonBatchSize = ortto.MaxBatch
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.Wait <= 0 {
		o.Wait = time.Millisecond
	}
	return o
}

// PageKey names one page of Apptivo customers.
type PageKey struct{ Start, Count int }

// Loaders is one request's set of loaders.
type Loaders struct {
	// Person is keyed by the normalised ref (see PersonKey).
	Person *dataloadgen.Loader[ortto.PersonRef, *ortto.Person]
	// CustomersByEmail is keyed by the lower-cased email.
	CustomersByEmail *dataloadgen.Loader[string, []apptivo.Customer]
	// CustomerPage is keyed by offset and size, so that the same page
	// asked for under two aliases costs one Apptivo call.
	CustomerPage *dataloadgen.Loader[PageKey, *apptivo.Page]
	// Company is keyed by AppDirect company UUID.
	Company *dataloadgen.Loader[string, *appdirect.Company]
	// ListCount is keyed by Cordial list id.
	ListCount *dataloadgen.Loader[int64, *cordial.ListCount]
}

// New returns a fresh set of loaders over c.
func New(c Clients, opts Options) *Loaders {
	opts = opts.withDefaults()
	wait := dataloadgen.WithWait(opts.Wait)
	l := &Loaders{}
	l.Person = dataloadgen.NewLoader(func(ctx context.Context, refs []ortto.PersonRef) ([]*ortto.Person, []error) {
		if c.Ortto == nil {
			return nil, []error{NotConfigured("ortto")}
		}
		people, err := c.Ortto.Subscriptions(ctx, refs)
		if err != nil {
			return nil, []error{err}
		}
		return people, nil
	}, wait, dataloadgen.WithBatchCapacity(opts.PersonBatchSize))
	l.CustomersByEmail = dataloadgen.NewLoader(eachKey(opts.Concurrency, func(ctx context.Context, email string) ([]apptivo.Customer, error) {
		if c.Apptivo == nil {
			return nil, NotConfigured("apptivo")
		}
		page, err := c.Apptivo.SearchCustomers(ctx, apptivo.SearchQuery{Email: email}, 0, apptivo.MaxPageSize)
		if err != nil {
			return nil, err
		}
		return page.Customers, nil
	}), wait)
	l.CustomerPage = dataloadgen.NewLoader(eachKey(opts.Concurrency, func(ctx context.Context, k PageKey) (*apptivo.Page, error) {
		if c.Apptivo == nil {
			return nil, NotConfigured("apptivo")
		}
		return c.Apptivo.ListCustomers(ctx, k.Start, k.Count)
	}), wait)
	l.Company = dataloadgen.NewLoader(eachKey(opts.Concurrency, func(ctx context.Context, id string) (*appdirect.Company, error) {
		if c.AppDirect == nil {
			return nil, NotConfigured("appdirect")
		}
		return c.AppDirect.GetCompany(ctx, id)
	}), wait)
	l.ListCount = dataloadgen.NewLoader(eachKey(opts.Concurrency, func(ctx context.Context, id int64) (*cordial.ListCount, error) {
		if c.Cordial == nil {
			return nil, NotConfigured("cordial")
		}
		return c.Cordial.CountList(ctx, id)
	}), wait)
	return l
}

// eachKey adapts a one-key fetch to a batch fetch for vendors without a
// batch endpoint: the keys run concurrently, at most limit at a time.
func eachKey[K comparable, V any](limit int, fetch func(context.Context, K) (V, error)) func(context.Context, []K) ([]V, []error) {
	return func(ctx context.Context, keys []K) ([]V, []error) {
		vals := make([]V, len(keys))
		errs := make([]error, len(keys))
		var g errgroup.Group
		g.SetLimit(limit)
		for i, k := range keys {
			g.Go(func() error {
				vals[i], errs[i] = fetch(ctx, k)
				return nil
			})
		}
		_ = g.Wait()
		return vals, errs
	}
}

// NotConfigured is the error for a vendor without credentials: its fields
// fail with VENDOR_NOT_CONFIGURED rather than silently returning nothing.
func NotConfigured(vendor string) error {
	return &outbound.Error{Vendor: vendor, Kind: outbound.KindNotConfigured, Message: "vendor is not configured in this deployment"}
}

// PersonKey normalises a ref to the one identifier Ortto will use for it
// (person_id, then email, then external_id), so that the same person asked
// for in different ways within a request is fetched once.
func PersonKey(r ortto.PersonRef) ortto.PersonRef {
	switch {
	case strings.TrimSpace(r.PersonID) != "":
		return ortto.PersonRef{PersonID: strings.TrimSpace(r.PersonID)}
	case strings.TrimSpace(r.Email) != "":
		return ortto.PersonRef{Email: strings.ToLower(strings.TrimSpace(r.Email))}
	default:
		return ortto.PersonRef{ExternalID: strings.TrimSpace(r.ExternalID)}
	}
}

type ctxKey struct{}

// Middleware puts a fresh set of loaders into each request's context.
func Middleware(c Clients, opts Options, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), ctxKey{}, New(c, opts))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// For returns the request's loaders, or nil outside a request that went
// through Middleware.
func For(ctx context.Context) *Loaders {
	l, _ := ctx.Value(ctxKey{}).(*Loaders)
	return l
}
