package appdirect

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	graphql "github.com/hasura/go-graphql-client"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// gqlDoer is the http client hasura's GraphQL client posts through. It
// sends with the shared client's Do, so a GraphQL call gets exactly the
// REST calls' transport-error mapping, body limit, checkResponse and
// scrubbing; hasura only ever sees a clean 200 with the reply body, or an
// *outbound.Error, which it wraps and which toError unwraps again.
type gqlDoer struct{ c *outbound.Client }

func (d gqlDoer) Do(req *http.Request) (*http.Response, error) {
	// hasura asks for gzip and would then decode it itself; dropping the
	// header lets net/http negotiate and decompress transparently, so
	// Do and checkResponse see plain JSON.
	req.Header.Del("Accept-Encoding")
	req.Header.Set("Accept", "application/json")
	var raw json.RawMessage
	if err := d.c.Do(req.Context(), req, &raw); err != nil {
		return nil, err
	}
	return &http.Response{
		Status:        "200 OK",
		StatusCode:    http.StatusOK,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(raw)),
		ContentLength: int64(len(raw)),
		Request:       req,
	}, nil
}

// gqlErr is one entry of a GraphQL reply's errors array.
type gqlErr struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// gqlCodeAndMessage condenses an errors array into one code (the first
// extensions.code) and one message (every message, in order).
func gqlCodeAndMessage(errs []gqlErr) (string, string) {
	var code string
	msgs := make([]string, 0, len(errs))
	for _, e := range errs {
		if c, ok := e.Extensions["code"].(string); ok && code == "" {
			code = c
		}
		if e.Message != "" {
			msgs = append(msgs, e.Message)
		}
	}
	return code, strings.Join(msgs, "; ")
}

// kindForGraphQLCode maps the extensions.code values GraphQL servers use
// (Apollo's and gqlgen's names) to an outbound Kind. Inference: AppDirect
// does not document its codes; anything unknown is KindUpstream.
func kindForGraphQLCode(code string) outbound.Kind {
	switch strings.ToUpper(code) {
	case "GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT", "BAD_REQUEST", "INVALID_INPUT", "VALIDATION_ERROR":
		return outbound.KindBadInput
	case "UNAUTHENTICATED", "UNAUTHORIZED", "FORBIDDEN", "ACCESS_DENIED":
		return outbound.KindAuth
	case "NOT_FOUND":
		return outbound.KindNotFound
	case "CONFLICT":
		return outbound.KindConflict
	case "TOO_MANY_REQUESTS", "RATE_LIMITED":
		return outbound.KindRateLimited
	default:
		return outbound.KindUpstream
	}
}

// toError turns whatever hasura's client returned into an *outbound.Error:
// an error our transport produced is returned as is; errors the server
// listed in a 200 reply keep their message and code; hasura's own failures
// (undecodable reply, request construction) are reduced to a short text,
// because hasura may put the request URL or raw body into theirs.
func toError(op string, err error) error {
	if err == nil {
		return nil
	}
	var oe *outbound.Error
	if errors.As(err, &oe) {
		if oe.Operation == "" {
			oe.Operation = op
		}
		return oe
	}
	var hs graphql.Errors
	if !errors.As(err, &hs) {
		return &outbound.Error{Vendor: Name, Operation: op, Kind: outbound.KindUpstream, Message: "graphql call failed"}
	}
	server := make([]gqlErr, 0, len(hs))
	for _, h := range hs {
		if errors.Unwrap(h) != nil { // built by hasura itself, not sent by the server
			code, _ := h.Extensions["code"].(string)
			msg := "malformed reply"
			if code == graphql.ErrRequestError {
				msg = "request could not be sent"
			}
			return &outbound.Error{Vendor: Name, Operation: op, Kind: outbound.KindUpstream, HTTPStatus: http.StatusOK, Message: msg}
		}
		server = append(server, gqlErr{Message: h.Message, Extensions: h.Extensions})
	}
	code, msg := gqlCodeAndMessage(server)
	return &outbound.Error{
		Vendor:     Name,
		Operation:  op,
		Kind:       kindForGraphQLCode(code),
		HTTPStatus: http.StatusOK,
		Code:       code,
		Message:    msg,
	}
}

// execRaw runs a hand-built query and decodes its data into v. It posts
// through the shared client's Do (transport-error mapping, body limit,
// checkResponse, scrubbing) and decodes the reply once, straight into v:
// hasura's ExecRaw would have Do copy the body out as a json.RawMessage,
// decode it again into its own envelope, and leave the data for a third
// pass. The operation travels in the request's context for the chain.
func (c *Client) execRaw(ctx context.Context, op, query string, vars map[string]any, v any) error {
	req, err := c.NewRequest(outbound.IdempotentRead(ctx), op, http.MethodPost, c.gqlPath, nil, gqlRequest{Query: query, Variables: vars})
	if err != nil {
		return err
	}
	reply := gqlReply{Data: v}
	if err := c.Do(req.Context(), req, &reply); err != nil {
		return err
	}
	if len(reply.Errors) > 0 {
		// Errors a 200 listed carry vendor text Do never saw.
		code, msg := gqlCodeAndMessage(reply.Errors)
		return c.Scrub(&outbound.Error{Vendor: Name, Operation: op, Kind: kindForGraphQLCode(code), HTTPStatus: http.StatusOK, Code: code, Message: msg})
	}
	return nil
}

// gqlRequest is a GraphQL request body.
type gqlRequest struct {
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables,omitempty"`
}

// gqlReply is a GraphQL reply: Data holds the caller's pointer, which the
// decoder fills in place.
type gqlReply struct {
	Data   any      `json:"data"`
	Errors []gqlErr `json:"errors"`
}
