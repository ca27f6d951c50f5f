package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/base/simkit"
)

const listsQuery = `{ accountLists { id name } }`

// getQuery sends q with GET, as a non-browser client does (with the
// CSRF-prevention header), with extra headers as name, value pairs.
func (e *env) getQuery(q string, header ...string) *gatewaytest.Response {
	e.T.Helper()
	return e.getParams(url.Values{"query": {q}}, header...)
}

func (e *env) getParams(params url.Values, header ...string) *gatewaytest.Response {
	e.T.Helper()
	req, err := http.NewRequest(http.MethodGet, e.Server.URL+"/query?"+params.Encode(), nil)
	require.NoError(e.T, err)
	req.Header.Set(getPreflight, "true")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return e.Send(req)
}

// persistedExt is extensions.persistedQuery for q, JSON-encoded.
func persistedExt(q string) string {
	sum := sha256.Sum256([]byte(q))
	return `{"persistedQuery":{"version":1,"sha256Hash":"` + hex.EncodeToString(sum[:]) + `"}}`
}

// postPersisted registers q by hash and query (a POST with the text, which
// HTTP caching leaves alone), then sends it by hash alone.
func (e *env) postPersisted(q string, header ...string) (register, byHash *gatewaytest.Response) {
	e.T.Helper()
	full, err := json.Marshal(map[string]any{"query": q, "extensions": json.RawMessage(persistedExt(q))})
	require.NoError(e.T, err)
	register = e.Post(mediaJSON, full, header...)
	require.Empty(e.T, register.Errors, register.Raw)
	byHash = e.Post(mediaJSON, []byte(`{"extensions":`+persistedExt(q)+`}`), header...)
	return register, byHash
}

func TestHTTPCacheControl(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	authed := newEnv(t, withAPIKeys(t))
	failing := newEnv(t)
	failing.Sandbox.Faults.Set(simkit.Fault{Vendor: "cordial", Status: http.StatusInternalServerError})
	// Every cached read expires at once, so the query after the fault is
	// answered from the cache as stale.
	stale := newEnv(t, gatewaytest.WithCache(time.Nanosecond))
	require.Empty(t, stale.getQuery(listsQuery).Errors)
	stale.Sandbox.Faults.Set(simkit.Fault{Vendor: "cordial", Status: http.StatusServiceUnavailable})

	cases := []struct {
		name string
		send func() *gatewaytest.Response
		want string // Cache-Control; "" for none at all
		etag bool   // an ETag is expected
	}{
		{"hinted field, open gateway", func() *gatewaytest.Response { return e.getQuery(listsQuery) }, "public, max-age=30", true},
		{"the field's own maxAge", func() *gatewaytest.Response { return e.getQuery(`{ customerConfig { statuses { id } } }`) }, "public, max-age=600", true},
		{"the shortest maxAge wins", func() *gatewaytest.Response {
			return e.getQuery(`{ customerConfig { statuses { id } } accountLists { id } }`)
		}, "public, max-age=30", true},
		{"a nested hinted field counts", func() *gatewaytest.Response {
			return e.getQuery(`{ customerConfig { statuses { id } } accountList(id: "1") { contactCount } }`)
		}, "public, max-age=30", true},
		{"a root field without a hint", func() *gatewaytest.Response {
			return e.getQuery(`{ gateway { version } accountLists { id } }`)
		}, "public, no-cache", true},
		{"no field at all", func() *gatewaytest.Response { return e.getQuery(`{ __typename }`) }, "public, no-cache", true},
		{"Authorization on the open gateway", func() *gatewaytest.Response {
			return e.getQuery(listsQuery, "Authorization", "Bearer whatever")
		}, "private, max-age=30", true},
		{"a cookie", func() *gatewaytest.Response { return e.getQuery(listsQuery, "Cookie", "session=1") }, "private, max-age=30", true},
		{"authenticated", func() *gatewaytest.Response {
			return authed.getQuery(listsQuery, "Authorization", "Bearer "+readerKey)
		}, "private, max-age=30", true},
		{"a field error", func() *gatewaytest.Response { return failing.getQuery(listsQuery) }, "no-store", false},
		{"a stale field", func() *gatewaytest.Response { return stale.getQuery(listsQuery) }, "no-store", false},
		{"an unknown key", func() *gatewaytest.Response {
			return authed.getQuery(listsQuery, "Authorization", "Bearer "+readerKey+"x")
		}, "no-store", false},
		{"a validation error", func() *gatewaytest.Response { return e.getQuery(`{ nope }`) }, "no-store", false},
		{"a GET mutation", func() *gatewaytest.Response {
			return e.getQuery(`mutation { deleteAccountList(id: "1", dryRun: true) { success } }`)
		}, "no-store", false},
		{"a plan", func() *gatewaytest.Response { return e.getQuery(listsQuery, "X-Switchyard-Plan", "true") }, "no-store", false},
		{"a cost report", func() *gatewaytest.Response { return e.getQuery(listsQuery, "X-Switchyard-Cost", "true") }, "no-store", false},
		{"POST with the query text", func() *gatewaytest.Response { return e.Query(listsQuery, nil) }, "", false},
		{"persisted query by hash, POST", func() *gatewaytest.Response {
			_, r := e.postPersisted(`{ accountLists { id } }`)
			return r
		}, "public, max-age=30", true},
		{"persisted query by hash, GET", func() *gatewaytest.Response {
			e.postPersisted(`{ accountLists { name } }`)
			return e.getParams(url.Values{"extensions": {persistedExt(`{ accountLists { name } }`)}})
		}, "public, max-age=30", true},
		{"persisted mutation by hash", func() *gatewaytest.Response {
			_, r := e.postPersisted(`mutation { deleteAccountList(id: "1", dryRun: true) { success } }`)
			require.Empty(t, r.Errors, r.Raw)
			return r
		}, "no-store", false},
		{"persisted query by hash with @defer, streamed", func() *gatewaytest.Response {
			_, r := e.postPersisted(`{ customers(first: 1) { nodes { name ... @defer { person { id } } } } }`,
				"Accept", "multipart/mixed; deferSpec=20220824")
			require.Equal(t, "multipart/mixed", mediaType(r.Header.Get("Content-Type")), r.Raw)
			require.Contains(t, r.Raw, `"hasNext":false`)
			return r
		}, "no-store", false},
		{"persisted query registered with its text", func() *gatewaytest.Response {
			r, _ := e.postPersisted(`{ accountLists { id name } a: accountLists { id } }`)
			return r
		}, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.send()
			assert.Equal(t, tc.want, r.Header.Get("Cache-Control"), r.Raw)
			if tc.etag {
				assert.Equal(t, http.StatusOK, r.Status, r.Raw)
				assert.Empty(t, r.Errors, r.Raw)
				assert.Regexp(t, `^"[A-Za-z0-9_-]{43}"$`, r.Header.Get("ETag"))
			} else {
				assert.Empty(t, r.Header.Get("ETag"), r.Raw)
			}
			if tc.want != "" {
				vary := strings.Join(r.Header.Values("Vary"), ", ")
				assert.Contains(t, vary, "Authorization")
				assert.Contains(t, vary, "Accept")
				assert.Contains(t, vary, "Origin")
			}
		})
	}
	t.Run("the errors are errors", func(t *testing.T) {
		assert.NotEmpty(t, failing.getQuery(listsQuery).Errors)
		marks := staleExt(t, stale.getQuery(listsQuery).Raw)
		assert.NotEmpty(t, marks, "the stale case is served stale")
	})
}

func TestHTTPETagRevalidation(t *testing.T) {
	t.Parallel()
	// With the read cache on, a revalidation costs no vendor call either.
	e := newEnv(t, gatewaytest.WithCache(time.Minute))
	first := e.getQuery(listsQuery)
	require.Equal(t, http.StatusOK, first.Status, first.Raw)
	require.NotEmpty(t, first.Data)
	etag := first.Header.Get("ETag")
	require.NotEmpty(t, etag)

	t.Run("the same response gets the same ETag", func(t *testing.T) {
		assert.Equal(t, etag, e.getQuery(listsQuery).Header.Get("ETag"))
	})
	t.Run("another media type gets another", func(t *testing.T) {
		r := e.getQuery(listsQuery, "Accept", mediaGQLResp)
		require.Equal(t, mediaGQLResp, mediaType(r.Header.Get("Content-Type")))
		assert.NotEqual(t, etag, r.Header.Get("ETag"))
	})

	for _, tc := range []struct {
		name        string
		ifNoneMatch string
		status      int
	}{
		{"matching", etag, http.StatusNotModified},
		{"weak form", "W/" + etag, http.StatusNotModified},
		{"in a list", `"other", ` + etag, http.StatusNotModified},
		{"star", "*", http.StatusNotModified},
		{"another ETag", `"other"`, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.getQuery(listsQuery, "If-None-Match", tc.ifNoneMatch)
			assert.Equal(t, tc.status, r.Status)
			assert.Equal(t, etag, r.Header.Get("ETag"))
			assert.Equal(t, "public, max-age=30", r.Header.Get("Cache-Control"))
			assert.Contains(t, strings.Join(r.Header.Values("Vary"), ", "), "Authorization")
			if tc.status == http.StatusNotModified {
				assert.Empty(t, r.Raw, "a 304 has no body")
			} else {
				assert.JSONEq(t, first.Raw, r.Raw)
			}
		})
	}
	assert.Len(t, e.APICalls("cordial"), 1, "one vendor call for all of them")

	t.Run("a changed response gets another ETag and no 304", func(t *testing.T) {
		m := e.Query(`mutation { updateAccountList(id: "1", input: {name: "renamed_by_etag_test"}) { id } }`, nil)
		require.Empty(t, m.Errors, m.Raw)
		r := e.getQuery(listsQuery, "If-None-Match", etag)
		assert.Equal(t, http.StatusOK, r.Status)
		assert.Contains(t, r.Raw, "renamed_by_etag_test")
		assert.NotEmpty(t, r.Header.Get("ETag"))
		assert.NotEqual(t, etag, r.Header.Get("ETag"))
	})

	t.Run("no 304 for an error response", func(t *testing.T) {
		r := e.getQuery(`{ nope }`)
		require.NotEmpty(t, r.Errors)
		again := e.getQuery(`{ nope }`, "If-None-Match", "*")
		assert.Equal(t, http.StatusOK, again.Status)
		assert.NotEmpty(t, again.Errors)
	})
}

// An operator who shortens the read cache's TTL gets the same bound on
// max-age: a CDN must not keep for ten minutes what the gateway itself
// refreshes every five seconds. The TTLs as shipped leave the hints alone.
func TestHTTPMaxAgeFollowsAShortenedCacheTTL(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		opt  gatewaytest.Option
		want string
	}{
		{"TTL as shipped", gatewaytest.WithCache(0), "public, max-age=600"},
		{"SWITCHYARD_CACHE_TTL=5s", gatewaytest.WithCache(5 * time.Second), "public, max-age=5"},
		{"APPTIVO_CACHE_TTL=7s", func(s *gatewaytest.Setup) {
			gatewaytest.WithCache(0)(s)
			s.Config.Cache.VendorTTL = map[string]time.Duration{"apptivo": 7 * time.Second}
		}, "public, max-age=7"},
		{"cache off: the hints alone", func(*gatewaytest.Setup) {}, "public, max-age=600"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.opt)
			r := e.getQuery(`{ customerConfig { statuses { id } } }`)
			require.Empty(t, r.Errors, r.Raw)
			assert.Equal(t, tc.want, r.Header.Get("Cache-Control"))
		})
	}
}
