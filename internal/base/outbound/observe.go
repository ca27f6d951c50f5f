package outbound

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/sony/gobreaker/v2"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Observer is told how vendor calls went, for metrics. The chain calls it
// from its observe layer once per call (what the caller experienced:
// queueing, retries and a fail-fast breaker included) and from its
// innermost layer once per request that went to the wire. Implementations
// must be safe for concurrent use and fast: they run on every call.
//
// status is one of the Call* values: the class of the vendor's reply,
// or why there was none.
type Observer interface {
	ObserveCall(vendor, op, status string, d time.Duration)
	ObserveAttempt(vendor, status string)
}

// The status of a vendor call or attempt, as Observer and the spans report
// it. A reply is its HTTP status class; a call without one says why.
const (
	Call1xx         = "1xx"
	Call2xx         = "2xx"
	Call3xx         = "3xx"
	Call4xx         = "4xx"
	Call5xx         = "5xx"
	CallTimeout     = "timeout"      // a deadline passed, the gateway's or the vendor timeout
	CallCanceled    = "canceled"     // the caller gave up
	CallCircuitOpen = "circuit_open" // the breaker failed the call fast; the vendor was not called
	CallRateLimited = "rate_limited" // the client-side rate limit refused it; the vendor was not called
	CallError       = "error"        // no reply: refused, reset, malformed, body broken off
)

// WithOperation names the vendor operation (e.g. "list lists") of the
// calls made under ctx, for metrics and spans. Do sets it; a call made
// outside Do (an OAuth token fetch) can set it itself, or is reported
// with an empty operation.
func WithOperation(ctx context.Context, op string) context.Context {
	return withCall(ctx, func(c *call) { c.op = op })
}

// OperationFrom returns the operation WithOperation put in ctx, or "".
func OperationFrom(ctx context.Context) string { return callOf(ctx).op }

const tracerName = "github.com/switchyard/switchyard/internal/base/outbound"

// observeTransport sits outside dedup and retry: one span and one
// Observer report per vendor call. The span is the parent of the wire
// attempts' spans, so a retried call shows as one call with several
// attempts; its duration runs until the reply's body is done with.
type observeTransport struct {
	next     http.RoundTripper
	vendor   string
	observer Observer // nil: no metrics
	tp       trace.TracerProvider
}

func newObserveTransport(next http.RoundTripper, opts ChainOptions) http.RoundTripper {
	return &observeTransport{next: next, vendor: opts.Vendor, observer: opts.Observer, tp: opts.TracerProvider}
}

// RoundTrip implements http.RoundTripper.
func (t *observeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	op := OperationFrom(req.Context())
	name := t.vendor
	if op != "" {
		name += " " + op
	}
	ctx, span := tracerOf(t.tp).Start(req.Context(), name, trace.WithSpanKind(trace.SpanKindInternal))
	// Attributes are built only for a span that keeps them.
	recording := span.IsRecording()
	if recording {
		span.SetAttributes(
			attribute.String("switchyard.vendor", t.vendor),
			attribute.String("switchyard.vendor.operation", op),
		)
	}
	finish := func(status string, err error) {
		if recording {
			span.SetAttributes(attribute.String("switchyard.vendor.status", status))
			if err != nil {
				span.SetStatus(codes.Error, RedactURLs(err.Error()))
			} else if status == Call4xx || status == Call5xx {
				span.SetStatus(codes.Error, "vendor answered "+status)
			}
		}
		span.End()
		if t.observer != nil {
			t.observer.ObserveCall(t.vendor, op, status, time.Since(start))
		}
	}
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		finish(statusOfError(err), err)
		return nil, err
	}
	status := statusOfReply(resp.StatusCode)
	if recording {
		span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
	}
	resp.Body = onBodyDone(resp.Body, func(err error) {
		if err != nil {
			finish(statusOfError(err), err)
			return
		}
		finish(status, nil)
	})
	return resp, nil
}

// wireTransport is the chain's innermost layer: one client span per
// request that goes to the vendor, whose context travels in the W3C
// traceparent (and tracestate) header, so a vendor that traces sees our
// call as its parent. The span records the method, host and status only:
// never the URL's path or query (a vendor's keys may travel in the query),
// headers or bodies.
type wireTransport struct {
	next     http.RoundTripper
	vendor   string
	observer Observer
	tp       trace.TracerProvider
	prop     propagation.TextMapPropagator
}

func newWireTransport(next http.RoundTripper, opts ChainOptions) http.RoundTripper {
	return &wireTransport{next: next, vendor: opts.Vendor, observer: opts.Observer, tp: opts.TracerProvider, prop: opts.Propagator}
}

// RoundTrip implements http.RoundTripper.
func (t *wireTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, span := tracerOf(t.tp).Start(req.Context(), req.Method, trace.WithSpanKind(trace.SpanKindClient))
	// Attributes are built only for a span that keeps them.
	recording := span.IsRecording()
	if recording {
		span.SetAttributes(
			attribute.String("http.request.method", req.Method),
			attribute.String("server.address", req.URL.Hostname()),
			attribute.String("switchyard.vendor", t.vendor),
		)
		if p, err := strconv.Atoi(req.URL.Port()); err == nil {
			span.SetAttributes(attribute.Int("server.port", p))
		}
	}
	// A RoundTripper must not modify the request it was given.
	out := req.Clone(ctx)
	propagatorOf(t.prop).Inject(ctx, propagation.HeaderCarrier(out.Header))
	finish := func(status string, err error) {
		if err != nil && recording {
			span.SetAttributes(attribute.String("error.type", status))
			span.SetStatus(codes.Error, RedactURLs(err.Error()))
		}
		span.End()
		if t.observer != nil {
			t.observer.ObserveAttempt(t.vendor, status)
		}
	}
	resp, err := t.next.RoundTrip(out)
	if err != nil {
		finish(statusOfError(err), err)
		return nil, err
	}
	if recording {
		span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
		if resp.StatusCode >= 400 {
			span.SetAttributes(attribute.String("error.type", strconv.Itoa(resp.StatusCode)))
			span.SetStatus(codes.Error, "")
		}
	}
	status := statusOfReply(resp.StatusCode)
	resp.Body = onBodyDone(resp.Body, func(err error) {
		if err != nil {
			finish(statusOfError(err), err)
			return
		}
		finish(status, nil)
	})
	return resp, nil
}

// tracerOf is tp's tracer, or the global provider's: otel's global
// delegates to whatever provider is installed later, so a chain built
// before telemetry is set up still traces.
func tracerOf(tp trace.TracerProvider) trace.Tracer {
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	return tp.Tracer(tracerName)
}

func propagatorOf(p propagation.TextMapPropagator) propagation.TextMapPropagator {
	if p == nil {
		return otel.GetTextMapPropagator()
	}
	return p
}

// statusOfReply is the status of a call that got an HTTP reply: its class.
func statusOfReply(code int) string {
	switch {
	case code < 200:
		return Call1xx
	case code < 300:
		return Call2xx
	case code < 400:
		return Call3xx
	case code < 500:
		return Call4xx
	default:
		return Call5xx
	}
}

// statusOfError is the status of a call that got no reply (or whose reply
// broke off), from the error the chain returned.
func statusOfError(err error) string {
	var e *Error
	var ne net.Error
	switch {
	case errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests):
		return CallCircuitOpen
	case errors.As(err, &e) && e.Kind == KindRateLimited && e.HTTPStatus == 0:
		return CallRateLimited
	case errors.Is(err, context.Canceled):
		return CallCanceled
	case errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &e) && e.Kind == KindTimeout,
		errors.As(err, &ne) && ne.Timeout():
		return CallTimeout
	}
	return CallError
}
