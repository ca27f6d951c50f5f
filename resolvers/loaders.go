package resolvers

// The per-request loaders: every key a response needs from a vendor is
// fetched once per request, batched where the vendor has a batch endpoint
// (Ortto person/subscriptions) and run concurrently with a per-vendor
// bound where it has not. Loaders are made fresh for each request by
// (*Resolver).Loaders and read back by the resolvers, as in gqlgen's
// dataloader example; nothing is cached across requests.

import (
	"context"
	"net/http"
	"time"

	"github.com/vikstrous/dataloadgen"
	"golang.org/x/sync/errgroup"

	"github.com/switchyard/switchyard/vendors/appdirect"
	"github.com/switchyard/switchyard/vendors/apptivo"
	"github.com/switchyard/switchyard/vendors/cordial"
	"github.com/switchyard/switchyard/vendors/ortto"
)

// LoaderOptions tune batching and concurrency.
type LoaderOptions struct {
	// PersonBatchSize is the most people per Ortto call; 0 means the
	// client's own (ORTTO_BATCH_SIZE, at most Ortto's cap of 100).
	PersonBatchSize int
	// Concurrency bounds the calls one request runs at once against a vendor
	// that has no batch endpoint.
	Concurrency int
	// Wait is how long a loader collects keys before it calls the vendor.
	Wait time.Duration
}

func (o LoaderOptions) withDefaults() LoaderOptions {
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

// pageKey names one page of Apptivo customers.
type pageKey struct {
	Start, Count int
	Search       string       // free text: getAllBySearchText
	Sort         apptivo.Sort // zero: Apptivo's order
}

// loaders is one request's set of loaders.
type loaders struct {
	// Person is keyed by the canonical ref (ortto.PersonRef.Canonical).
	Person *dataloadgen.Loader[ortto.PersonRef, *ortto.Person]
	// CustomersByEmail is keyed by the lower-cased email.
	CustomersByEmail *dataloadgen.Loader[string, []apptivo.Customer]
	// CustomerPage is keyed by offset and size, so that the same page
	// asked for under two aliases costs one Apptivo call.
	CustomerPage *dataloadgen.Loader[pageKey, *apptivo.Page]
	// Company is keyed by AppDirect company UUID.
	Company *dataloadgen.Loader[string, *appdirect.Company]
	// ListCount is keyed by Cordial list id.
	ListCount *dataloadgen.Loader[int64, *cordial.ListCount]
}

// newLoaders returns a fresh set of loaders over c.
func newLoaders(c *Clients, opts LoaderOptions) *loaders {
	if o, err := c.ortto(); err == nil && opts.PersonBatchSize <= 0 {
		opts.PersonBatchSize = o.BatchSize() // one loader batch, one Ortto call
	}
	opts = opts.withDefaults()
	wait := dataloadgen.WithWait(opts.Wait)
	l := &loaders{}
	l.Person = dataloadgen.NewLoader(func(ctx context.Context, refs []ortto.PersonRef) ([]*ortto.Person, []error) {
		o, err := c.ortto()
		if err != nil {
			return nil, []error{err}
		}
		people, err := o.Subscriptions(ctx, refs)
		if err != nil {
			return nil, []error{err}
		}
		return people, nil
	}, wait, dataloadgen.WithBatchCapacity(opts.PersonBatchSize))
	l.CustomersByEmail = dataloadgen.NewLoader(eachKey(opts.Concurrency, func(ctx context.Context, email string) ([]apptivo.Customer, error) {
		a, err := c.apptivo()
		if err != nil {
			return nil, err
		}
		page, err := a.SearchCustomers(ctx, apptivo.SearchQuery{Email: email}, 0, apptivo.MaxPageSize)
		if err != nil {
			return nil, err
		}
		return page.Customers, nil
	}), wait)
	l.CustomerPage = dataloadgen.NewLoader(eachKey(opts.Concurrency, func(ctx context.Context, k pageKey) (*apptivo.Page, error) {
		a, err := c.apptivo()
		if err != nil {
			return nil, err
		}
		opts := apptivo.ListOptions{SearchText: k.Search}
		if k.Sort.Column != "" {
			sort := k.Sort
			opts.Sort = &sort
		}
		return a.ListCustomersBy(ctx, opts, k.Start, k.Count)
	}), wait)
	l.Company = dataloadgen.NewLoader(eachKey(opts.Concurrency, func(ctx context.Context, id string) (*appdirect.Company, error) {
		ad, err := c.appDirect()
		if err != nil {
			return nil, err
		}
		return ad.GetCompany(ctx, id)
	}), wait)
	l.ListCount = dataloadgen.NewLoader(eachKey(opts.Concurrency, func(ctx context.Context, id int64) (*cordial.ListCount, error) {
		cd, err := c.cordial()
		if err != nil {
			return nil, err
		}
		return cd.CountList(ctx, id)
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

type ctxKey struct{}

// Loaders is the middleware that puts a fresh set of loaders into each
// request's context.
func (r *Resolver) Loaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		ctx := context.WithValue(req.Context(), ctxKey{}, newLoaders(&r.Clients, r.LoaderOptions))
		next.ServeHTTP(w, req.WithContext(ctx))
	})
}

// loaders returns the request's loaders, or a fresh set when the request
// did not go through the Loaders middleware (a direct executor call).
func (r *Resolver) loaders(ctx context.Context) *loaders {
	if l, ok := ctx.Value(ctxKey{}).(*loaders); ok {
		return l
	}
	return newLoaders(&r.Clients, r.LoaderOptions)
}
