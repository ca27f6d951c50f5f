package telemetry

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// The OTEL_* variables New reads (through Options.Getenv). The exporter
// itself also reads OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT, _COMPRESSION and
// the certificate variables (and their _TRACES_ forms) from the process
// environment.
const (
	envSDKDisabled     = "OTEL_SDK_DISABLED"
	envTracesExporter  = "OTEL_TRACES_EXPORTER"
	envEndpoint        = "OTEL_EXPORTER_OTLP_ENDPOINT"
	envTracesEndpoint  = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
	envProtocol        = "OTEL_EXPORTER_OTLP_PROTOCOL"
	envTracesProtocol  = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
	envServiceName     = "OTEL_SERVICE_NAME"
	envResourceAttrs   = "OTEL_RESOURCE_ATTRIBUTES"
	envTracesSampler   = "OTEL_TRACES_SAMPLER"
	envTracesSamplerAr = "OTEL_TRACES_SAMPLER_ARG"
)

// newTracerProvider builds the provider: always real trace context, so
// that spans have ids that propagate. With an endpoint configured it is
// the SDK's, with an OTLP/HTTP batch exporter; without one, a
// propagatingProvider, whose spans carry the same ids and sampling
// decisions but record nothing, since nothing would ever read them.
// Unlike the OTel default (localhost:4318), no endpoint means no export:
// a gateway with nothing configured sends nothing anywhere. shutdown
// flushes and stops the exporter.
func newTracerProvider(ctx context.Context, opts Options) (_ trace.TracerProvider, shutdown func(context.Context) error, exporting bool, _ error) {
	getenv := opts.Getenv
	noShutdown := func(context.Context) error { return nil }
	sampler, err := samplerFromEnv(getenv)
	if err != nil {
		return nil, noShutdown, false, err
	}
	res, err := newResource(ctx, opts)
	if err != nil {
		return nil, noShutdown, false, err
	}
	exporterOpts, err := exporterFromEnv(getenv)
	if err != nil {
		return nil, noShutdown, false, err
	}
	if exporterOpts == nil {
		return &propagatingProvider{sampler: sampler}, noShutdown, false, nil
	}
	exp, err := otlptracehttp.New(ctx, exporterOpts...)
	if err != nil {
		return nil, noShutdown, false, fmt.Errorf("telemetry: otlp trace exporter: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sampler), sdktrace.WithResource(res), sdktrace.WithBatcher(exp))
	return tp, tp.Shutdown, true, nil
}

// exporterFromEnv returns the exporter's options, or nil when nothing is
// to be exported.
func exporterFromEnv(getenv func(string) string) ([]otlptracehttp.Option, error) {
	if b, _ := strconv.ParseBool(strings.TrimSpace(getenv(envSDKDisabled))); b {
		return nil, nil
	}
	switch e := strings.TrimSpace(getenv(envTracesExporter)); e {
	case "", "otlp":
	case "none":
		return nil, nil
	default:
		return nil, fmt.Errorf("telemetry: %s=%q is not supported (otlp or none)", envTracesExporter, e)
	}
	endpoint, name := strings.TrimSpace(getenv(envTracesEndpoint)), envTracesEndpoint
	if endpoint == "" {
		endpoint, name = strings.TrimSpace(getenv(envEndpoint)), envEndpoint
		if endpoint == "" {
			return nil, nil
		}
		// The signal-less endpoint is a base URL: traces go below it.
		endpoint = strings.TrimSuffix(endpoint, "/") + "/v1/traces"
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// The value is not repeated: it could carry credentials.
		return nil, fmt.Errorf("telemetry: %s must be an http or https URL", name)
	}
	opts := []otlptracehttp.Option{otlptracehttp.WithEndpointURL(endpoint)}
	protocol := strings.TrimSpace(getenv(envTracesProtocol))
	if protocol == "" {
		protocol = strings.TrimSpace(getenv(envProtocol))
	}
	switch protocol {
	case "", "http/protobuf":
		opts = append(opts, otlptracehttp.WithEncoding(otlptracehttp.EncodingProtobuf))
	case "http/json":
		opts = append(opts, otlptracehttp.WithEncoding(otlptracehttp.EncodingJSON))
	default:
		return nil, fmt.Errorf("telemetry: OTLP protocol %q is not supported (http/protobuf or http/json)", protocol)
	}
	return opts, nil
}

// samplerFromEnv reads OTEL_TRACES_SAMPLER as the OTel SDK does; the
// default, parentbased_always_on, continues a caller's decision and
// samples every new trace.
func samplerFromEnv(getenv func(string) string) (sdktrace.Sampler, error) {
	name := strings.ToLower(strings.TrimSpace(getenv(envTracesSampler)))
	arg := strings.TrimSpace(getenv(envTracesSamplerAr))
	ratio := func() (float64, error) {
		if arg == "" {
			return 1, nil
		}
		r, err := strconv.ParseFloat(arg, 64)
		if err != nil || r < 0 || r > 1 {
			return 0, fmt.Errorf("telemetry: %s=%q is not a ratio between 0 and 1", envTracesSamplerAr, arg)
		}
		return r, nil
	}
	switch name {
	case "", "parentbased_always_on":
		return sdktrace.ParentBased(sdktrace.AlwaysSample()), nil
	case "always_on":
		return sdktrace.AlwaysSample(), nil
	case "always_off":
		return sdktrace.NeverSample(), nil
	case "parentbased_always_off":
		return sdktrace.ParentBased(sdktrace.NeverSample()), nil
	case "traceidratio":
		r, err := ratio()
		return sdktrace.TraceIDRatioBased(r), err
	case "parentbased_traceidratio":
		r, err := ratio()
		return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(r)), err
	}
	return nil, fmt.Errorf("telemetry: %s=%q is not supported", envTracesSampler, name)
}

// newResource names the service: Options.ServiceName and ServiceVersion,
// then OTEL_RESOURCE_ATTRIBUTES, then OTEL_SERVICE_NAME, later ones
// winning, as the OTel specification orders them.
func newResource(ctx context.Context, opts Options) (*resource.Resource, error) {
	attrs := []attribute.KeyValue{attribute.String("service.name", opts.ServiceName)}
	if opts.ServiceVersion != "" {
		attrs = append(attrs, attribute.String("service.version", opts.ServiceVersion))
	}
	for pair := range strings.SplitSeq(opts.Getenv(envResourceAttrs), ",") {
		k, v, ok := strings.Cut(pair, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			continue
		}
		if uv, err := url.PathUnescape(strings.TrimSpace(v)); err == nil {
			v = uv
		}
		attrs = append(attrs, attribute.String(k, v))
	}
	if n := strings.TrimSpace(opts.Getenv(envServiceName)); n != "" {
		attrs = append(attrs, attribute.String("service.name", n))
	}
	res, err := resource.New(ctx, resource.WithTelemetrySDK(), resource.WithAttributes(attrs...))
	if err != nil {
		return nil, fmt.Errorf("telemetry: resource: %w", err)
	}
	return res, nil
}
