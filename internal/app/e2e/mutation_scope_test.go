package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/policy/auth"
	"github.com/switchyard/switchyard/vendors/apptivo"
	"github.com/switchyard/switchyard/vendors/cordial"
)

const writeOnlyKey = "write-only-key-0123456789abcdef"

func withWriteOnlyKey(t testing.TB) gatewaytest.Option {
	file := filepath.Join(t.TempDir(), "keys")
	require.NoError(t, os.WriteFile(file, []byte(auth.HashKey(writeOnlyKey)+" write\n"), 0o600))
	authn, err := auth.New(auth.Config{APIKeysFile: file})
	require.NoError(t, err)
	return func(s *gatewaytest.Setup) { s.Options.Auth = authn }
}

// writes counts the vendor calls that change something.
func writes(e *env, vendor string) int {
	n := 0
	for _, c := range e.APICalls(vendor) {
		if c.Method == http.MethodPut || strings.Contains(c.Query+"&"+c.Body, "a=update") {
			n++
		}
	}
	return n
}

// TestWriteOnlyKeyCannotReadThroughMutations (issue 18, item 2): a key
// with write but not read updated a customer with a change that changed
// nothing and read the whole record back. Now every field of the record
// but its id needs read, and an update that would send the record it read
// does not call the vendor's update.
func TestWriteOnlyKeyCannotReadThroughMutations(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withWriteOnlyKey(t))
	cases := []struct {
		name, vendor, mutation string
	}{
		{"apptivo customer", apptivo.Name, `mutation { updateCustomer(id: "1001", input: {customAttributes: []}) { id name primaryEmail phoneNumbers { number } addresses { line1 city } } }`},
		{"cordial list", cordial.Name, `mutation { updateAccountList(id: "1", input: {enhanced: true}) { id name enhanced } }`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := writes(e, tc.vendor)
			r := e.queryAs(writeOnlyKey, tc.mutation)
			assert.Contains(t, r.Codes(), "FORBIDDEN", r.Raw)
			assert.NotContains(t, r.Raw, `"name":"`, "no vendor data for a key without read")
			assert.NotContains(t, r.Raw, `"primaryEmail":"`)
			assert.Equal(t, before, writes(e, tc.vendor), "a change that changes nothing is not sent: %v", e.APICalls(tc.vendor))
		})
	}
	r := e.queryAs(writeOnlyKey, `mutation { updateAccountList(id: "1", input: {enhanced: true}) { id } }`)
	require.Empty(t, r.Errors, r.Raw)
	assert.JSONEq(t, `{"updateAccountList":{"id":"1"}}`, string(r.Data), "the id is the mutation's outcome")
}
