// Package telemetry is Switchyard's observability: Prometheus metrics on a
// private registry served at /metrics, and OpenTelemetry tracing with W3C
// trace context, exported over OTLP/HTTP when the standard OTEL_*
// variables name a collector.
//
// One Telemetry per process, wired in four places:
//
//   - Middleware, outermost but for the request id, continues an incoming
//     traceparent and opens the request's server span; it counts HTTP
//     requests by route.
//   - Extension, installed with srv.Use, opens a span per GraphQL
//     operation and per field with a resolver, and counts operations by
//     name, type and outcome.
//   - The vendor chains take the Telemetry as their outbound.Observer,
//     its TracerProvider and its Propagator; ObserveChain exports each
//     chain's breaker state and dedup count.
//   - MetricsHandler serves the registry.
//
// Tracing always makes real trace context, so trace ids exist and
// propagate (to vendors, to logs) whether or not anything is exported;
// spans are recorded (by the SDK) only when they are exported.
//
// No label value comes from a client unchecked: operation names are kept
// only when they look like GraphQL names, and at most MaxOperationNames of
// them. Junk cannot take the operation label over: a name that has
// succeeded OperationNameRuns times is established and keeps its label;
// a new name, when the set is full, takes the place of the least recently
// used name that is not established (whose series are deleted), or is
// counted as "other" when every place is established. So a burst of junk
// names displaces only junk, never the operations clients really run.
// Routes and methods come from fixed sets, and
// vendor operations are the clients' own names, capped per vendor too.
// Nothing secret is a label or a span attribute: no header, URL query,
// variable or body is recorded.
package telemetry

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// DefaultMaxOperationNames bounds the distinct GraphQL operation names the
// metrics keep; later names are counted as "other".
const DefaultMaxOperationNames = 100

// DefaultOperationNameRuns is how many successful runs establish an
// operation name's label.
const DefaultOperationNameRuns = 5

// Options configure New. The zero value is usable.
type Options struct {
	// ServiceName is the traces' service.name unless OTEL_SERVICE_NAME
	// says otherwise (default "switchyard").
	ServiceName string
	// ServiceVersion is service.version and the version label of
	// switchyard_build_info.
	ServiceVersion string
	// Getenv reads the OTEL_* variables (default os.Getenv).
	Getenv func(string) string
	// Logger receives the exporter's errors (default slog.Default()).
	Logger *slog.Logger
	// MaxOperationNames bounds the operation label's distinct values
	// (default DefaultMaxOperationNames).
	MaxOperationNames int
	// OperationNameRuns is how many successful runs establish an
	// operation name, so that no new name can take its label (default
	// DefaultOperationNameRuns).
	OperationNameRuns int
	// Routes are the HTTP paths counted under their own route label, in
	// addition to DefaultRoutes; a path ending in "/" also names every
	// path below it. Any other path is counted as "other".
	Routes []string
	// NoGlobal leaves otel's global TracerProvider, propagator and error
	// handler alone. By default New installs its own, so that code that
	// traces through the globals (the vendor chains when not given a
	// provider) joins the same traces.
	NoGlobal bool
}

// Telemetry holds the process's metrics registry and tracer provider. All
// methods are safe on a nil *Telemetry, which observes nothing, so that a
// gateway built without telemetry (the tests) needs no special case.
type Telemetry struct {
	registry  *prometheus.Registry
	metrics   *metrics
	tp        trace.TracerProvider
	shutdown  func(context.Context) error // the exporter's
	tracer    trace.Tracer
	prop      propagation.TextMapPropagator
	exporting bool
	routes    []string
}

// New sets up metrics and tracing. It fails on OTEL_* settings it cannot
// honour (an unsupported protocol or exporter, a malformed endpoint), so
// that a deployment never runs believing it exports when it does not.
func New(ctx context.Context, opts Options) (*Telemetry, error) {
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.ServiceName == "" {
		opts.ServiceName = "switchyard"
	}
	if opts.OperationNameRuns <= 0 {
		opts.OperationNameRuns = DefaultOperationNameRuns
	}
	if opts.MaxOperationNames <= 0 {
		opts.MaxOperationNames = DefaultMaxOperationNames
	}
	t := &Telemetry{registry: prometheus.NewRegistry(), prop: propagation.TraceContext{}}
	t.routes = append(append([]string(nil), DefaultRoutes...), opts.Routes...)
	var err error
	if t.metrics, err = newMetrics(t.registry, opts); err != nil {
		return nil, err
	}
	if t.tp, t.shutdown, t.exporting, err = newTracerProvider(ctx, opts); err != nil {
		return nil, err
	}
	t.tracer = t.tp.Tracer(tracerName)
	if !opts.NoGlobal {
		otel.SetTracerProvider(t.tp)
		otel.SetTextMapPropagator(t.prop)
		logger := opts.Logger
		otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
			logger.Warn("opentelemetry", "err", err)
		}))
	}
	return t, nil
}

const tracerName = "github.com/switchyard/switchyard/internal/policy/telemetry"

// Shutdown flushes the spans not yet exported and stops the exporter. Call
// it after the HTTP server has drained.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.shutdown(ctx)
}

// Exporting reports whether spans leave the process (an OTLP endpoint is
// configured), for the start-up log line.
func (t *Telemetry) Exporting() bool { return t != nil && t.exporting }

// Registry is the private Prometheus registry, for a package that wants to
// add its own collector (a cache's hit counter, say).
func (t *Telemetry) Registry() *prometheus.Registry {
	if t == nil {
		return nil
	}
	return t.registry
}

// MetricsHandler serves the registry in the Prometheus text format (or
// OpenMetrics when the scraper asks for it); mount it at GET /metrics.
func (t *Telemetry) MetricsHandler() http.Handler {
	if t == nil {
		return http.NotFoundHandler()
	}
	return promhttp.InstrumentMetricHandler(t.registry, promhttp.HandlerFor(t.registry, promhttp.HandlerOpts{
		Registry:          t.registry,
		EnableOpenMetrics: true,
	}))
}

// TracerProvider is the provider for the vendor chains
// (outbound.ChainOptions.TracerProvider).
func (t *Telemetry) TracerProvider() trace.TracerProvider {
	if t == nil {
		return otel.GetTracerProvider()
	}
	return t.tp
}

// Propagator writes and reads W3C trace context (traceparent,
// tracestate); for outbound.ChainOptions.Propagator. Baggage is not
// propagated: a client's baggage has no business reaching a vendor.
func (t *Telemetry) Propagator() propagation.TextMapPropagator {
	if t == nil {
		return otel.GetTextMapPropagator()
	}
	return t.prop
}

// Extension is the gqlgen extension to install with srv.Use: operation
// and resolver spans, operation metrics.
func (t *Telemetry) Extension() graphql.HandlerExtension {
	if t == nil {
		return noExtension{}
	}
	return &extension{t: t}
}

// Chain is what ObserveChain reads from a vendor chain
// (*outbound.Chain).
type Chain interface {
	BreakerState() string
	DedupShared() int64
}

// RateLimitedChain is a Chain whose rate limit may be shared by replicas
// (outbound.Chain is one); ObserveChain then exports whether it has fallen
// back to the replica's share.
type RateLimitedChain interface {
	RateLimitMode() string
	RateLimitFallbacks() int64
}

// ObserveChain exports vendor's breaker state and shared-read count, read
// at each scrape. Each vendor can be observed once.
func (t *Telemetry) ObserveChain(vendor string, c Chain) error {
	if t == nil {
		return nil
	}
	if c == nil {
		return errors.New("telemetry: nil chain")
	}
	return t.metrics.observeChain(vendor, c)
}

// noExtension is what a nil Telemetry installs: gqlgen refuses an
// extension without a hook, so it has one that does nothing.
type noExtension struct{}

func (noExtension) ExtensionName() string                   { return "SwitchyardTelemetryOff" }
func (noExtension) Validate(graphql.ExecutableSchema) error { return nil }
func (noExtension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	return next(ctx)
}
