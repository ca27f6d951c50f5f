package e2e

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/policy/errcode"
	"github.com/switchyard/switchyard/internal/policy/persisted"
)

// GraphQL Code Generator's client preset, with persisted documents,
// sends {"documentId": "sha256:<hex>"} (GraphQL over HTTP's persisted
// documents) and writes persisted-documents.json as {"<hex>": "<document>"}.
// The gateway serves such a request from its manifest, with or without
// the prefix, by POST or GET, with APQ beside the manifest or in safelist
// mode.
func TestDocumentID(t *testing.T) {
	t.Parallel()
	const doc = "query Lists { accountLists { id name } }"
	hash := sha256Hex(doc)
	const other = "query Gateway { gateway { version } }"
	otherHash := sha256Hex(other)
	manifest, err := persisted.ParseManifest([]byte(mustJSON(t, map[string]string{
		hash:                     doc,
		"sha256:" + otherHash:    other, // a manifest keyed by the documentId form
		"custom-id-of-version-q": other,
	})))
	require.NoError(t, err)

	for _, only := range []bool{false, true} {
		name := "beside APQ"
		if only {
			name = "safelist"
		}
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, func(s *gatewaytest.Setup) { s.Options.Manifest, s.Options.PersistedOnly = manifest, only })
			post := func(body map[string]any) *gatewaytest.Response {
				return e.Post("application/json", []byte(mustJSON(t, body)))
			}
			for _, id := range []string{"sha256:" + hash, hash} {
				r := post(map[string]any{"documentId": id})
				require.Equal(t, http.StatusOK, r.Status, r.Raw)
				require.Empty(t, r.Errors, "documentId %q: %s", id, r.Raw)
				assert.Contains(t, string(r.Data), `"accountLists"`, r.Raw)
			}
			for _, id := range []string{"sha256:" + otherHash, otherHash, "custom-id-of-version-q"} {
				r := post(map[string]any{"documentId": id, "operationName": "Gateway"})
				require.Empty(t, r.Errors, "documentId %q: %s", id, r.Raw)
				assert.Contains(t, string(r.Data), `"version"`, r.Raw)
			}

			// By GET, as a CDN-friendly client sends it: cacheable.
			req, err := http.NewRequest(http.MethodGet, e.Server.URL+"/query?documentId="+url.QueryEscape("sha256:"+hash), nil)
			require.NoError(t, err)
			req.Header.Set("Apollo-Require-Preflight", "true")
			get := e.Send(req)
			require.Equal(t, http.StatusOK, get.Status, get.Raw)
			require.Empty(t, get.Errors, get.Raw)
			assert.Contains(t, string(get.Data), `"accountLists"`)
			assert.NotEmpty(t, get.Header.Get("ETag"), "a document sent by id is cacheable")

			// A POST by documentId alone is cacheable too, like one by
			// extensions.persistedQuery alone.
			byID := post(map[string]any{"documentId": "sha256:" + hash})
			assert.NotEmpty(t, byID.Header.Get("ETag"), byID.Raw)

			unknown := post(map[string]any{"documentId": "sha256:" + sha256Hex("{ nope }")})
			assert.False(t, unknown.HasData(), unknown.Raw)
			want := persisted.CodeNotFound
			if only {
				want = persisted.CodeNotAllowed
			}
			assert.Equal(t, []string{want}, unknown.Codes(), unknown.Raw)
		})
	}

	t.Run("bad requests", func(t *testing.T) {
		e := newEnv(t, func(s *gatewaytest.Setup) { s.Options.Manifest = manifest })
		cases := []struct {
			name string
			body map[string]any
			msg  string
		}{
			{"query and documentId", map[string]any{"query": doc, "documentId": "sha256:" + hash}, "not both"},
			{"documentId and persistedQuery", map[string]any{"documentId": "sha256:" + hash,
				"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}}, "not both"},
			{"documentId not a string", map[string]any{"documentId": 42}, "documentId must be a string"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := e.Post("application/json", []byte(mustJSON(t, tc.body)))
				assert.Equal(t, http.StatusBadRequest, r.Status, r.Raw)
				assert.Equal(t, []string{errcode.BadRequest}, r.Codes(), r.Raw)
				require.Len(t, r.Errors, 1)
				assert.Contains(t, r.Errors[0].Message, tc.msg)
			})
		}
	})
}
