// Package config reads the whole of Switchyard's configuration from the
// environment in one call, Load, and decides between the sandbox and real
// vendors. Each policy package parses its own section (auth, shared
// state, persisted queries, query limits, CORS/CSRF) from the getenv Load
// hands it, so a variable is read in exactly one place and its default is
// written once, beside the code it tunes; Load is the only caller, and
// config_test proves that every variable the README documents lands in
// Config. The rules that span sections (never mix simulated and real
// vendors, never sandbox in production) live here.
package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/switchyard/switchyard/internal/auth"
	"github.com/switchyard/switchyard/internal/crossorigin"
	"github.com/switchyard/switchyard/internal/graphiql"
	"github.com/switchyard/switchyard/internal/outbound"
	"github.com/switchyard/switchyard/internal/persisted"
	"github.com/switchyard/switchyard/internal/querylimits"
	"github.com/switchyard/switchyard/internal/sharedstate"
	"github.com/switchyard/switchyard/vendors/appdirect"
	"github.com/switchyard/switchyard/vendors/apptivo"
	"github.com/switchyard/switchyard/vendors/cordial"
	"github.com/switchyard/switchyard/vendors/ortto"
)

// Vendors lists every vendor by its package's Name, in a stable order.
var Vendors = []string{ortto.Name, apptivo.Name, appdirect.Name, cordial.Name}

// Config is the whole gateway configuration: every variable the README
// documents ends up in one of its fields.
type Config struct {
	Port       int
	Production bool // SWITCHYARD_ENV=production
	Sandbox    bool // decided by Load: no vendor configured, or SWITCHYARD_SANDBOX=1

	OrttoAPIKey, OrttoRegion, OrttoBaseURL   string
	ApptivoAPIKey, ApptivoAccessKey          string
	ApptivoBaseURL                           string
	AppDirectBaseURL                         string
	AppDirectClientID, AppDirectClientSecret string
	// AppDirectGraphQLPath and AppDirectPreviewGraphQLPath are the GraphQL
	// endpoints below the marketplace (APPDIRECT_GRAPHQL_PATH,
	// APPDIRECT_PREVIEW_GRAPHQL_PATH); empty means AppDirect's
	// api/graphql and api/graphql/preview.
	AppDirectGraphQLPath, AppDirectPreviewGraphQLPath string
	CordialAPIKey, CordialBaseURL                     string

	// RequestTimeout bounds one client request end to end
	// (SWITCHYARD_REQUEST_TIMEOUT, default 10s).
	RequestTimeout time.Duration
	// VendorTimeouts bound one call to each vendor (ORTTO_TIMEOUT,
	// APPTIVO_TIMEOUT, APPDIRECT_TIMEOUT, CORDIAL_TIMEOUT, default 5s).
	VendorTimeouts map[string]time.Duration
	// OrttoBatchSize is the most people per Ortto subscriptions call
	// (ORTTO_BATCH_SIZE, default and maximum 100, Ortto's payload cap).
	OrttoBatchSize int

	// QueryLimits bound each operation before it runs
	// (SWITCHYARD_MAX_DEPTH, SWITCHYARD_MAX_ALIASES, SWITCHYARD_MAX_COMPLEXITY).
	QueryLimits querylimits.Config
	// Introspection is on in the sandbox, off otherwise unless
	// SWITCHYARD_INTROSPECTION=1.
	Introspection bool
	// GraphiQL serves the playground at /: on in the sandbox, off
	// otherwise unless SWITCHYARD_GRAPHIQL=1.
	GraphiQL bool
	// Browser is CORS and CSRF prevention (SWITCHYARD_CORS_ORIGINS,
	// SWITCHYARD_CSRF_PREVENTION).
	Browser crossorigin.Config

	// Limits pace each vendor's outbound chain, keyed by vendor name.
	Limits map[string]VendorLimits
	// Replicas is how many replicas share each vendor's rate limit when
	// they cannot share one budget in Redis: each keeps 1/Replicas of it
	// (SWITCHYARD_REPLICAS, default 1).
	Replicas int
	// BreakerFailures is how many consecutive failed calls to a vendor
	// open its circuit breaker (SWITCHYARD_BREAKER_FAILURES, default 5).
	BreakerFailures int
	// BreakerOpen is how long an open breaker fails fast before it probes
	// the vendor again (SWITCHYARD_BREAKER_OPEN, default 10s).
	BreakerOpen time.Duration

	// Cache is the vendor read cache (SWITCHYARD_CACHE*, <VENDOR>_CACHE_TTL).
	Cache Cache
	// NoDedup stops identical vendor reads in flight from sharing one
	// call (SWITCHYARD_DEDUP=0; the zero value shares them).
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
	// ReadTimeout bounds reading one request, body included
	// (SWITCHYARD_READ_TIMEOUT, default 30s).
	ReadTimeout time.Duration
	// IdleTimeout closes a keep-alive connection without a request
	// (SWITCHYARD_IDLE_TIMEOUT, default 60s).
	IdleTimeout time.Duration
	// MaxConnections caps open client connections
	// (SWITCHYARD_MAX_CONNECTIONS, default 512).
	MaxConnections int
	// DrainDelay is how long /readyz answers 503 after SIGTERM while the
	// listener still serves, so that load balancers stop routing to the
	// replica before it refuses connections (SWITCHYARD_DRAIN_DELAY,
	// default 5s, 0 for none).
	DrainDelay time.Duration
	// ShutdownTimeout bounds the wait for requests in flight once the
	// listener has closed (SWITCHYARD_SHUTDOWN_TIMEOUT, default 15s).
	ShutdownTimeout time.Duration
}

// Secrets are every credential the configuration holds, for the log
// handler that scrubs them.
func (c *Config) Secrets() []string {
	return append([]string{c.OrttoAPIKey, c.ApptivoAPIKey, c.ApptivoAccessKey,
		c.AppDirectClientSecret, c.CordialAPIKey, c.Auth.JWTSecret}, c.Stores.Secrets()...)
}

// VendorLimits are one vendor's client-side limits.
type VendorLimits struct {
	// RatePerSecond is the most requests per second sent to the vendor,
	// 0 for unlimited (<VENDOR>_RATE_LIMIT; default DefaultRateLimits).
	RatePerSecond float64
	// MaxConcurrency bounds the requests in flight to the vendor
	// (<VENDOR>_MAX_CONCURRENCY, default outbound.DefaultMaxConcurrent).
	MaxConcurrency int
	// RetryAttempts is the most attempts one read gets, 1 for no retries
	// (<VENDOR>_RETRY_ATTEMPTS, default outbound.DefaultRetryAttempts, at
	// most 5). Mutations are never retried.
	RetryAttempts int
}

// DefaultRateLimits are the documented vendor rate limits, in requests per
// second. Ortto's Professional plan allows 10 (Business/Enterprise 30;
// raise ORTTO_RATE_LIMIT on those). Cordial sets its per-second limits per
// account and publishes no number; Apptivo and AppDirect document none: they
// are unlimited unless configured.
var DefaultRateLimits = map[string]float64{ortto.Name: 10}

// Defaults the gateway chooses. The outbound chain's own defaults
// (concurrency, retries, breaker) and Ortto's batch cap are used as they
// are, not restated here.
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
		BreakerFailures: c.BreakerFailures,
		BreakerOpen:     c.BreakerOpen,
		Cache:           c.Cache.cacheOptions(vendor),
		NoDedup:         c.NoDedup,
	}
}

// onOff reads a switch: 1/true/on or 0/false/off, def when unset.
func onOff(getenv func(string) string, name string, def bool) (bool, error) {
	switch v := strings.TrimSpace(getenv(name)); strings.ToLower(v) {
	case "":
		return def, nil
	case "1", "true", "on":
		return true, nil
	case "0", "false", "off":
		return false, nil
	default:
		return def, fmt.Errorf("%s must be 1 or 0, got %q", name, v)
	}
}

// Configured reports whether vendor has credentials.
func (c *Config) Configured(vendor string) bool {
	switch vendor {
	case ortto.Name:
		return c.OrttoAPIKey != ""
	case apptivo.Name:
		return c.ApptivoAPIKey != "" && c.ApptivoAccessKey != ""
	case appdirect.Name:
		return c.AppDirectBaseURL != "" && c.AppDirectClientID != "" && c.AppDirectClientSecret != ""
	case cordial.Name:
		return c.CordialAPIKey != ""
	}
	return false
}

// Load reads the configuration through getenv (os.Getenv in production,
// a map in tests).
func Load(getenv func(string) string) (*Config, error) {
	c := &Config{
		Port:                        8080,
		Production:                  strings.EqualFold(getenv("SWITCHYARD_ENV"), "production"),
		OrttoAPIKey:                 getenv("ORTTO_API_KEY"),
		OrttoRegion:                 getenv("ORTTO_REGION"),
		OrttoBaseURL:                getenv("ORTTO_BASE_URL"),
		ApptivoAPIKey:               getenv("APPTIVO_API_KEY"),
		ApptivoAccessKey:            getenv("APPTIVO_ACCESS_KEY"),
		ApptivoBaseURL:              getenv("APPTIVO_BASE_URL"),
		AppDirectBaseURL:            getenv("APPDIRECT_BASE_URL"),
		AppDirectClientID:           getenv("APPDIRECT_CLIENT_ID"),
		AppDirectClientSecret:       getenv("APPDIRECT_CLIENT_SECRET"),
		AppDirectGraphQLPath:        getenv("APPDIRECT_GRAPHQL_PATH"),
		AppDirectPreviewGraphQLPath: getenv("APPDIRECT_PREVIEW_GRAPHQL_PATH"),
		CordialAPIKey:               getenv("CORDIAL_API_KEY"),
		CordialBaseURL:              getenv("CORDIAL_BASE_URL"),
	}
	if getenv("GOGC") == "" {
		c.GCPercent = DefaultGCPercent
	}
	var errs []string
	var err error
	if c.RequestTimeout, err = duration(getenv, "SWITCHYARD_REQUEST_TIMEOUT", DefaultRequestTimeout); err != nil {
		errs = append(errs, err.Error())
	}
	if c.Server.ReadTimeout, err = duration(getenv, "SWITCHYARD_READ_TIMEOUT", DefaultReadTimeout); err != nil {
		errs = append(errs, err.Error())
	}
	if c.Server.IdleTimeout, err = duration(getenv, "SWITCHYARD_IDLE_TIMEOUT", DefaultIdleTimeout); err != nil {
		errs = append(errs, err.Error())
	}
	if c.Server.MaxConnections, err = intIn(getenv, "SWITCHYARD_MAX_CONNECTIONS", DefaultMaxConnections, 1, math.MaxInt32); err != nil {
		errs = append(errs, err.Error())
	}
	// 0 turns the drain off (duration refuses it, as a zero timeout would
	// be a mistake everywhere else).
	if getenv("SWITCHYARD_DRAIN_DELAY") != "0" {
		if c.Server.DrainDelay, err = duration(getenv, "SWITCHYARD_DRAIN_DELAY", DefaultDrainDelay); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if c.Server.ShutdownTimeout, err = duration(getenv, "SWITCHYARD_SHUTDOWN_TIMEOUT", DefaultShutdownTimeout); err != nil {
		errs = append(errs, err.Error())
	}
	dedup, err := onOff(getenv, "SWITCHYARD_DEDUP", true)
	if err != nil {
		errs = append(errs, err.Error())
	}
	c.NoDedup = !dedup
	c.VendorTimeouts = map[string]time.Duration{}
	for _, v := range Vendors {
		if c.VendorTimeouts[v], err = duration(getenv, strings.ToUpper(v)+"_TIMEOUT", outbound.DefaultTimeout); err != nil {
			errs = append(errs, err.Error())
		}
	}
	c.Limits = map[string]VendorLimits{}
	for _, v := range Vendors {
		l, lerrs := loadLimits(getenv, v)
		c.Limits[v] = l
		errs = append(errs, lerrs...)
	}
	if c.Replicas, err = intIn(getenv, "SWITCHYARD_REPLICAS", 1, 1, 1024); err != nil {
		errs = append(errs, err.Error())
	}
	if c.BreakerFailures, err = intIn(getenv, "SWITCHYARD_BREAKER_FAILURES", outbound.DefaultBreakerFailures, 1, math.MaxInt32); err != nil {
		errs = append(errs, err.Error())
	}
	if c.BreakerOpen, err = duration(getenv, "SWITCHYARD_BREAKER_OPEN", outbound.DefaultBreakerOpen); err != nil {
		errs = append(errs, err.Error())
	}
	if c.OrttoBatchSize, err = intIn(getenv, "ORTTO_BATCH_SIZE", ortto.MaxBatch, 1, ortto.MaxBatch); err != nil {
		errs = append(errs, err.Error())
	}
	var cerrs []string
	c.Cache, cerrs = loadCache(getenv)
	errs = append(errs, cerrs...)
	if len(errs) > 0 {
		return nil, errors.New(strings.Join(errs, "; "))
	}
	if p := getenv("PORT"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 65535 {
			return nil, fmt.Errorf("PORT must be a port number, got %q", p)
		}
		c.Port = n
	}
	var partial []string
	if (c.ApptivoAPIKey == "") != (c.ApptivoAccessKey == "") {
		partial = append(partial, "apptivo needs both APPTIVO_API_KEY and APPTIVO_ACCESS_KEY")
	}
	adSet := 0
	for _, v := range []string{c.AppDirectBaseURL, c.AppDirectClientID, c.AppDirectClientSecret} {
		if v != "" {
			adSet++
		}
	}
	if adSet != 0 && adSet != 3 {
		partial = append(partial, "appdirect needs APPDIRECT_BASE_URL, APPDIRECT_CLIENT_ID and APPDIRECT_CLIENT_SECRET")
	}
	if len(partial) > 0 {
		return nil, errors.New("incomplete vendor configuration: " + strings.Join(partial, "; "))
	}
	any := false
	for _, v := range Vendors {
		any = any || c.Configured(v)
	}
	forced := getenv("SWITCHYARD_SANDBOX")
	switch {
	case forced == "1" || strings.EqualFold(forced, "true"):
		c.Sandbox = true
	case !any:
		c.Sandbox = true
	}
	if c.Sandbox && c.Production {
		return nil, errors.New("SWITCHYARD_ENV=production refuses to start in sandbox mode: configure vendor credentials (see README)")
	}
	if c.QueryLimits, err = querylimits.ConfigFromEnv(getenv); err != nil {
		return nil, err
	}
	c.Introspection = querylimits.IntrospectionEnabled(c.Sandbox, getenv)
	if c.GraphiQL, err = graphiql.EnabledFromEnv(c.Sandbox, getenv); err != nil {
		return nil, err
	}
	if c.Browser, err = crossorigin.ConfigFromEnv(c.Sandbox, c.Production, getenv); err != nil {
		return nil, err
	}
	c.Auth = auth.ConfigFromEnv(getenv)
	if err := auth.RequireProductionAuth(c.Production, c.Auth); err != nil {
		return nil, err
	}
	c.Stores = sharedstate.ConfigFromEnv(getenv)
	if c.Persisted, err = persisted.ConfigFromEnv(getenv); err != nil {
		return nil, err
	}
	return c, nil
}

// loadLimits reads vendor's <VENDOR>_RATE_LIMIT, _MAX_CONCURRENCY and
// _RETRY_ATTEMPTS.
func loadLimits(getenv func(string) string, vendor string) (VendorLimits, []string) {
	prefix := strings.ToUpper(vendor)
	l := VendorLimits{RatePerSecond: DefaultRateLimits[vendor]}
	var errs []string
	if v := getenv(prefix + "_RATE_LIMIT"); v != "" {
		r, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || r < 0 || math.IsInf(r, 0) || math.IsNaN(r) {
			errs = append(errs, fmt.Sprintf("%s_RATE_LIMIT must be requests per second, 0 or more (0: unlimited), got %q", prefix, v))
		}
		l.RatePerSecond = r
	}
	var err error
	if l.MaxConcurrency, err = intIn(getenv, prefix+"_MAX_CONCURRENCY", outbound.DefaultMaxConcurrent, 1, 1<<16); err != nil {
		errs = append(errs, err.Error())
	}
	if l.RetryAttempts, err = intIn(getenv, prefix+"_RETRY_ATTEMPTS", outbound.DefaultRetryAttempts, 1, MaxRetryAttempts); err != nil {
		errs = append(errs, err.Error())
	}
	return l, errs
}

// intIn reads an integer in lo..hi from name, or def when unset.
func intIn(getenv func(string) string, name string, def, lo, hi int) (int, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s must be a whole number in %d..%d, got %q", name, lo, hi, v)
	}
	return n, nil
}

// duration reads a Go duration such as 300ms from name, or def when unset.
func duration(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s must be a positive Go duration such as 300ms or 5s, got %q", name, v)
	}
	return d, nil
}
