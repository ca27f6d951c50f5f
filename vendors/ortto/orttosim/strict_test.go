package orttosim_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/vendors/ortto/orttosim"
)

// TestRefusesUnknownBodyElements: an element the documents' tables do not
// list, typically a misspelling, is refused with Ortto's 400 envelope and
// changes nothing. Ignored, a restore whose exclusion_ids were misspelled
// exclusionIds restored every archived account.
func TestRefusesUnknownBodyElements(t *testing.T) {
	sim := newSim(t, orttosim.Options{})
	// Archive everything so that a restore has something to widen to.
	status, b := call(t, sim, http.MethodPut, "/v1/accounts/archive", orttosim.APIKey, `{"all_rows_selected":true}`)
	require.Equal(t, http.StatusOK, status, string(b))
	before, err := sim.State()
	require.NoError(t, err)
	cases := []struct {
		name, method, path, body, field string
	}{
		{"restore exclusionIds", http.MethodPut, "/v1/accounts/restore", `{"all_rows_selected":true,"exclusionIds":["x"]}`, "exclusionIds"},
		{"delete inclusionIds", http.MethodDelete, "/v1/accounts/delete", `{"inclusionIds":["x"]}`, "inclusionIds"},
		{"archive allRowsSelected", http.MethodPut, "/v1/accounts/archive", `{"allRowsSelected":true,"inclusion_ids":["x"]}`, "allRowsSelected"},
		{"subscriptions personId", http.MethodPost, "/v1/person/subscriptions", `{"people":[{"personId":"x","email":"a@b.c"}]}`, "personId"},
		{"subscriptions top level", http.MethodPost, "/v1/person/subscriptions", `{"people":[{"email":"a@b.c"}],"limit":5}`, "limit"},
		{"accounts/get misspelled fields", http.MethodPost, "/v1/accounts/get", `{"field":["str:o:name"]}`, "field"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, b := call(t, sim, tc.method, tc.path, orttosim.APIKey, tc.body)
			assert.Equal(t, http.StatusBadRequest, status)
			assertOrttoError(t, b, 400, `unknown field "`+tc.field+`"`)
			assert.Contains(t, string(b), `"details":[{"status":"invalid"`, "the recorded 400 shape")
			after, err := sim.State()
			require.NoError(t, err)
			assert.JSONEq(t, string(before), string(after), "a refused call changes nothing")
		})
	}
}
