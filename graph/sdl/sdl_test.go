package sdl_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/switchyard/switchyard/graph/generated"
	"github.com/switchyard/switchyard/graph/sdl"
)

func schema() *ast.Schema { return generated.NewExecutableSchema(generated.Config{}).Schema() }

// Federation must not change what clients see: the client SDL printed from
// the federated schema is the committed graph/schema.graphql, which
// internal/app/e2e's TestCommittedSDLMatchesServedSchema ties to
// GET /schema.graphql.
func TestClientSDLIsTheCommittedSchema(t *testing.T) {
	committed, err := os.ReadFile("../schema.graphql")
	require.NoError(t, err)
	assert.Equal(t, string(committed), sdl.ClientSDL(schema()),
		"graph/schema.graphql is stale: run go test ./internal/app/e2e -run TestCommittedSDL -update")
}

func TestClientSDLHasNoFederation(t *testing.T) {
	out := sdl.ClientSDL(schema())
	for _, s := range []string{"_service", "_entities", "_Any", "_Entity", "_Service", "FieldSet", "Representation",
		"@key", "@link", "@entityResolver", "@shareable", "directive @external", "specs.apollo.dev", "federation__"} {
		assert.False(t, strings.Contains(out, s), "the client SDL has %q", s)
	}
	// What clients use is all there.
	for _, s := range []string{"type Account {", "type Person {", "directive @hasScope(scope: Scope!) on FIELD_DEFINITION",
		"@hasScope(scope: READ)", "\"\"\"\nA person in Ortto"} {
		assert.True(t, strings.Contains(out, s), "the client SDL lacks %q", s)
	}
	// It is a schema a client tool can load on its own.
	_, gqlErr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: out})
	require.Nil(t, gqlErr)
}

// The executable schema keeps everything a router needs; ClientSchema
// works on a copy.
func TestClientSchemaLeavesTheExecutableSchemaAlone(t *testing.T) {
	s := schema()
	c := sdl.ClientSchema(s)
	require.NotNil(t, s.Types["_Entity"])
	require.NotNil(t, s.Query.Fields.ForName("_entities"))
	require.NotNil(t, s.Types["Person"].Directives.ForName("key"))
	require.NotNil(t, s.Directives["key"])

	assert.Nil(t, c.Types["_Entity"])
	assert.Nil(t, c.Types["_Any"])
	assert.Nil(t, c.Query.Fields.ForName("_entities"))
	assert.Nil(t, c.Query.Fields.ForName("_service"))
	assert.Nil(t, c.Types["Person"].Directives.ForName("key"))
	assert.Nil(t, c.Directives["key"])
	assert.Nil(t, c.Directives["entityResolver"])
	assert.Empty(t, c.SchemaDirectives)
	assert.Same(t, c.Types["Query"], c.Query)
	assert.Same(t, c.Types["Mutation"], c.Mutation)
	for name := range c.Types {
		assert.False(t, strings.HasPrefix(name, "_") && !strings.HasPrefix(name, "__"), name)
	}
	assert.NotNil(t, c.Directives["hasScope"])
	assert.NotNil(t, c.Directives["deprecated"])
}

// Federation composition, and many codegen tools, take a type named Query,
// Mutation or Subscription for that root whatever the schema block says:
// such a type must be the root, which is why Ortto's type is
// AudienceSubscription.
func TestNoTypeTakesARootName(t *testing.T) {
	s := schema()
	roots := map[string]*ast.Definition{"Query": s.Query, "Mutation": s.Mutation, "Subscription": s.Subscription}
	for name, root := range roots {
		if def := s.Types[name]; def != nil {
			assert.Same(t, def, root, "type %s is not the %s root", name, strings.ToLower(name))
		}
	}
}
