// Package config reads the whole of Switchyard's configuration from the
// environment in one call, Load, and decides between the sandbox and real
// vendors. Every variable is a tagged struct field (see env.go, the one
// parser): the variables of a policy (auth, shared state, persisted
// queries, query limits, CORS/CSRF) are tagged in that package's Config,
// beside the code they tune, and Load fills them all, so that every
// on/off variable accepts the same words and every bad value stops the
// start with an error naming its variable. A vendor's own variables are
// tagged in its package's Config (vendorkit.Module.Config) and read below
// its prefix for every vendor the registry lists, so this package names
// no vendor. config_test proves that every variable the README documents
// lands in Config. The rules that span sections (never mix simulated and
// real vendors, never sandbox in production) live here.
package config

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/switchyard/switchyard/internal/app/registry"
	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/internal/base/vendorkit"
	"github.com/switchyard/switchyard/internal/policy/auth"
	"github.com/switchyard/switchyard/internal/policy/crossorigin"
	"github.com/switchyard/switchyard/internal/policy/idempotency"
	"github.com/switchyard/switchyard/internal/policy/persisted"
	"github.com/switchyard/switchyard/internal/policy/querylimits"
	"github.com/switchyard/switchyard/internal/policy/sharedstate"
)

// Vendors lists every vendor of the registry by name, in its order.
var Vendors = names(registry.Modules(registry.Entries()))

func names(modules []vendorkit.Module) []string {
	out := make([]string, len(modules))
	for i, m := range modules {
		out[i] = m.Name()
	}
	return out
}

// Config is the whole gateway configuration: every variable the README
// documents ends up in one of its fields.
type Config struct {
	Port       int  `env:"PORT" min:"0" max:"65535"`
	Production bool // SWITCHYARD_ENV=production
	Sandbox    bool // decided by Load: no vendor configured, or SWITCHYARD_SANDBOX on

	// Modules are the vendors this configuration was read for (the
	// registry, or the list a test handed LoadFor), in order.
	Modules []vendorkit.Module
	// VendorConfig is each vendor's own configuration, keyed by name: its
	// package's Config, filled from its <VENDOR>_ variables.
	VendorConfig map[string]vendorkit.Config

	// RequestTimeout bounds one client request end to end (default 10s).
	RequestTimeout time.Duration `env:"SWITCHYARD_REQUEST_TIMEOUT"`
	// IdempotencyLease is the shortest lease of an idempotency key's
	// reservation: how long a retry waits for the request holding the key
	// before presuming its replica dead (idempotency.Options.PendingTTL,
	// default 1m).
	IdempotencyLease time.Duration `env:"SWITCHYARD_IDEMPOTENCY_LEASE"`
	// IdempotencyLeaseMargin is how long past the request's deadline the
	// lease lasts (idempotency.Options.PendingMargin, default 30s).
	IdempotencyLeaseMargin time.Duration `env:"SWITCHYARD_IDEMPOTENCY_LEASE_MARGIN"`
	// VendorTimeouts bound one call to each vendor (ORTTO_TIMEOUT,
	// APPTIVO_TIMEOUT, APPDIRECT_TIMEOUT, CORDIAL_TIMEOUT, default 5s).
	VendorTimeouts map[string]time.Duration
	// QueryLimits bound each operation before it runs
	// (SWITCHYARD_MAX_DEPTH, SWITCHYARD_MAX_ALIASES, SWITCHYARD_MAX_COMPLEXITY).
	QueryLimits querylimits.Config
	// Introspection is on in the sandbox, off otherwise unless
	// SWITCHYARD_INTROSPECTION is on (see switches).
	Introspection bool
	// GraphiQL serves the playground at /: on in the sandbox, off
	// otherwise unless SWITCHYARD_GRAPHIQL is on (see switches).
	GraphiQL bool
	// Browser is CORS and CSRF prevention (SWITCHYARD_CORS_ORIGINS,
	// SWITCHYARD_CSRF_PREVENTION).
	Browser crossorigin.Config

	// Limits pace each vendor's outbound chain, keyed by vendor name.
	Limits map[string]VendorLimits
	// Replicas is how many replicas share each vendor's rate limit when
	// they cannot share one budget in Redis: each keeps 1/Replicas of it
	// (default 1).
	Replicas int `env:"SWITCHYARD_REPLICAS" min:"1" max:"1024"`
	// BreakerFailures is how many consecutive failed calls to a vendor
	// open its circuit breaker (default outbound.DefaultBreakerFailures).
	BreakerFailures int `env:"SWITCHYARD_BREAKER_FAILURES" min:"1" max:"2147483647"`
	// BreakerOpen is how long an open breaker fails fast before it probes
	// the vendor again (default outbound.DefaultBreakerOpen).
	BreakerOpen time.Duration `env:"SWITCHYARD_BREAKER_OPEN"`

	// Cache is the vendor read cache (SWITCHYARD_CACHE*, <VENDOR>_CACHE_TTL).
	Cache Cache
	// NoDedup stops identical vendor reads in flight from sharing one
	// call (SWITCHYARD_DEDUP off, see switches; the zero value shares them).
	NoDedup bool

	// Auth is client authentication (SWITCHYARD_API_KEYS_FILE,
	// SWITCHYARD_JWT_*).
	Auth auth.Config
	// Stores says where shared state lives (SWITCHYARD_REDIS_URL,
	// SWITCHYARD_REDIS_PREFIX).
	Stores sharedstate.Config
	// Persisted is the persisted-query manifest and safelist
	// (SWITCHYARD_PERSISTED_MANIFEST, SWITCHYARD_PERSISTED_ONLY).
	Persisted persisted.Config
	// Server is the client-facing connection limits (internal/app/serve).
	Server Server

	// GCPercent is the garbage collector's target heap growth the process
	// runs with: DefaultGCPercent unless the environment sets GOGC, and 0
	// (leave the runtime's own reading of GOGC alone) when it does.
	GCPercent int
}

// Server holds the client-facing connection limits.
type Server struct {
	// ReadTimeout bounds reading one request, body included (default 30s).
	ReadTimeout time.Duration `env:"SWITCHYARD_READ_TIMEOUT"`
	// IdleTimeout closes a keep-alive connection without a request
	// (default 60s).
	IdleTimeout time.Duration `env:"SWITCHYARD_IDLE_TIMEOUT"`
	// MaxConnections caps open client connections (default 512).
	MaxConnections int `env:"SWITCHYARD_MAX_CONNECTIONS" min:"1" max:"2147483647"`
	// DrainDelay is how long /readyz answers 503 after SIGTERM while the
	// listener still serves, so that load balancers stop routing to the
	// replica before it refuses connections (default 5s, 0 for none).
	DrainDelay time.Duration `env:"SWITCHYARD_DRAIN_DELAY" min:"0"`
	// ShutdownTimeout bounds the wait for requests in flight once the
	// listener has closed (default 15s).
	ShutdownTimeout time.Duration `env:"SWITCHYARD_SHUTDOWN_TIMEOUT"`
	// AdminAddr, when set, is the address (host:port) of a second
	// listener for /healthz, /readyz, /metrics and the profiler, which
	// then leave the public port (all but /healthz).
	AdminAddr string `env:"SWITCHYARD_ADMIN_ADDR"`
	// ReloadInterval is how often the API keys file and the persisted
	// query manifest are checked for a change, to be read again without a
	// restart (default 10s, 0 for SIGHUP only).
	ReloadInterval time.Duration `env:"SWITCHYARD_RELOAD_INTERVAL" min:"0"`
}

// Secrets are every credential the configuration holds, for the log
// handler that scrubs them: each field tagged secret, and the password in
// the Redis URL.
func (c *Config) Secrets() []string {
	out := append(secretFields(reflect.ValueOf(c).Elem()), c.Stores.Secrets()...)
	for _, m := range c.Modules {
		out = append(out, secretFields(reflect.ValueOf(c.VendorConfig[m.Name()]).Elem())...)
	}
	return out
}

// VendorLimits are one vendor's client-side limits.
type VendorLimits struct {
	// RatePerSecond is the most requests per second sent to the vendor,
	// 0 for unlimited (<VENDOR>_RATE_LIMIT; default DefaultRateLimits).
	RatePerSecond float64 `env:"RATE_LIMIT" min:"0"`
	// MaxConcurrency bounds the requests in flight to the vendor
	// (<VENDOR>_MAX_CONCURRENCY, default outbound.DefaultMaxConcurrent).
	MaxConcurrency int `env:"MAX_CONCURRENCY" min:"1" max:"65536"`
	// RetryAttempts is the most attempts one read gets, 1 for no retries
	// (<VENDOR>_RETRY_ATTEMPTS, default outbound.DefaultRetryAttempts, at
	// most MaxRetryAttempts, which the tag restates). Mutations are never
	// retried.
	RetryAttempts int `env:"RETRY_ATTEMPTS" min:"1" max:"5"`
	// MaxReplyBytes bounds each reply of the vendor, enforced while it is
	// read (<VENDOR>_MAX_REPLY_BYTES, default
	// outbound.DefaultMaxReplyBytes, at most 64 MiB, which the tag
	// restates).
	MaxReplyBytes int64 `env:"MAX_REPLY_BYTES" min:"1024" max:"67108864"`
}

// vendorEnv is one vendor's <VENDOR>_ variables, read with the vendor's
// prefix and spread by Load over Config's per-vendor maps.
type vendorEnv struct {
	Timeout time.Duration `env:"TIMEOUT"`
	Limits  VendorLimits
	// CacheTTL is -1 unless set (0 is a value: keep the vendor out).
	CacheTTL time.Duration `env:"CACHE_TTL" min:"0"`
}

// switches are the variables whose field Load derives rather than
// fills: their meaning depends on another variable or is inverted.
type switches struct {
	Env           string `env:"SWITCHYARD_ENV"`
	Sandbox       bool   `env:"SWITCHYARD_SANDBOX"`
	Introspection *bool  `env:"SWITCHYARD_INTROSPECTION"` // nil: on in the sandbox only
	GraphiQL      *bool  `env:"SWITCHYARD_GRAPHIQL"`      // nil: on in the sandbox only
	Dedup         bool   `env:"SWITCHYARD_DEDUP"`
	// GOGC is the Go runtime's own; Load only notes whether it is set.
	GOGC string `env:"GOGC"`
}

// Defaults the gateway chooses. The outbound chain's own defaults
// (concurrency, retries, breaker) and each vendor's (rate limit, batch
// sizes, vendorkit.Module) are used as they are, not restated here.
const (
	// DefaultGCPercent is GOGC=400 for a process whose operator did not
	// choose one. The gateway's live heap is small (a few MB plus the
	// bounded caches), so at Go's default of 100 it collects every few
	// hundred requests, and each cycle scans every connection's goroutine
	// stack: under 50 concurrent connections that was a third of the
	// CPU of a pass-through request (BENCHMARKS.md, issue 12). At 400 the
	// same load costs about 30 % less CPU per request for about 25 MB
	// more resident memory; GOMEMLIMIT still caps the heap when set.
	DefaultGCPercent      = 400
	DefaultRequestTimeout = 10 * time.Second
	DefaultReadTimeout    = 30 * time.Second
	DefaultIdleTimeout    = 60 * time.Second
	// DefaultMaxConnections stays well below the usual limit of 1024 open
	// files, leaving room for vendor connections and the health reserve.
	DefaultMaxConnections = 512
	// DefaultDrainDelay covers a readiness probe every few seconds plus
	// the endpoint update reaching the load balancers; with
	// DefaultShutdownTimeout it fits Kubernetes' default 30 s
	// terminationGracePeriodSeconds.
	DefaultDrainDelay      = 5 * time.Second
	DefaultShutdownTimeout = 15 * time.Second
	// DefaultReloadInterval: a rotated key or manifest is served within
	// seconds of the file changing, for one stat per file per interval.
	DefaultReloadInterval = 10 * time.Second
	// MaxRetryAttempts keeps a configuration from turning one read into a
	// retry storm.
	MaxRetryAttempts = 5
)

// ChainOptions are the outbound chain settings for vendor: its timeout,
// limits and the breaker thresholds, so that each vendor is wired with
// one call.
func (c *Config) ChainOptions(vendor string) outbound.ChainOptions {
	l := c.Limits[vendor]
	return outbound.ChainOptions{
		Vendor:          vendor,
		Timeout:         c.VendorTimeouts[vendor],
		RatePerSecond:   l.RatePerSecond,
		Replicas:        c.Replicas,
		MaxConcurrent:   l.MaxConcurrency,
		RetryAttempts:   l.RetryAttempts,
		MaxReplyBytes:   l.MaxReplyBytes,
		BreakerFailures: c.BreakerFailures,
		BreakerOpen:     c.BreakerOpen,
		Cache:           c.Cache.cacheOptions(vendor),
		NoDedup:         c.NoDedup,
	}
}

// Configured reports whether vendor has credentials, by its own rule.
func (c *Config) Configured(vendor string) bool {
	vc, ok := c.VendorConfig[vendor]
	return ok && vc.Configured()
}

// Prefix is the prefix of vendor's variables: ORTTO_ for ortto.
func Prefix(vendor string) string { return strings.ToUpper(vendor) + "_" }

// Apply sets vendor variables over the configuration, as if the
// environment had held them: the sandbox points every vendor at its
// simulator this way. A variable no vendor reads is an error.
func (c *Config) Apply(env map[string]string) error {
	r := &envReader{getenv: func(k string) string { return env[k] }}
	for _, m := range c.Modules {
		r.read(Prefix(m.Name()), c.VendorConfig[m.Name()])
	}
	if len(r.errs) > 0 {
		return errors.New(strings.Join(r.errs, "; "))
	}
	for k := range env {
		if !slices.ContainsFunc(r.seen, func(v Variable) bool { return v.Name == k }) {
			return fmt.Errorf("%s is no vendor's variable", k)
		}
	}
	return nil
}

// Load reads the configuration of the registry's vendors through getenv
// (os.Getenv in production, a map in tests). Every bad variable is
// reported, each by name.
func Load(getenv func(string) string) (*Config, error) {
	return LoadFor(getenv, registry.Modules(registry.Entries()))
}

// LoadFor is Load for the vendors of modules.
func LoadFor(getenv func(string) string, modules []vendorkit.Module) (*Config, error) {
	c, sw, vendors, r := read(getenv, modules)
	if len(r.errs) > 0 {
		return nil, errors.New(strings.Join(r.errs, "; "))
	}
	c.Production = strings.EqualFold(sw.Env, "production")
	if sw.GOGC == "" {
		c.GCPercent = DefaultGCPercent
	}
	c.NoDedup = !sw.Dedup
	if c.Cache.MaxStale == 0 {
		// "0: never" (README). The chain reads a zero MaxStale as its
		// default hour, and a negative one as none.
		c.Cache.MaxStale = -1
	}
	for v, e := range vendors {
		c.VendorTimeouts[v] = e.Timeout
		c.Limits[v] = e.Limits
		if e.CacheTTL >= 0 {
			c.Cache.VendorTTL[v] = e.CacheTTL
		}
	}
	var partial []string
	any := false
	for _, m := range modules {
		if err := c.VendorConfig[m.Name()].Check(); err != nil {
			partial = append(partial, err.Error())
		}
		any = any || c.Configured(m.Name())
	}
	if len(partial) > 0 {
		return nil, errors.New("incomplete vendor configuration: " + strings.Join(partial, "; "))
	}
	c.Sandbox = sw.Sandbox || !any
	if c.Sandbox && c.Production {
		return nil, errors.New("SWITCHYARD_ENV=production refuses to start in sandbox mode: configure vendor credentials (see README)")
	}
	c.Introspection, c.GraphiQL = c.Sandbox, c.Sandbox
	if sw.Introspection != nil {
		c.Introspection = *sw.Introspection
	}
	if sw.GraphiQL != nil {
		c.GraphiQL = *sw.GraphiQL
	}
	var err error
	if c.Browser, err = c.Browser.Resolve(c.Sandbox, c.Production); err != nil {
		return nil, err
	}
	if err := auth.RequireProductionAuth(c.Production, c.Auth); err != nil {
		return nil, err
	}
	if err := c.Persisted.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// read fills a Config, the switches and each vendor's variables from
// getenv over their defaults, with the parser's errors and the
// variables it visited.
func read(getenv func(string) string, modules []vendorkit.Module) (*Config, *switches, map[string]*vendorEnv, *envReader) {
	c := &Config{
		Modules:                modules,
		VendorConfig:           map[string]vendorkit.Config{},
		Port:                   8080,
		RequestTimeout:         DefaultRequestTimeout,
		IdempotencyLease:       idempotency.DefaultPendingTTL,
		IdempotencyLeaseMargin: idempotency.DefaultPendingMargin,
		VendorTimeouts:         map[string]time.Duration{},
		QueryLimits:            querylimits.DefaultConfig(),
		Browser:                crossorigin.DefaultConfig(),
		Limits:                 map[string]VendorLimits{},
		Replicas:               1,
		BreakerFailures:        outbound.DefaultBreakerFailures,
		BreakerOpen:            outbound.DefaultBreakerOpen,
		Cache: Cache{Enabled: true, TTL: outbound.DefaultCacheTTL, MaxStale: outbound.DefaultCacheMaxStale,
			MaxBytes: outbound.DefaultCacheBytes, VendorTTL: map[string]time.Duration{}, OperationTTLs: map[string]map[string]time.Duration{}},
		Server: Server{ReadTimeout: DefaultReadTimeout, IdleTimeout: DefaultIdleTimeout, MaxConnections: DefaultMaxConnections,
			DrainDelay: DefaultDrainDelay, ShutdownTimeout: DefaultShutdownTimeout, ReloadInterval: DefaultReloadInterval},
	}
	sw := &switches{Dedup: true}
	r := &envReader{getenv: getenv}
	r.read("", c)
	r.read("", sw)
	vendors := map[string]*vendorEnv{}
	for _, m := range modules {
		v := m.Name()
		vc := m.Config()
		r.read(Prefix(v), vc)
		c.VendorConfig[v] = vc
		e := &vendorEnv{Timeout: outbound.DefaultTimeout, CacheTTL: -1, Limits: VendorLimits{
			RatePerSecond: m.RateLimit, MaxConcurrency: outbound.DefaultMaxConcurrent, RetryAttempts: outbound.DefaultRetryAttempts,
			MaxReplyBytes: outbound.DefaultMaxReplyBytes}}
		r.read(Prefix(v), e)
		vendors[v] = e
		if m.OperationTTLs != nil {
			c.Cache.OperationTTLs[v] = m.OperationTTLs
		}
	}
	return c, sw, vendors, r
}

// Variables lists every environment variable Load reads, per-vendor ones
// once for each vendor, with the kind of value each takes.
func Variables() []Variable {
	_, _, _, r := read(func(string) string { return "" }, registry.Modules(registry.Entries()))
	return r.seen
}

// Production reports whether getenv says SWITCHYARD_ENV=production, for
// the logger main sets up before Load has run.
func Production(getenv func(string) string) bool {
	var sw switches
	(&envReader{getenv: getenv}).read("", &sw)
	return strings.EqualFold(sw.Env, "production")
}
