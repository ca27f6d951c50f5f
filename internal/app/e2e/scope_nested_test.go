package e2e

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/policy/auth"
	"github.com/switchyard/switchyard/vendors/appdirect/appdirectsim"
)

// Keys with a single scope, or read plus one, for the nested-field tests
// (issue 9 item 5: scopes used to stop at the root fields).
const (
	nestedWriteOnlyKey       = "nested-write-only-0123456789abcdef"
	nestedDestructiveOnlyKey = "nested-destructive-only-0123456789"
	nestedReadWriteKey       = "nested-read-write-0123456789abcdef"
	nestedReadDestructiveKey = "nested-read-destructive-0123456789"
)

func withNestedScopeKeys(t *testing.T) gatewaytest.Option {
	file := filepath.Join(t.TempDir(), "keys")
	lines := []string{
		auth.HashKey(nestedWriteOnlyKey) + " write",
		auth.HashKey(nestedDestructiveOnlyKey) + " destructive",
		auth.HashKey(nestedReadWriteKey) + " read write",
		auth.HashKey(nestedReadDestructiveKey) + " read destructive",
	}
	require.NoError(t, os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o600))
	authn, err := auth.New(auth.Config{APIKeysFile: file})
	require.NoError(t, err)
	return func(s *gatewaytest.Setup) { s.Options.Auth = authn }
}

// vendorOps names each simulator request of the last operation: the
// Apptivo action (`a`), or the method and path of the other vendors.
// AppDirect's token requests are left out: they happen outside any
// client request.
func vendorOps(t *testing.T, e *env) []string {
	t.Helper()
	var ops []string
	for _, en := range e.Sandbox.Recorder.Entries() {
		switch {
		case en.Vendor == "apptivo":
			q, err := url.ParseQuery(en.Query)
			require.NoError(t, err)
			ops = append(ops, "apptivo "+q.Get("a"))
		case strings.HasSuffix(en.Path, "/oauth2/token"):
		default:
			ops = append(ops, en.Vendor+" "+en.Method+" "+en.Path)
		}
	}
	return ops
}

// TestReadScopeGuardsNestedVendorFields: a token without `read` gets the
// result of the write it may make, but every nested field that reads
// other records (a cross-vendor link, or the record of a dry-run payload)
// is FORBIDDEN on its own, is null, and costs no vendor call. The same
// documents with `read` added get the data.
func TestReadScopeGuardsNestedVendorFields(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withNestedScopeKeys(t))

	// Ada's email: Ortto knows a person with it, and that person links back
	// to the demo Apptivo customer 1001, whose phone and address a write-only
	// client must not read.
	createCustomer := `mutation($name: String!) {
		createCustomer(input: {name: $name, emailAddresses: [{address: "ada.lovelace@example.com"}]}) {
			id name
			person { id subscriptions { audienceName } customers { id phoneNumbers { number } addresses { city } } }
		}
	}`
	deleteCustomerDry := `mutation {
		deleteCustomer(id: "1001", dryRun: true) {
			id dryRun
			customer { id phoneNumbers { number } person { id customers { id addresses { city } } } }
		}
	}`
	deleteAccountDry := `mutation {
		deleteAccount(input: {accountId: "` + appdirectsim.DemoKatherineAccountID + `"}, dryRun: true) {
			dryRun account { id name company { phoneNumber } }
		}
	}`
	// A write-only key gets the record's id and nothing the vendor holds
	// (issue 18): name is non-null, so asking for it would null the record.
	createCustomerW := `mutation($name: String!) {
		createCustomer(input: {name: $name, emailAddresses: [{address: "ada.lovelace@example.com"}]}) {
			id
			person { id subscriptions { audienceName } customers { id phoneNumbers { number } addresses { city } } }
		}
	}`
	createList := `mutation($name: String!) { createAccountList(input: {name: $name}) { id name contactCount } }`
	deleteListDry := `mutation { deleteAccountList(id: "3", dryRun: true) { id dryRun accountList { id contactCount } } }`

	tests := []struct {
		name string
		key  string
		doc  string
		vars map[string]any
		// forbidden are the dot paths of the fields that must fail with
		// FORBIDDEN (scope read) and be null in data.
		forbidden []string
		// present are dot paths in data that must be non-null.
		present []string
		ops     []string
	}{
		{
			name: "write-only createCustomer: its id, not its person",
			key:  nestedWriteOnlyKey, doc: createCustomerW, vars: map[string]any{"name": "Scope Nested W"},
			forbidden: []string{"createCustomer.person"},
			present:   []string{"createCustomer.id"},
			ops:       []string{"apptivo save"},
		},
		{
			name: "read+write createCustomer: person and linked customers",
			key:  nestedReadWriteKey, doc: createCustomer, vars: map[string]any{"name": "Scope Nested RW"},
			present: []string{"createCustomer.id", "createCustomer.person.id", "createCustomer.person.customers"},
			ops:     []string{"apptivo save", "ortto POST /v1/person/subscriptions", "apptivo getAllByAdvancedSearch"},
		},
		{
			name: "destructive-only deleteCustomer dry run: the verdict, not the record",
			key:  nestedDestructiveOnlyKey, doc: deleteCustomerDry,
			forbidden: []string{"deleteCustomer.customer"},
			present:   []string{"deleteCustomer.id", "deleteCustomer.dryRun"},
			ops:       []string{"apptivo getById"},
		},
		{
			name: "read+destructive deleteCustomer dry run: the record and its links",
			key:  nestedReadDestructiveKey, doc: deleteCustomerDry,
			present: []string{"deleteCustomer.customer.id", "deleteCustomer.customer.person.id", "deleteCustomer.customer.person.customers"},
			ops:     []string{"apptivo getById", "ortto POST /v1/person/subscriptions", "apptivo getAllByAdvancedSearch"},
		},
		{
			name: "destructive-only deleteAccount dry run: no account, no company",
			key:  nestedDestructiveOnlyKey, doc: deleteAccountDry,
			forbidden: []string{"deleteAccount.account"},
			present:   []string{"deleteAccount.dryRun"},
			ops:       []string{"appdirect POST /api/graphql"},
		},
		{
			name: "read+destructive deleteAccount dry run: account and company",
			key:  nestedReadDestructiveKey, doc: deleteAccountDry,
			present: []string{"deleteAccount.account.id", "deleteAccount.account.company"},
			ops:     []string{"appdirect POST /api/graphql", "appdirect GET /api/account/v2/companies/" + appdirectsim.DemoKatherineAccountID},
		},
		{
			name: "write-only createAccountList: its id, not its count",
			key:  nestedWriteOnlyKey, doc: `mutation($name: String!) { createAccountList(input: {name: $name}) { id contactCount } }`, vars: map[string]any{"name": "scope_nested_w"},
			forbidden: []string{"createAccountList.contactCount"},
			present:   []string{"createAccountList.id"},
			ops:       []string{"cordial POST /v2/accountlists"},
		},
		{
			name: "read+write createAccountList: with its count",
			key:  nestedReadWriteKey, doc: createList, vars: map[string]any{"name": "scope_nested_rw"},
			present: []string{"createAccountList.id", "createAccountList.contactCount"},
		},
		{
			name: "destructive-only deleteAccountList dry run: no list",
			key:  nestedDestructiveOnlyKey, doc: deleteListDry,
			forbidden: []string{"deleteAccountList.accountList"},
			present:   []string{"deleteAccountList.id", "deleteAccountList.dryRun"},
			ops:       []string{"cordial GET /v2/accountlists/3"},
		},
		{
			name: "read+destructive deleteAccountList dry run: list and count",
			key:  nestedReadDestructiveKey, doc: deleteListDry,
			present: []string{"deleteAccountList.accountList.id", "deleteAccountList.accountList.contactCount"},
			ops:     []string{"cordial GET /v2/accountlists/3", "cordial GET /v2/accountlists/3/count"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.Sandbox.Recorder.Clear()
			r := e.Query(tc.doc, tc.vars, "Authorization", "Bearer "+tc.key)
			require.True(t, r.HasData(), r.Raw)
			var data map[string]any
			require.NoError(t, json.Unmarshal(r.Data, &data), r.Raw)

			require.Len(t, r.Errors, len(tc.forbidden), r.Raw)
			for i, f := range tc.forbidden {
				got := r.Errors[i]
				assert.Equal(t, "FORBIDDEN", got.Extensions["code"], r.Raw)
				assert.Equal(t, "read", got.Extensions["scope"], r.Raw)
				assert.Equal(t, f, joinPath(got.Path), r.Raw)
				v, ok := lookup(data, f)
				assert.True(t, ok, "%s is in the data: %s", f, r.Raw)
				assert.Nil(t, v, "%s is null: %s", f, r.Raw)
			}
			for _, p := range tc.present {
				v, ok := lookup(data, p)
				assert.True(t, ok && v != nil, "%s is not null: %s", p, r.Raw)
			}
			if tc.ops != nil {
				assert.ElementsMatch(t, tc.ops, vendorOps(t, e), "vendor calls; a forbidden field calls none")
			}
			// Nothing of the demo customer 1001 reaches a client without read.
			if len(tc.forbidden) > 0 {
				for _, secret := range []string{"+44 20 7946 0001", "London"} {
					assert.NotContains(t, string(r.Data), secret, r.Raw)
				}
			}
		})
	}
}

// TestReadScopeNestedAliasesAndFragments: the guard is on the field, so
// aliases, fragments and repeated selections of a guarded field are each
// FORBIDDEN, and a query (which needs read anyway) is unchanged.
func TestReadScopeNestedAliasesAndFragments(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withNestedScopeKeys(t))

	e.Sandbox.Recorder.Clear()
	r := e.Query(`mutation {
		updateCustomer(id: "1002", input: {website: "https://hopper.example"}) {
			website
			p: person { id }
			...F
		}
	}
	fragment F on Customer { person { customers { phoneNumbers { number } } } }`, nil, "Authorization", "Bearer "+nestedWriteOnlyKey)
	require.True(t, r.HasData(), r.Raw)
	assert.JSONEq(t, `{"updateCustomer":{"website":null,"p":null,"person":null}}`, string(r.Data), "every field of the record needs read, as in a query")
	require.Len(t, r.Errors, 3, r.Raw)
	for _, er := range r.Errors {
		assert.Equal(t, "FORBIDDEN", er.Extensions["code"], r.Raw)
		assert.Equal(t, "read", er.Extensions["scope"], r.Raw)
	}
	assert.Equal(t, []string{"apptivo getById", "apptivo update"}, vendorOps(t, e), "only the update's own read of the record: no Ortto or Apptivo search call")

	r = e.Query(`{ customer(id: "1002") { person { customers { id } } } }`, nil, "Authorization", "Bearer "+nestedReadWriteKey)
	require.Empty(t, r.Errors, r.Raw)
	assert.JSONEq(t, `{"customer":{"person":{"customers":[{"id":"1002"}]}}}`, string(r.Data))
}

func joinPath(p []any) string {
	parts := make([]string, 0, len(p))
	for _, s := range p {
		b, _ := json.Marshal(s)
		parts = append(parts, strings.Trim(string(b), `"`))
	}
	return strings.Join(parts, ".")
}

// lookup follows a dot path through decoded JSON objects; ok is false when
// a key is missing or a value on the way is not an object.
func lookup(data map[string]any, path string) (v any, ok bool) {
	var cur any = data
	for _, k := range strings.Split(path, ".") {
		m, isMap := cur.(map[string]any)
		if !isMap {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// TestDryRunMembersNeedRead: a deleteAccount dry run whose payload selects
// the account's members asks AppDirect for them only for a caller who may
// read them; without `read` the account is FORBIDDEN and the members
// (other people's emails and roles) are not fetched at all.
func TestDryRunMembersNeedRead(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withNestedScopeKeys(t))
	doc := `mutation {
		deleteAccount(input: {accountId: "` + appdirectsim.DemoKatherineAccountID + `"}, dryRun: true) {
			dryRun account { id accountMemberships { nodes { user { email } roles } } }
		}
	}`
	for _, tc := range []struct {
		key         string
		fetched     bool
		wantErrCode string
	}{
		{key: nestedDestructiveOnlyKey, fetched: false, wantErrCode: "FORBIDDEN"},
		{key: nestedReadDestructiveKey, fetched: true},
	} {
		t.Run(tc.key, func(t *testing.T) {
			e.Sandbox.Recorder.Clear()
			r := e.Query(doc, nil, "Authorization", "Bearer "+tc.key)
			require.True(t, r.HasData(), r.Raw)
			if tc.wantErrCode != "" {
				require.Len(t, r.Errors, 1, r.Raw)
				assert.Equal(t, tc.wantErrCode, r.Errors[0].Extensions["code"], r.Raw)
			} else {
				assert.Empty(t, r.Errors, r.Raw)
			}
			calls := e.Calls("appdirect")
			require.NotEmpty(t, calls, "the dry run looks the account up")
			asked := false
			for _, c := range calls {
				asked = asked || strings.Contains(c.Body, "accountMemberships")
			}
			assert.Equal(t, tc.fetched, asked, "accountMemberships in the query sent to AppDirect")
		})
	}
}
