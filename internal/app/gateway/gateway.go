// Package gateway assembles Switchyard's HTTP handler: the GraphQL
// executor with its error presenter, the per-request loaders, and the
// routes. server.go and the end-to-end tests build it the same way, so the
// tests exercise exactly what runs in production.
package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/switchyard/switchyard/graph/generated"
	"github.com/switchyard/switchyard/graph/model"
	"github.com/switchyard/switchyard/internal/app/config"
	"github.com/switchyard/switchyard/internal/app/serve"
	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/internal/base/vendorkit"
	"github.com/switchyard/switchyard/internal/policy/auth"
	"github.com/switchyard/switchyard/internal/policy/cachecontrol"
	"github.com/switchyard/switchyard/internal/policy/costplan"
	"github.com/switchyard/switchyard/internal/policy/crossorigin"
	"github.com/switchyard/switchyard/internal/policy/errcode"
	"github.com/switchyard/switchyard/internal/policy/graphiql"
	"github.com/switchyard/switchyard/internal/policy/graphqlhttp"
	"github.com/switchyard/switchyard/internal/policy/idempotency"
	"github.com/switchyard/switchyard/internal/policy/logging"
	"github.com/switchyard/switchyard/internal/policy/persisted"
	"github.com/switchyard/switchyard/internal/policy/querylimits"
	"github.com/switchyard/switchyard/internal/policy/sharedstate"
	"github.com/switchyard/switchyard/internal/policy/telemetry"
	"github.com/switchyard/switchyard/resolvers"
)

// Version is reported by the gateway field and /healthz.
var Version = "dev"

// Options are what New needs besides the configuration.
type Options struct {
	// APQCache holds automatic persisted queries (sharedstate.Stores.APQ); nil
	// keeps them in this process.
	APQCache graphql.Cache[string]
	// Idempotency holds idempotency keys (sharedstate.Stores.Idempotency); nil
	// keeps them in this process, in a store Close closes.
	Idempotency idempotency.Store
	// Manifest lists operations known ahead, servable by id; with
	// PersistedOnly nothing else runs (safelist mode).
	Manifest      *persisted.Manifest
	PersistedOnly bool
	// CacheStore holds cached vendor reads (sharedstate.Stores.Cache); nil
	// keeps them in this process. Unused when cfg.Cache.Enabled is false.
	CacheStore outbound.CacheStore
	// Generations are the vendors' write generations shared by replicas
	// (sharedstate.Stores.Generations), fencing reads by every replica's
	// writes on chains that do not cache; nil fences them by this
	// replica's writes only.
	Generations outbound.Generations
	// Stores are the shared stores, for /readyz (their health and
	// durability); nil reports the in-memory stores.
	Stores *sharedstate.Stores
	// RateLimiter is the vendors' rate budget shared by replicas
	// (sharedstate.Stores.RateLimiter); nil leaves each replica its share.
	RateLimiter outbound.SharedLimiter
	// Telemetry records metrics and traces; nil observes nothing.
	Telemetry *telemetry.Telemetry
	// Auth authenticates /query; nil serves it open (every caller holds
	// every scope), as the sandbox does.
	Auth *auth.Authenticator
	// Simulated marks vendors served by the built-in simulators.
	Simulated bool
	Logger    *slog.Logger
}

// Gateway is the assembled handler plus what /readyz reports.
type Gateway struct {
	handler          http.Handler
	chains           map[string]*outbound.Chain
	resolver         *resolvers.Resolver
	schema           graphql.ExecutableSchema
	closeIdempotency func() error // closes the in-process store New made, if any
	closeCache       func() error // likewise for the read cache
	sdlOnce          sync.Once
	sdl              string
	introspection    bool // /schema.graphql follows the introspection rule
	stores           *sharedstate.Stores
	cacheOn          map[string]bool
	reload           reloader // the keys file and the manifest, re-read without a restart
	draining         atomic.Bool
	admin            http.Handler
}

// Drain makes /readyz answer 503 from now on, so that load balancers and
// Kubernetes stop routing new requests here while the replica still
// serves what reaches it (server.go calls it on SIGTERM, before the
// listener closes). It cannot be undone: a draining process only exits.
func (g *Gateway) Drain() { g.draining.Store(true) }

// New builds the vendor clients named in cfg and the HTTP handler.
func New(cfg *config.Config, opts Options) (*Gateway, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	g := &Gateway{chains: map[string]*outbound.Chain{}, introspection: cfg.Introspection, stores: opts.Stores, cacheOn: map[string]bool{}}
	if cfg.Cache.Enabled && opts.CacheStore == nil {
		mem := outbound.NewMemoryCacheStore(cfg.Cache.MaxBytes)
		opts.CacheStore, g.closeCache = mem, mem.Close
	}
	var examples []vendorkit.Example
	for _, m := range cfg.Modules {
		v := m.Name()
		examples = append(examples, m.Examples...)
		chainOpts := cfg.ChainOptions(v)
		if cfg.Cache.On(v) {
			chainOpts.Cache.Store = opts.CacheStore
			g.cacheOn[v] = true
		}
		chainOpts.Generations = opts.Generations
		// The chain reads its vendor's replies as the vendor's client does.
		chainOpts.Descriptor = m.Vendor
		chainOpts.Logger = opts.Logger
		chainOpts.Observer = opts.Telemetry
		chainOpts.Shared = opts.RateLimiter
		chainOpts.TracerProvider = opts.Telemetry.TracerProvider()
		chainOpts.Propagator = opts.Telemetry.Propagator()
		g.chains[v] = outbound.NewChain(chainOpts)
		if err := opts.Telemetry.ObserveChain(v, g.chains[v]); err != nil {
			return nil, err
		}
	}
	r, err := newResolver(cfg, opts, g.chains)
	if err != nil {
		return nil, err
	}
	g.resolver = r
	es := generated.NewExecutableSchema(generated.Config{Resolvers: r, Directives: generated.DirectiveRoot{HasScope: hasScope}})
	// Every vendor states the cost of its fields; a field that may call a
	// vendor without a cost stops the start.
	byVendor := map[string]map[string]vendorkit.Cost{}
	for _, m := range cfg.Modules {
		byVendor[m.Name()] = cfg.VendorConfig[m.Name()].Costs()
	}
	costs, err := querylimits.NewCosts(es.Schema(), byVendor)
	if err != nil {
		return nil, err
	}
	g.schema = costs.Schema(es)

	srv := handler.New(g.schema)
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	// Before POST, which would otherwise take every application/json POST:
	// the guard hands a request to it only when the client accepts
	// multipart/mixed (incremental delivery of @defer).
	srv.AddTransport(transport.MultipartMixed{})
	srv.AddTransport(transport.POST{})
	apq := opts.APQCache
	if apq == nil {
		apq = lru.New[string](sharedstate.DefaultAPQEntries)
	}
	pq, err := persisted.New(persisted.Options{Cache: apq, Manifest: opts.Manifest, Only: opts.PersistedOnly})
	if err != nil {
		return nil, err
	}
	// First among the extensions: it fills in the text of a query sent by
	// hash, which the others read.
	pq.Install(srv)
	g.reload.persisted, g.reload.manifestPath = pq, cfg.Persisted.ManifestPath
	if cfg.Persisted.ManifestPath != "" {
		g.reload.remember(cfg.Persisted.ManifestPath)
	}
	if cfg.Introspection {
		srv.Use(extension.Introspection{})
	} else {
		// Refused with its own code before anything runs, and no "Did you
		// mean" in validation errors, which would spell the schema out
		// one field at a time.
		srv.Use(querylimits.NoIntrospection(opts.Logger))
		srv.SetDisableSuggestion(true)
	}
	// Also sets the parsed-document cache, bounded by bytes, which keeps
	// only documents every limit accepted.
	querylimits.Install(srv, cfg.QueryLimits, costs)
	srv.Use(logging.Operation{})
	srv.Use(opts.Telemetry.Extension())
	// After the limits, logging and telemetry: a planned operation is
	// still limited, logged and counted, but not run.
	srv.Use(costplan.Extension(costs))
	if cfg.Introspection {
		srv.SetErrorPresenter(errcode.Presenter)
	} else {
		srv.SetErrorPresenter(withoutSuggestions(errcode.Presenter))
	}
	srv.AroundFields(errcode.FieldMiddleware)
	srv.AroundFields(readInMutations)
	// extensions.stale: the fields served from the cache while their
	// vendor failed.
	srv.AroundFields(cachecontrol.Fields)
	srv.AroundResponses(cachecontrol.Responses)
	// A deferred field is left out of the initial payload, as the
	// incremental delivery proposal says, rather than sent as null.
	srv.Use(&graphqlhttp.OmitDeferred{})
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		opts.Logger.ErrorContext(ctx, "resolver panicked", "panic", fmt.Sprint(p))
		return &gqlerror.Error{Message: "internal error", Extensions: map[string]any{"code": errcode.InternalServerError}}
	})

	if opts.Auth == nil {
		if opts.Auth, err = auth.New(auth.Config{}); err != nil {
			return nil, err
		}
	}
	g.reload.auth, g.reload.logger = opts.Auth, opts.Logger
	if path := opts.Auth.KeysFile(); path != "" {
		g.reload.remember(path)
	}
	idem := opts.Idempotency
	if idem == nil {
		mem := idempotency.NewMemoryStore(idempotency.MemoryOptions{})
		idem, g.closeIdempotency = mem, mem.Close
	}
	idempotent := func(next http.Handler) http.Handler {
		return idempotency.Middleware(idempotency.Options{
			Store:  idem,
			Scope:  clientIdentity,
			Logger: opts.Logger,
			// The lease: a retry after it is told the outcome is unknown.
			PendingTTL:    cfg.IdempotencyLease,
			PendingMargin: cfg.IdempotencyLeaseMargin,
			// A mutation sent by hash is fingerprinted by its text, so its
			// retry is recognised on any replica.
			PersistedQuery: pq.Lookup,
			// A mutation refused before anything happened may be retried
			// with the same key; one whose outcome is unknown (a timeout)
			// may not.
			Retryable: idempotency.FailedWith(errcode.VendorRateLimited, errcode.VendorNotConfigured, persisted.CodeNotFound, persisted.CodeNotAllowed),
		}, next)
	}

	mux := http.NewServeMux()
	// /query's middleware in the order a request meets them.
	mux.Handle("/query", inOrder(srv,
		// CORS first, so preflights are answered before authentication
		// and error replies carry CORS headers.
		func(h http.Handler) http.Handler { return crossorigin.CORS(cfg.Browser, h) },
		// Cache-Control, ETag and 304 for GET and persisted-query requests;
		// before authentication, which drops the Authorization header.
		cachecontrol.HTTPWithMaxAge(cfg.Cache.HTTPMaxAge()),
		// Authentication before the body is read, so an unauthenticated
		// body never is.
		opts.Auth.Middleware,
		// A connection that has carried an authenticated request gets
		// the server's full deadlines; others keep the short ones.
		trustAuthenticated,
		// GraphQL-over-HTTP: methods, media types, body size, Accept.
		graphqlhttp.GuardWith(graphqlhttp.Options{MaxTokens: cfg.QueryLimits.MaxTokens}),
		// CSRF after the guard, so a text/plain POST still gets its 415.
		func(h http.Handler) http.Handler { return crossorigin.CSRF(cfg.Browser, h) },
		withDeadline(cfg.RequestTimeout),
		// X-Switchyard-Cost and -Plan; before idempotency, so that a plan
		// is never stored or replayed as an operation's outcome.
		costplan.Middleware,
		// The request's outbound hooks: vendor calls queue per client at
		// the vendors' limits, so one client's large operation cannot
		// hold a vendor for the others, and are recorded in its ledger.
		withOutboundHooks,
		idempotent,
		r.Loaders,
	))
	if cfg.GraphiQL {
		playground := graphiql.Handler(graphiql.Options{Endpoint: "/query", DefaultQuery: DefaultQuery, Tabs: graphiql.Examples(examples...)})
		mux.Handle("GET /{$}", playground)
		mux.Handle("GET "+graphiql.AssetPath, playground)
	}
	// CORS too: codegen tools read the SDL from pages on other origins
	// (a front end's dev server, GraphQL Code Generator's playground).
	// Every method reaches it, so that a preflight is answered; serveSDL
	// refuses what is not a GET.
	mux.Handle("/schema.graphql", crossorigin.CORS(cfg.Browser, http.HandlerFunc(g.serveSDL)))
	health := func(w http.ResponseWriter, _ *http.Request) {
		// The goroutine count lets a load run check that the gateway
		// returns to its baseline once traffic stops.
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "version": Version, "goroutines": runtime.NumGoroutine()})
	}
	mux.HandleFunc("GET /healthz", health)
	// The admin listener (SWITCHYARD_ADMIN_ADDR) serves the probes, the
	// metrics and the profiler, so that no flood of the public port can
	// starve them. With it, /readyz and /metrics leave the public port;
	// without it, a production gateway asks a token for them there, as
	// they describe the deployment to whoever asks.
	admin := http.NewServeMux()
	admin.HandleFunc("GET /healthz", health)
	admin.HandleFunc("GET /readyz", g.readyz)
	// net/http/pprof registers itself on the default mux, which it is in
	// a build with -tags pprof only (pprof.go); elsewhere this is a 404.
	admin.Handle("/debug/pprof/", http.DefaultServeMux)
	ops := map[string]http.Handler{"GET /readyz": http.HandlerFunc(g.readyz)}
	if opts.Telemetry != nil {
		admin.Handle("GET /metrics", opts.Telemetry.MetricsHandler())
		ops["GET /metrics"] = opts.Telemetry.MetricsHandler()
	}
	if cfg.Server.AdminAddr == "" {
		for pattern, h := range ops {
			if cfg.Production {
				h = opts.Auth.Middleware(h)
			}
			mux.Handle(pattern, h)
		}
	}
	g.admin = admin
	g.handler = inOrder(mux,
		logging.RequestID,
		opts.Telemetry.Middleware,
		func(h http.Handler) http.Handler { return logging.AccessLog(opts.Logger, h) },
	)
	return g, nil
}

// inOrder wraps h in middleware so that a request meets them in the order
// listed: the first is the outermost.
func inOrder(h http.Handler, middleware ...func(http.Handler) http.Handler) http.Handler {
	for i := len(middleware) - 1; i >= 0; i-- {
		h = middleware[i](h)
	}
	return h
}

// Close releases what the gateway holds between requests.
func (g *Gateway) Close() error {
	for _, c := range g.chains {
		c.CloseIdleConnections()
	}
	if g.closeCache != nil {
		_ = g.closeCache()
	}
	if g.closeIdempotency != nil {
		return g.closeIdempotency()
	}
	return nil
}

// clientIdentity scopes idempotency keys to the authenticated client, so
// one client's key can never replay another's response.
func clientIdentity(r *http.Request) string {
	if p, ok := auth.FromContext(r.Context()); ok {
		return p.Identity()
	}
	return ""
}

// trustAuthenticated lifts the short deadlines of an untrusted connection
// (serve.Trust) once its request has a principal; an OPTIONS preflight,
// which auth lets through without one, does not.
func trustAuthenticated(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := auth.FromContext(r.Context()); ok {
			serve.Trust(r.Context())
		}
		next.ServeHTTP(w, r)
	})
}

// withOutboundHooks gives the request its outbound.Hooks, the one place
// they are made: the authenticated client, for the vendor chains' fair
// queueing, and the request's one ledger of vendor calls, which the
// budget (querylimits) and the cost report (costplan) read.
func withOutboundHooks(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := outbound.Hooks{Client: clientIdentity(r), Ledger: &outbound.Calls{}}
		next.ServeHTTP(w, r.WithContext(outbound.WithHooks(r.Context(), h)))
	})
}

// withoutSuggestions cuts "Did you mean ..." from every error message:
// gqlgen's SetDisableSuggestion covers unknown fields only, and the
// validator also suggests argument names, type names, input fields and
// enum values, which would spell the schema out with introspection off.
func withoutSuggestions(present graphql.ErrorPresenterFunc) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		e := present(ctx, err)
		if i := strings.Index(e.Message, " Did you mean"); i >= 0 {
			e.Message = e.Message[:i]
		}
		return e
	}
}

// Admin serves the admin listener's routes: /healthz, /readyz, /metrics
// and, in a build with -tags pprof, /debug/pprof/.
func (g *Gateway) Admin() http.Handler { return g.admin }

// ServeHTTP serves every route.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) { g.handler.ServeHTTP(w, r) }

func newResolver(cfg *config.Config, opts Options, chains map[string]*outbound.Chain) (*resolvers.Resolver, error) {
	hcs := map[string]*http.Client{}
	for v, c := range chains {
		hcs[v] = c.Client()
	}
	clients, err := buildClients(cfg, hcs)
	if err != nil {
		return nil, err
	}
	r := &resolvers.Resolver{
		Clients: clients,
		Info:    model.GatewayInfo{Version: Version, Sandbox: cfg.Sandbox},
	}
	if cfg.Cache.Enabled {
		r.InvalidateVendorCache = func(ctx context.Context, vendor string) (bool, error) {
			if !cfg.Cache.On(vendor) {
				return false, nil
			}
			return true, chains[vendor].InvalidateCache(ctx)
		}
	}
	for _, m := range cfg.Modules {
		v := m.Name()
		r.Info.Vendors = append(r.Info.Vendors, model.VendorInfo{Name: v, Configured: cfg.Configured(v), Simulated: opts.Simulated && cfg.Configured(v)})
	}
	return r, nil
}

// readyz answers 200 with status "ready", or "degraded" with the
// reasons when the gateway serves but not fully (shared state
// unreachable or not durable, a cache owing an invalidation): every
// replica shares the same Redis and vendors, so taking a degraded replica
// out of a load balancer would only move its traffic to replicas in the
// same state (README, Readiness).
func (g *Gateway) readyz(w http.ResponseWriter, r *http.Request) {
	type vendor struct {
		Configured bool   `json:"configured"`
		Simulated  bool   `json:"simulated"`
		Breaker    string `json:"breaker"`
		RateLimit  string `json:"rate_limit"`
		// Cache is "ok", "off", or "owes-invalidation" (see
		// outbound.Chain.CacheDegraded).
		Cache string `json:"cache"`
	}
	body := struct {
		Status      string             `json:"status"`
		Degraded    []string           `json:"degraded,omitempty"`
		Sandbox     bool               `json:"sandbox"`
		SharedState sharedstate.Health `json:"shared_state"`
		Vendors     map[string]vendor  `json:"vendors"`
	}{Status: "ready", Sandbox: g.resolver.Info.Sandbox, Vendors: map[string]vendor{}}
	body.SharedState = g.stores.Health(r.Context())
	body.Degraded = append(body.Degraded, body.SharedState.Degraded...)
	for _, v := range g.resolver.Info.Vendors {
		c := g.chains[v.Name]
		cache := "off"
		switch {
		case c.CacheDegraded():
			cache = "owes-invalidation"
			body.Degraded = append(body.Degraded, v.Name+": a write's cache invalidation did not reach the shared store; other replicas may serve entries older than it until their TTL")
		case g.cacheOn[v.Name]:
			cache = "ok"
		}
		body.Vendors[v.Name] = vendor{Configured: v.Configured, Simulated: v.Simulated, Breaker: c.BreakerState(), RateLimit: c.RateLimitMode(), Cache: cache}
	}
	if len(body.Degraded) > 0 {
		body.Status = "degraded"
	}
	status := http.StatusOK
	if g.draining.Load() {
		body.Status, status = "draining", http.StatusServiceUnavailable
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// withDeadline gives every request an overall deadline, carried by its
// context to every vendor call: a vendor still busy when it passes fails
// with VENDOR_TIMEOUT, and the response goes out with what is done.
func withDeadline(d time.Duration) func(http.Handler) http.Handler {
	if d <= 0 {
		d = config.DefaultRequestTimeout
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// readInMutations holds a mutation's answer to the read scope: a field
// below a root mutation field shows vendor data (the record a create or
// update returns, with its nested values), so it needs read, as the same
// field does in a query; a record's id and a payload's own fields (types
// named ...Payload: success, dryRun, counts) are the mutation's outcome
// and need only the scope of the mutation itself. Without it a write-only
// key read any customer by updating it with no change.
func readInMutations(ctx context.Context, next graphql.Resolver) (any, error) {
	oc := graphql.GetOperationContext(ctx)
	fc := graphql.GetFieldContext(ctx)
	if oc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Mutation || fc == nil || fc.Field.Field == nil ||
		fc.Object == "Mutation" || fc.Field.Name == "id" || strings.HasSuffix(fc.Object, "Payload") {
		return next(ctx)
	}
	if err := auth.Require(ctx, auth.ScopeRead); err != nil {
		return nil, err
	}
	return next(ctx)
}

// hasScope implements @hasScope: the field runs only when the caller's
// principal holds the scope, so a vendor is never called for a client
// that may not use the field.
func hasScope(ctx context.Context, _ any, next graphql.Resolver, scope model.Scope) (any, error) {
	s, ok := auth.ParseScope(string(scope))
	if !ok {
		return nil, fmt.Errorf("unknown scope %q", scope)
	}
	if err := auth.Require(ctx, s); err != nil {
		return nil, err
	}
	return next(ctx)
}
