// Package errcode is Switchyard's one error model as clients see it: the
// documented set of extensions.code values, the input error resolvers
// return for bad arguments, and the error presenter that turns any error
// into a GraphQL error with those extensions. Resolvers return plain Go
// errors; only the presenter builds GraphQL errors.
package errcode

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/internal/policy/auth"
	"github.com/switchyard/switchyard/internal/policy/crossorigin"
	"github.com/switchyard/switchyard/internal/policy/persisted"
	"github.com/switchyard/switchyard/internal/policy/querylimits"
)

// The documented extensions.code values (README "Error codes").
const (
	BadUserInput        = "BAD_USER_INPUT"
	NotFound            = "NOT_FOUND"
	Conflict            = "CONFLICT"
	FailedPrecondition  = "FAILED_PRECONDITION"
	VendorAuthFailed    = "VENDOR_AUTH_FAILED"
	VendorError         = "VENDOR_ERROR"
	VendorUnavailable   = "VENDOR_UNAVAILABLE"
	VendorTimeout       = "VENDOR_TIMEOUT"
	VendorRateLimited   = "VENDOR_RATE_LIMITED"
	VendorNotConfigured = "VENDOR_NOT_CONFIGURED"
	// VendorBudgetExceeded: the operation would make, or has made, more
	// vendor calls than SWITCHYARD_MAX_VENDOR_CALLS allows.
	VendorBudgetExceeded = querylimits.VendorBudgetExceeded
	// VendorReplyTooLarge: the vendor's reply was larger than the
	// gateway accepts from it (<VENDOR>_MAX_REPLY_BYTES).
	VendorReplyTooLarge = "VENDOR_REPLY_TOO_LARGE"
	Unauthenticated     = "UNAUTHENTICATED"
	Forbidden           = "FORBIDDEN"
	InternalServerError = "INTERNAL_SERVER_ERROR"
	PayloadTooLarge     = "PAYLOAD_TOO_LARGE"
	BadRequest          = "BAD_REQUEST"
	// IdempotencyOutcomeUnknown: the first request with this
	// Idempotency-Key stopped (its replica died) without an outcome; it may
	// have changed the vendor's data, so the key will not run it again.
	IdempotencyOutcomeUnknown = "IDEMPOTENCY_OUTCOME_UNKNOWN"
	// SharedStateUnavailable: the shared store (Redis) that keyed
	// mutations need did not answer, so the mutation was not run.
	SharedStateUnavailable = "SHARED_STATE_UNAVAILABLE"
	// Codes gqlgen itself sets on parse and validation failures.
	GraphQLParseFailed      = "GRAPHQL_PARSE_FAILED"
	GraphQLValidationFailed = "GRAPHQL_VALIDATION_FAILED"
)

// Documented is every extensions.code a client can see, this package's
// and those the request-side packages define next to the rule that
// refuses (query limits, persisted queries, CSRF): the README's error
// table lists exactly these (TestErrorCodesAreDocumented).
var Documented = []string{
	BadUserInput, NotFound, Conflict, FailedPrecondition,
	VendorAuthFailed, VendorError, VendorUnavailable, VendorTimeout, VendorRateLimited,
	VendorNotConfigured, VendorBudgetExceeded, VendorReplyTooLarge,
	Unauthenticated, Forbidden,
	querylimits.QueryTooDeep, querylimits.QueryTooComplex, querylimits.QueryTooLarge, querylimits.IntrospectionDisabled,
	crossorigin.CSRFPrevented,
	GraphQLParseFailed, GraphQLValidationFailed, BadRequest, PayloadTooLarge,
	persisted.CodeNotFound, persisted.CodeNotAllowed,
	IdempotencyOutcomeUnknown, SharedStateUnavailable,
	InternalServerError,
}

// InputError is an argument the schema cannot reject by itself (an empty
// PersonRef, a blank list name). Resolvers return it before any vendor
// call, so nothing is sent to a vendor for invalid input.
type InputError struct {
	Field   string // the argument path, e.g. "input.name"
	Message string
}

func (e *InputError) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// Input returns an *InputError for field.
func Input(field, format string, args ...any) error {
	return &InputError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// kindCodes maps each vendor error kind to its extensions.code.
var kindCodes = map[outbound.Kind]string{
	outbound.KindUpstream:           VendorError,
	outbound.KindBadInput:           BadUserInput,
	outbound.KindNotFound:           NotFound,
	outbound.KindConflict:           Conflict,
	outbound.KindFailedPrecondition: FailedPrecondition,
	outbound.KindAuth:               VendorAuthFailed,
	outbound.KindUnavailable:        VendorUnavailable,
	outbound.KindTimeout:            VendorTimeout,
	outbound.KindRateLimited:        VendorRateLimited,
	outbound.KindNotConfigured:      VendorNotConfigured,
	outbound.KindBudgetExceeded:     VendorBudgetExceeded,
	outbound.KindReplyTooLarge:      VendorReplyTooLarge,
}

// Presenter is the gqlgen error presenter: it keeps gqlgen's path and
// location, and sets extensions from the typed error found with errors.As.
// Errors of unknown type are reported as INTERNAL_SERVER_ERROR with a
// generic message so that nothing unexpected (a URL, a key) leaks.
func Presenter(ctx context.Context, err error) *gqlerror.Error {
	gqlErr := graphql.DefaultErrorPresenter(ctx, err)
	if gqlErr.Extensions == nil {
		gqlErr.Extensions = map[string]any{}
	}
	var (
		vendorErr    *outbound.Error
		inputErr     *InputError
		forbiddenErr *auth.ForbiddenError
		already      *gqlerror.Error
	)
	switch {
	case errors.As(err, &forbiddenErr):
		gqlErr.Message = forbiddenErr.Error()
		gqlErr.Extensions["code"] = Forbidden
		gqlErr.Extensions["scope"] = string(forbiddenErr.Scope)
	case errors.As(err, &vendorErr):
		gqlErr.Message = vendorErr.Error()
		gqlErr.Extensions["code"] = kindCodes[vendorErr.Kind]
		gqlErr.Extensions["vendor"] = vendorErr.Vendor
		if vendorErr.HTTPStatus != 0 {
			gqlErr.Extensions["httpStatus"] = vendorErr.HTTPStatus
		}
		if vendorErr.Code != "" {
			gqlErr.Extensions["vendorCode"] = vendorErr.Code
		}
		if vendorErr.RetryAfter > 0 {
			gqlErr.Extensions["retryAfterSeconds"] = int(math.Ceil(vendorErr.RetryAfter.Seconds()))
		}
		if len(vendorErr.IDs) > 0 {
			gqlErr.Extensions["ids"] = vendorErr.IDs
		}
	case errors.As(err, &inputErr):
		gqlErr.Message = inputErr.Error()
		gqlErr.Extensions["code"] = BadUserInput
		if inputErr.Field != "" {
			gqlErr.Extensions["field"] = inputErr.Field
		}
	case errors.As(err, &already) && already.Extensions["code"] != nil:
		// gqlgen's own parse/validation/limit errors already carry a code.
	case errors.Is(err, context.DeadlineExceeded):
		gqlErr.Message = "request deadline exceeded"
		gqlErr.Extensions["code"] = VendorTimeout
	case errors.As(err, new(*internalError)):
		gqlErr.Message = "internal error"
		gqlErr.Extensions["code"] = InternalServerError
	default:
		// Left: gqlgen's own failures to coerce an argument or variable
		// (a bad Time, an out-of-range Int). Resolver errors never get
		// here untyped: FieldMiddleware marks them internal.
		gqlErr.Extensions["code"] = BadUserInput
	}
	return gqlErr
}

// internalError marks an error a resolver returned that is not one of the
// typed errors above: a bug of ours, whose text is not meant for clients.
type internalError struct{ err error }

func (e *internalError) Error() string { return e.err.Error() }
func (e *internalError) Unwrap() error { return e.err }

// FieldMiddleware is installed with AroundFields. It marks untyped
// resolver errors as internal so that the presenter neither leaks their
// text nor mistakes them for argument errors, and logs them.
func FieldMiddleware(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	if err == nil || isTyped(err) {
		return res, err
	}
	slog.ErrorContext(ctx, "resolver failed", "field", graphql.GetFieldContext(ctx).Path().String(), "error", outbound.RedactURLs(err.Error()))
	return res, &internalError{err}
}

func isTyped(err error) bool {
	var (
		vendorErr    *outbound.Error
		inputErr     *InputError
		forbiddenErr *auth.ForbiddenError
		gqlErr       *gqlerror.Error
	)
	return errors.As(err, &vendorErr) || errors.As(err, &inputErr) || errors.As(err, &forbiddenErr) ||
		errors.As(err, &gqlErr) || errors.Is(err, context.DeadlineExceeded)
}
