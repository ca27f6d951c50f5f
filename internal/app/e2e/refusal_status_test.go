package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/policy/persisted"
)

// The README's errors table: a request refused before anything runs (a
// query limit, the vendor-call budget, introspection off, the safelist,
// an invalid document) is HTTP 400 under
// application/graphql-response+json and 200 under application/json, as
// GraphQL over HTTP specifies for each, with no data either way.
func TestRefusalStatusFollowsTheMediaType(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(s *gatewaytest.Setup) {
		s.Config.QueryLimits.MaxDepth = 4
		s.Config.QueryLimits.MaxAliases = 5
		s.Config.QueryLimits.MaxFields = 50
		s.Config.QueryLimits.MaxVendorCalls = 3
		s.Config.Introspection = false
	})
	cases := []struct {
		code, query string
	}{
		{"QUERY_TOO_DEEP", `{ customers(first: 1) { nodes { person { subscriptions { audienceName } } } } }`},
		{"QUERY_TOO_COMPLEX", `{ a: gateway { version } b: gateway { version } c: gateway { version } d: gateway { version } e: gateway { version } f: gateway { version } }`},
		{"QUERY_TOO_LARGE", `{ gateway { ` + strings.Repeat("version ", 60) + `} }`},
		{"VENDOR_BUDGET_EXCEEDED", `{ a: accountLists { id } b: accountLists { id } c: accountLists { id } d: accountLists { id } }`},
		{"INTROSPECTION_DISABLED", `{ __schema { queryType { name } } }`},
		{"GRAPHQL_VALIDATION_FAILED", `{ nope }`},
		{"GRAPHQL_PARSE_FAILED", `{ gateway { `},
	}
	for _, tc := range cases {
		for _, media := range []struct {
			accept string
			status int
		}{{"application/json", http.StatusOK}, {"application/graphql-response+json", http.StatusBadRequest}} {
			t.Run(tc.code+" "+media.accept, func(t *testing.T) {
				r := e.Query(tc.query, nil, "Accept", media.accept)
				require.NotEmpty(t, r.Errors, r.Raw)
				assert.Equal(t, tc.code, r.Errors[0].Extensions["code"], r.Raw)
				assert.Equal(t, media.status, r.Status, r.Raw)
				assert.False(t, r.HasData(), r.Raw)
			})
		}
	}

	manifest, err := persisted.ParseManifest([]byte(mustJSON(t, map[string]string{"v": "{ gateway { version } }"})))
	require.NoError(t, err)
	safelist := newEnv(t, func(s *gatewaytest.Setup) { s.Options.Manifest, s.Options.PersistedOnly = manifest, true })
	for accept, status := range map[string]int{"application/json": http.StatusOK, "application/graphql-response+json": http.StatusBadRequest} {
		r := safelist.Query(`{ accountLists { id } }`, nil, "Accept", accept)
		assert.Equal(t, []string{persisted.CodeNotAllowed}, r.Codes(), r.Raw)
		assert.Equal(t, status, r.Status, "%s: %s", accept, r.Raw)
		assert.False(t, r.HasData(), r.Raw)
	}
}
