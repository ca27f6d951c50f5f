package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/simkit"
)

// passThroughReply is the pass-through query's reply from the seeded
// AppDirect simulator, byte for byte.
const passThroughReply = `{"data":{"accounts":{"nodes":[` +
	`{"id":"5a8f1b6d-7a9c-4d34-8f65-f6a7b8c9da06","name":"Switchyard Channel Partners","status":"ENABLED"},` +
	`{"id":"4b7e0a5c-6f8b-4c23-9e54-e5f6a7b8c905","name":"Eindhoven Semaphore BV","status":"DISABLED"},` +
	`{"id":"0f3a6c1e-2b4d-4e8f-9a10-a1b2c3d4e501","name":"Analytical Engines Ltd","status":"ENABLED"},` +
	`{"id":"1e4b7d2f-3c5e-4f90-8b21-b2c3d4e5f602","name":"Harvard Mark Computing","status":"ENABLED"},` +
	`{"id":"2d5c8e3a-4d6f-4a01-9c32-c3d4e5f6a703","name":"Bletchley Codebreakers","status":"ENABLED_WITHOUT_LOGIN"},` +
	`{"id":"3c6d9f4b-5e7a-4b12-8d43-d4e5f6a7b804","name":"Langley Flight Research","status":"PENDING_ACTIVATION"}]}}}`

// TestPassThroughReplyIsUnchanged: the allocation work on the
// pass-through path (one decode, accounts filled in place, strings shared
// with the reply) leaves the reply exactly as it was, through the whole
// handler with every feature on.
func TestPassThroughReplyIsUnchanged(t *testing.T) {
	t.Parallel()
	serve := passThrough(t)
	assert.Equal(t, passThroughReply, serve().Body.String())
}

// TestLoaderFieldsUnderAListFetchTogether: where a list's elements reach
// a loader-backed field, they are marshalled concurrently, so the loader
// gets every element's key in one wait and the vendor calls run side by
// side. Marshalled one after another (as a change to gqlgen's list
// marshalling might make them), each element would wait for its own call: with every call slowed down, the calls would end a
// latency apart instead of together. (Customer.person is prefetched by
// its list's resolver, so TestCustomersWithPeopleCostTwoCalls holds
// either way; these loaders are not.)
func TestLoaderFieldsUnderAListFetchTogether(t *testing.T) {
	t.Parallel()
	const latency = 150 * time.Millisecond
	tests := []struct {
		name, vendor, query string
		seed                func(t *testing.T, e *env)
		// loaderCall tells the loader's vendor calls from the list's own.
		loaderCall func(simkit.Entry) bool
	}{
		{
			name: "Account.company", vendor: "appdirect",
			query:      `{ accounts(first: 20) { nodes { id company { id } } } }`,
			loaderCall: func(en simkit.Entry) bool { return !strings.HasSuffix(en.Path, "/api/graphql") },
		},
		{
			name: "Person.customers", vendor: "apptivo",
			query: `{ people(refs: [{email: "person000@example.com"}, {email: "person001@example.com"}, {email: "person002@example.com"},
				{email: "person003@example.com"}, {email: "person004@example.com"}]) { id customers { id } } }`,
			seed:       func(t *testing.T, e *env) { seedLinked(t, e, 5) },
			loaderCall: func(simkit.Entry) bool { return true },
		},
		{
			name: "AccountList.contactCount", vendor: "cordial",
			query:      `{ accountLists { id contactCount } }`,
			loaderCall: func(en simkit.Entry) bool { return strings.HasSuffix(en.Path, "/count") },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			if tc.seed != nil {
				tc.seed(t, e)
			}
			e.Sandbox.Faults.Set(simkit.Fault{Vendor: tc.vendor, LatencyMs: int(latency / time.Millisecond)})
			r := e.Query(tc.query, nil)
			require.Empty(t, r.Errors, r.Raw)
			var ends []time.Time
			for _, en := range e.APICalls(tc.vendor) {
				if tc.loaderCall(en) {
					ends = append(ends, en.Time)
				}
			}
			require.GreaterOrEqual(t, len(ends), 3, "the list has several elements, each with its own key")
			first, last := slices.MinFunc(ends, time.Time.Compare), slices.MaxFunc(ends, time.Time.Compare)
			assert.Less(t, last.Sub(first), latency, "%d calls ended %s apart: they ran one after another", len(ends), last.Sub(first))
		})
	}
}
