package persisted_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/policy/persisted"
)

const (
	versionQuery  = "query Version { gateway { version } }"
	sandboxQuery  = "query Sandbox { gateway { sandbox } }"
	customID      = "version-v1"
	apolloFixture = `{
  "format": "apollo-persisted-query-manifest",
  "version": 1,
  "operations": [
    {"id": "version-v1", "body": "query Version { gateway { version } }", "name": "Version", "type": "query"},
    {"id": "` + sandboxHash + `", "body": "query Sandbox { gateway { sandbox } }", "name": "Sandbox", "type": "query"}
  ]
}`
	// sandboxHash is sha256(sandboxQuery).
	sandboxHash = "948e4708f97a0bff74efaafcb9ec38a21345a2132b8dc1a0eead333c31c923e3"
)

func TestParseManifestFormats(t *testing.T) {
	apollo, err := persisted.ParseManifest([]byte(apolloFixture))
	require.NoError(t, err)
	simple, err := persisted.ParseManifest([]byte(`{"version-v1": "query Version { gateway { version } }", "other": "query Sandbox { gateway { sandbox } }"}`))
	require.NoError(t, err)

	for name, m := range map[string]*persisted.Manifest{"apollo": apollo, "id map": simple} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, 2, m.Len())
			q, ok := m.Lookup(customID)
			require.True(t, ok, "found by its id")
			assert.Equal(t, versionQuery, q)
			q, ok = m.Lookup(hashOf(versionQuery))
			require.True(t, ok, "found by the SHA-256 of its body, whatever its id")
			assert.Equal(t, versionQuery, q)
			_, ok = m.Lookup(hashOf("{ gateway { version } }"))
			assert.False(t, ok)
			_, ok = m.Lookup("")
			assert.False(t, ok)
		})
	}
}

func TestManifestAllows(t *testing.T) {
	m, err := persisted.ParseManifest([]byte(apolloFixture))
	require.NoError(t, err)
	tests := []struct {
		name  string
		query string
		want  bool
	}{
		{"exact body", versionQuery, true},
		{"other body", sandboxQuery, true},
		{"whitespace, commas and comments differ", "# the version\nquery Version {\n  gateway {\n    version,\n  }\n}\n", true},
		{"another field", "query Version { gateway { version sandbox } }", false},
		{"another operation name", "query V { gateway { version } }", false},
		{"anonymous form", "{ gateway { version } }", false},
		{"two operations, one listed", versionQuery + " " + "query X { gateway { vendors { name } } }", false},
		{"not GraphQL", "query Version { gateway {", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, m.Allows(tt.query))
		})
	}
}

func TestParseManifestErrors(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"not JSON", `[`, "not a JSON object"},
		{"an array", `[]`, "not a JSON object"},
		{"unknown format", `{"format": "relay", "version": 1}`, `unknown manifest format "relay"`},
		{"apollo version 2", `{"format": "apollo-persisted-query-manifest", "version": 2, "operations": []}`, "version 2 is not supported"},
		{"apollo empty id", `{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id": "", "body": "{ a }"}]}`, "empty id"},
		{"apollo empty body", `{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id": "x", "body": ""}]}`, `"x" has an empty body`},
		{"apollo bad type", `{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id": "x", "body": "{ a }", "type": "fragment"}]}`, `unknown type "fragment"`},
		{"apollo duplicate id", `{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id": "x", "body": "{ a }"}, {"id": "x", "body": "{ b }"}]}`, "two different documents"},
		{"invalid GraphQL", `{"x": "query {"}`, `"x" is not a valid GraphQL document`},
		{"map value not a string", `{"x": 1}`, `"x": the value is not a string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := persisted.ParseManifest([]byte(tt.data))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestLoadManifest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "manifest.json")
	require.NoError(t, os.WriteFile(path, []byte(apolloFixture), 0o600))
	m, err := persisted.LoadManifest(path)
	require.NoError(t, err)
	assert.Equal(t, 2, m.Len())

	_, err = persisted.LoadManifest(filepath.Join(t.TempDir(), "missing.json"))
	require.Error(t, err)
	require.NoError(t, os.WriteFile(path, []byte(`{"x": 1}`), 0o600))
	_, err = persisted.LoadManifest(path)
	require.ErrorContains(t, err, path, "the error names the file")
}

func TestConfigValidate(t *testing.T) {
	require.NoError(t, persisted.Config{}.Validate())
	require.NoError(t, persisted.Config{ManifestPath: "/m.json"}.Validate(), "manifest only: ids served, APQ stays on")
	require.NoError(t, persisted.Config{Only: true, ManifestPath: "/m.json"}.Validate())
	require.ErrorContains(t, persisted.Config{Only: true}.Validate(), "needs SWITCHYARD_PERSISTED_MANIFEST", "a safelist without a manifest refuses everything")
}

func TestConfigLoadManifest(t *testing.T) {
	m, err := persisted.Config{}.LoadManifest()
	require.NoError(t, err)
	assert.Nil(t, m, "no path, no manifest")
	path := filepath.Join(t.TempDir(), "m.json")
	require.NoError(t, os.WriteFile(path, []byte(apolloFixture), 0o600))
	m, err = persisted.Config{ManifestPath: path}.LoadManifest()
	require.NoError(t, err)
	assert.Equal(t, 2, m.Len())
}
