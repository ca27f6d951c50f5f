package telemetry

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Outcomes of a GraphQL operation.
const (
	OutcomeSuccess  = "success"  // no errors
	OutcomePartial  = "partial"  // errors, and data for some root field
	OutcomeError    = "error"    // errors, and no data: null, or every root field null
	OutcomeRejected = "rejected" // refused before execution: parse, validation, limits
)

// maxAttrLen bounds the client text (operation names, field paths) put on
// spans.
const maxAttrLen = 256

// extension is the gqlgen side of Telemetry. An executed operation is
// seen by InterceptOperation, which opens its span and puts its state in
// the context; every response part then passes InterceptResponse, and the
// last one closes the span and counts the operation. A request refused
// before execution only passes InterceptResponse, without that state.
type extension struct{ t *Telemetry }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.ResponseInterceptor
	graphql.FieldInterceptor
} = (*extension)(nil)

func (*extension) ExtensionName() string                   { return "SwitchyardTelemetry" }
func (*extension) Validate(graphql.ExecutableSchema) error { return nil }

type operationKey struct{}

// operation is one executed operation's state across its response parts.
type operation struct {
	t          *Telemetry
	start      time.Time
	span       trace.Span
	name, kind string // labels

	mu     sync.Mutex
	parts  int
	noData bool // the first part had errors and no data
	errs   int
	codes  []string
	done   bool
}

func (e *extension) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	opCtx := graphql.GetOperationContext(ctx)
	op := &operation{t: e.t, start: startTime(ctx), kind: "unknown", name: labelUnknown}
	spanName, attrs := "graphql", []attribute.KeyValue(nil)
	if o := opCtx.Operation; o != nil {
		op.kind = string(o.Operation)
		op.name = labelAnonymous
		spanName = op.kind
		attrs = append(attrs, attribute.String("graphql.operation.type", op.kind))
		if o.Name != "" {
			// Validated: it may take one of the free label places.
			op.name = e.t.metrics.opNames.label(o.Name, true)
			spanName += " " + truncate(o.Name)
			attrs = append(attrs, attribute.String("graphql.operation.name", truncate(o.Name)))
		}
	}
	ctx, op.span = e.t.tracer.Start(ctx, spanName, trace.WithTimestamp(op.start), trace.WithAttributes(attrs...))
	ctx = context.WithValue(ctx, operationKey{}, op)
	// A stream the client abandons never yields its last part: the
	// operation is then counted when the request ends, with what it saw.
	onRequestEnd(ctx, op.finish)
	return next(ctx)
}

func (e *extension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if op, ok := ctx.Value(operationKey{}).(*operation); ok {
		op.observe(resp)
		return resp
	}
	e.rejected(ctx, resp)
	return resp
}

// InterceptField opens a span for each field with a resolver of its own:
// the fields that call vendors (or loaders). Fields read from a struct
// already fetched cost nothing and get no span.
func (e *extension) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !fc.IsResolver {
		return next(ctx)
	}
	ctx, span := e.t.tracer.Start(ctx, fc.Object+"."+fc.Field.Name)
	defer span.End()
	recording := span.IsRecording()
	if recording { // the path is built only for a span that keeps it
		span.SetAttributes(
			attribute.String("graphql.field.name", fc.Field.Name),
			attribute.String("graphql.field.parent_type", fc.Object),
			attribute.String("graphql.field.path", truncate(fc.Path().String())),
		)
	}
	res, err := next(ctx)
	if err != nil && recording {
		span.SetStatus(codes.Error, truncate(err.Error()))
	}
	return res, err
}

// rejected counts and traces an operation refused before it ran.
func (e *extension) rejected(ctx context.Context, resp *graphql.Response) {
	name, kind, spanName := labelUnknown, "unknown", "graphql"
	if graphql.HasOperationContext(ctx) {
		if o := graphql.GetOperationContext(ctx).Operation; o != nil {
			kind, name, spanName = string(o.Operation), labelAnonymous, string(o.Operation)
			if o.Name != "" {
				// Not validated: a name is kept only if already known.
				name = e.t.metrics.opNames.label(o.Name, false)
				spanName += " " + truncate(o.Name)
			}
		}
	}
	start := startTime(ctx)
	_, span := e.t.tracer.Start(ctx, spanName, trace.WithTimestamp(start))
	var errs gqlerror.List
	if resp != nil {
		errs = resp.Errors
	}
	codesSeen := errorCodes(nil, errs)
	span.SetAttributes(
		attribute.String("switchyard.graphql.outcome", OutcomeRejected),
		attribute.Int("switchyard.graphql.errors", len(errs)),
		attribute.StringSlice("switchyard.graphql.error_codes", codesSeen),
	)
	span.SetStatus(codes.Error, "rejected")
	span.End()
	e.t.metrics.gqlOperations.WithLabelValues(name, kind, OutcomeRejected).Inc()
	e.t.metrics.gqlDuration.WithLabelValues(name, kind, OutcomeRejected).Observe(time.Since(start).Seconds())
}

// observe takes one response part; the last one (no more to come)
// finishes the operation.
func (op *operation) observe(resp *graphql.Response) {
	op.mu.Lock()
	if resp != nil {
		op.parts++
		op.errs += len(resp.Errors)
		if op.parts == 1 && op.errs > 0 {
			op.noData = noData(resp.Data)
		}
		op.codes = errorCodes(op.codes, resp.Errors)
	}
	last := resp == nil || resp.HasNext == nil || !*resp.HasNext
	op.mu.Unlock()
	if last {
		op.finish()
	}
}

func (op *operation) finish() {
	op.mu.Lock()
	if op.done {
		op.mu.Unlock()
		return
	}
	op.done = true
	outcome := OutcomeSuccess
	switch {
	case op.parts == 0 || (op.errs > 0 && op.noData):
		outcome = OutcomeError
	case op.errs > 0:
		outcome = OutcomePartial
	}
	errs, codesSeen := op.errs, op.codes
	op.mu.Unlock()

	op.span.SetAttributes(
		attribute.String("switchyard.graphql.outcome", outcome),
		attribute.Int("switchyard.graphql.errors", errs),
		attribute.StringSlice("switchyard.graphql.error_codes", codesSeen),
	)
	if outcome == OutcomeError {
		op.span.SetStatus(codes.Error, strconv.Itoa(errs)+" errors, no data")
	}
	op.span.End()
	m := op.t.metrics
	if op.name != labelOther && op.name != labelAnonymous && op.name != labelUnknown {
		if outcome == OutcomeSuccess {
			m.opNames.succeeded(op.name)
		}
		// Still its own label: it may have been evicted while it ran.
		op.name = m.opNames.label(op.name, false)
	}
	m.gqlOperations.WithLabelValues(op.name, op.kind, outcome).Inc()
	m.gqlDuration.WithLabelValues(op.name, op.kind, outcome).Observe(time.Since(op.start).Seconds())
}

// noData reports whether data holds nothing: null, or an object whose
// every field is null (each root field failed).
func noData(data json.RawMessage) bool {
	if len(data) == 0 || string(data) == "null" {
		return true
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return false
	}
	for _, v := range fields {
		if string(v) != "null" {
			return false
		}
	}
	return true
}

// errorCodes adds the distinct extensions.code values of errs to seen (at
// most 10: the codes are a fixed set, but the errors are many).
func errorCodes(seen []string, errs gqlerror.List) []string {
	for _, e := range errs {
		c, _ := e.Extensions["code"].(string)
		if c == "" || len(seen) >= 10 || len(c) > 64 {
			continue
		}
		dup := false
		for _, s := range seen {
			dup = dup || s == c
		}
		if !dup {
			seen = append(seen, c)
		}
	}
	return seen
}

// startTime is when the GraphQL server received the request.
func startTime(ctx context.Context) time.Time {
	if t := graphql.GetStartTime(ctx); !t.IsZero() {
		return t
	}
	return time.Now()
}

func truncate(s string) string {
	if len(s) <= maxAttrLen {
		return s
	}
	return strings.ToValidUTF8(s[:maxAttrLen], "")
}
