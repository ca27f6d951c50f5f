package telemetry

import (
	"context"
	"math/rand/v2"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/embedded"
	"go.opentelemetry.io/otel/trace/noop"
)

// propagatingProvider is the TracerProvider when nothing is exported: its
// spans are real trace context (the caller's trace id, a fresh span id,
// the sampling decision of the configured sampler, the parent's
// tracestate), so trace ids still reach the vendors and the logs exactly
// as with the SDK, but nothing is recorded: IsRecording is false, and
// attributes, events and status are dropped unbuilt. The SDK provider
// would record every span of every request only to throw it away.
type propagatingProvider struct {
	embedded.TracerProvider
	sampler sdktrace.Sampler
}

func (p *propagatingProvider) Tracer(string, ...trace.TracerOption) trace.Tracer {
	return &propagatingTracer{p: p}
}

type propagatingTracer struct {
	embedded.Tracer
	p *propagatingProvider
}

func (t *propagatingTracer) Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	cfg := trace.NewSpanStartConfig(opts...)
	var parent trace.SpanContext
	if !cfg.NewRoot() {
		parent = trace.SpanContextFromContext(ctx)
	}
	tid := parent.TraceID()
	for !tid.IsValid() {
		hi, lo := rand.Uint64(), rand.Uint64()
		for i := range 8 {
			tid[i], tid[8+i] = byte(hi>>(56-8*i)), byte(lo>>(56-8*i))
		}
	}
	var sid trace.SpanID
	for !sid.IsValid() {
		r := rand.Uint64()
		for i := range 8 {
			sid[i] = byte(r >> (56 - 8*i))
		}
	}
	// The sampler reads the parent from ParentContext: ctx already holds
	// it unless this span is a new root, so only then is a context built.
	pctx := ctx
	if cfg.NewRoot() {
		pctx = trace.ContextWithSpanContext(ctx, parent)
	}
	res := t.p.sampler.ShouldSample(sdktrace.SamplingParameters{
		ParentContext: pctx,
		TraceID:       tid,
		Name:          name,
		Kind:          cfg.SpanKind(),
		Links:         cfg.Links(),
	})
	var flags trace.TraceFlags
	if res.Decision == sdktrace.RecordAndSample {
		flags = trace.FlagsSampled
	}
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: flags, TraceState: res.Tracestate})
	s := &propagatingSpan{sc: sc, tp: t.p}
	return trace.ContextWithSpan(ctx, s), s
}

// propagatingSpan is a span context and nothing else.
type propagatingSpan struct {
	noop.Span // every recording method does nothing; IsRecording is false
	sc        trace.SpanContext
	tp        *propagatingProvider
}

func (s *propagatingSpan) SpanContext() trace.SpanContext       { return s.sc }
func (s *propagatingSpan) TracerProvider() trace.TracerProvider { return s.tp }
