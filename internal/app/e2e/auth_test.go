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
)

const (
	readerKey = "reader-key-0123456789abcdef"
	writerKey = "writer-key-0123456789abcdef"
	adminKey  = "admin-key-0123456789abcdef"
)

// withAPIKeys turns on client authentication with three static keys.
func withAPIKeys(t testing.TB) gatewaytest.Option {
	file := filepath.Join(t.TempDir(), "keys")
	lines := []string{
		auth.HashKey(readerKey) + " read",
		auth.HashKey(writerKey) + " read write",
		auth.HashKey(adminKey) + " read write destructive",
	}
	require.NoError(t, os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o600))
	authn, err := auth.New(auth.Config{APIKeysFile: file})
	require.NoError(t, err)
	return func(s *gatewaytest.Setup) { s.Options.Auth = authn }
}

func (e *env) queryAs(key, q string) *gatewaytest.Response {
	e.T.Helper()
	if key == "" {
		return e.Query(q, nil)
	}
	return e.Query(q, nil, "Authorization", "Bearer "+key)
}

func TestScopesGuardEveryVendorCall(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withAPIKeys(t))

	r := e.queryAs("", `{ accountLists { name } }`)
	assert.Equal(t, http.StatusUnauthorized, r.Status)
	assert.True(t, strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer"))
	assert.Equal(t, []string{"UNAUTHENTICATED"}, r.Codes())
	r = e.queryAs("not-a-key", `{ accountLists { name } }`)
	assert.Equal(t, http.StatusUnauthorized, r.Status)
	assert.NotContains(t, r.Raw, "not-a-key")
	assert.Empty(t, e.Sandbox.Recorder.Entries(), "no vendor call for an unauthenticated client")

	r = e.queryAs(readerKey, `{ accountLists { name } }`)
	require.Empty(t, r.Errors, r.Raw)

	destructive := []string{
		`mutation { deleteAccountList(id: "1") { success } }`,
		`mutation { clearAccountList(id: "1") { success } }`,
		`mutation { deleteCustomer(id: "1001") { success } }`,
		`mutation { archiveAccounts(input: {inclusionIds: ["106905f9252dad244f055800"]}) { archivedAccounts } }`,
		`mutation { deleteAccount(input: {accountId: "x"}) { success } }`,
		`mutation { deleteAccountList(id: "1", dryRun: true) { dryRun } }`,
	}
	for _, key := range []string{readerKey, writerKey} {
		for _, q := range destructive {
			e.Sandbox.Recorder.Clear()
			r := e.queryAs(key, q)
			assert.Equal(t, []string{"FORBIDDEN"}, r.Codes(), r.Raw)
			assert.Equal(t, "destructive", r.Errors[0].Extensions["scope"])
			assert.Empty(t, e.Sandbox.Recorder.Entries(), "the vendor is never called without the scope: %s", q)
		}
	}
	r = e.queryAs(readerKey, `mutation { createAccountList(input: {name: "from-reader"}) { id } }`)
	assert.Equal(t, []string{"FORBIDDEN"}, r.Codes(), r.Raw)
	r = e.queryAs(writerKey, `mutation { createAccountList(input: {name: "from-writer"}) { id } }`)
	require.Empty(t, r.Errors, r.Raw)
	r = e.queryAs(adminKey, `mutation { deleteAccountList(id: "4") { success } }`)
	require.Empty(t, r.Errors, r.Raw)
}
