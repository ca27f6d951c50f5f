package idempotency_test

import (
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/policy/errcode"
	"github.com/switchyard/switchyard/internal/policy/idempotency"
)

// A refusal (no credentials, missing scope, a query the gateway will not
// run) is never stored, whatever Retryable says: the retry, sent with
// the credentials or query that fix it, must run. A response in which
// something ran is stored as before.
func TestRefusalsAreNeverStored(t *testing.T) {
	const created = `{"data":{"createAccountList":{"id":"2"}}}`
	cases := []struct {
		name   string
		status int
		body   string
		stored bool
	}{
		{"401", http.StatusUnauthorized, `{"errors":[{"message":"m","extensions":{"code":"UNAUTHENTICATED"}}]}`, false},
		{"FORBIDDEN, data null", 200, `{"errors":[{"message":"m","extensions":{"code":"FORBIDDEN","scope":"write"}}],"data":{"createAccountList":null}}`, false},
		{"UNAUTHENTICATED with 200", 200, `{"errors":[{"message":"m","extensions":{"code":"UNAUTHENTICATED"}}]}`, false},
		{"QUERY_TOO_DEEP", 200, `{"errors":[{"message":"m","extensions":{"code":"QUERY_TOO_DEEP"}}]}`, false},
		{"QUERY_TOO_COMPLEX", 200, `{"errors":[{"message":"m","extensions":{"code":"QUERY_TOO_COMPLEX"}}]}`, false},
		{"GRAPHQL_PARSE_FAILED", 200, `{"errors":[{"message":"m","extensions":{"code":"GRAPHQL_PARSE_FAILED"}}]}`, false},
		{"GRAPHQL_VALIDATION_FAILED", 200, `{"errors":[{"message":"m","extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}],"data":null}`, false},
		{"BAD_REQUEST", 200, `{"errors":[{"message":"m","extensions":{"code":"BAD_REQUEST"}}]}`, false},
		{"PERSISTED_QUERY_NOT_FOUND", 200, `{"errors":[{"message":"m","extensions":{"code":"PERSISTED_QUERY_NOT_FOUND"}}]}`, false},
		{"PERSISTED_QUERY_NOT_ALLOWED", 200, `{"errors":[{"message":"m","extensions":{"code":"PERSISTED_QUERY_NOT_ALLOWED"}}]}`, false},
		{"any PERSISTED_QUERY_ code", 200, `{"errors":[{"message":"m","extensions":{"code":"PERSISTED_QUERY_VERSION"}}]}`, false},
		{"only refusal codes", 200, `{"errors":[{"extensions":{"code":"FORBIDDEN"}},{"extensions":{"code":"BAD_REQUEST"}}],"data":{"a":null,"b":null}}`, false},
		{"FORBIDDEN but another field ran", 200, `{"errors":[{"extensions":{"code":"FORBIDDEN"}}],"data":{"a":null,"b":{"id":"1"}}}`, true},
		{"FORBIDDEN and a rate limit: nothing ran", 200, `{"errors":[{"extensions":{"code":"FORBIDDEN"}},{"extensions":{"code":"VENDOR_RATE_LIMITED"}}],"data":{"a":null,"b":null}}`, false},
		{"FORBIDDEN and a vendor error", 200, `{"errors":[{"extensions":{"code":"FORBIDDEN"}},{"extensions":{"code":"VENDOR_TIMEOUT"}}],"data":{"a":null,"b":null}}`, true},
		{"a vendor refusal is the mutation's answer", 200, `{"errors":[{"extensions":{"code":"CONFLICT"}}],"data":{"createAccountList":null}}`, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			h := newMiddleware(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if calls.Add(1) == 1 {
					w.WriteHeader(tc.status)
					_, _ = w.Write([]byte(tc.body))
					return
				}
				_, _ = w.Write([]byte(created))
			}), idempotency.Options{Retryable: idempotency.FailedWith(errcode.VendorRateLimited)})
			body := gqlBody(t, createList, "Create", map[string]any{"name": "a"})

			first := serve(h, post(body, "key-1"))
			require.Equal(t, tc.status, first.Code)
			require.Equal(t, tc.body, first.Body.String())
			retry := serve(h, post(body, "key-1"))
			if tc.stored {
				assert.Equal(t, tc.body, retry.Body.String())
				assert.Equal(t, "true", retry.Header().Get(idempotency.ReplayedHeader))
				assert.EqualValues(t, 1, calls.Load())
				return
			}
			assert.Equal(t, created, retry.Body.String(), "the retry ran")
			assert.Empty(t, retry.Header().Get(idempotency.ReplayedHeader))
			assert.EqualValues(t, 2, calls.Load())
		})
	}
}
