package e2e

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
)

func introspection(on bool) gatewaytest.Option {
	return func(s *gatewaytest.Setup) { s.Config.Introspection = on }
}

// TestNoSuggestionsWithoutIntrospection: with introspection off, a
// validation error must not spell out the schema through "Did you mean".
// With it on the suggestions stay (they help in the sandbox), which shows
// the query really does earn one.
func TestNoSuggestionsWithoutIntrospection(t *testing.T) {
	for _, on := range []bool{true, false} {
		e := newEnv(t, introspection(on))
		r := e.Query(`{ acounts { id } customer(id: "1") { nam } }`, nil, "Accept", "application/graphql-response+json")
		require.NotEmpty(t, r.Errors, r.Raw)
		assert.Equal(t, http.StatusBadRequest, r.Status)
		for _, code := range r.Codes() {
			assert.Equal(t, "GRAPHQL_VALIDATION_FAILED", code)
		}
		if on {
			assert.Contains(t, r.Raw, "Did you mean")
		} else {
			assert.NotContains(t, r.Raw, "Did you mean")
			assert.NotContains(t, r.Raw, `\"accounts\"`)
		}
	}
}

// TestNoSuggestionAnywhereWithoutIntrospection (issue 18, item 4): gqlgen's
// switch covers unknown fields only; argument names, type names, input
// fields and enum values still said "Did you mean". Each of them, with
// introspection off, names nothing of the schema the client did not send.
func TestNoSuggestionAnywhereWithoutIntrospection(t *testing.T) {
	docs := map[string]struct{ doc, leak string }{
		"argument name": {`{ customers(firs: 3) { nodes { id } } }`, `first`},
		"type name":     {`{ ...F } fragment F on Quer { gateway { version } }`, `Query`},
		"input field":   {`{ person(ref: {emial: "x@example.com"}) { id } }`, `email`},
		"enum value":    {`{ customers(orderBy: {field: NAM}) { nodes { id } } }`, `NAME`},
		"field":         {`{ gateway { versio } }`, `version`},
	}
	for _, on := range []bool{true, false} {
		e := newEnv(t, introspection(on))
		for name, tc := range docs {
			r := e.Query(tc.doc, nil)
			require.NotEmpty(t, r.Errors, "%s: %s", name, r.Raw)
			if on {
				assert.Contains(t, r.Raw, "Did you mean", "%s: the case earns a suggestion", name)
				continue
			}
			assert.NotContains(t, r.Raw, "Did you mean", name)
			assert.NotContains(t, r.Raw, `\"`+tc.leak+`\"`, "%s names the schema", name)
		}
	}
}

// TestRefusedIntrospectionIsCodedAndQuiet: asking for the schema while
// introspection is off is the client's doing: a 400 with
// INTROSPECTION_DISABLED and one INFO line, not INTERNAL_SERVER_ERROR and
// an ERROR line per probe. Not parallel: it watches slog's default logger,
// where field errors are logged.
func TestRefusedIntrospectionIsCodedAndQuiet(t *testing.T) {
	prev := slog.Default()
	global := &gatewaytest.LogBuffer{}
	slog.SetDefault(slog.New(slog.NewTextHandler(global, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })

	e := newEnv(t, introspection(false))
	for _, q := range []string{
		`{ __schema { types { name } } }`,
		`{ __type(name: "Query") { name } }`,
		`{ _service { sdl } }`,
		`query Sneaky { ...F } fragment F on Query { gateway { version } __schema { queryType { name } } }`,
	} {
		e.Sandbox.Recorder.Clear()
		r := e.Query(q, nil, "Accept", "application/graphql-response+json")
		assert.Equal(t, http.StatusBadRequest, r.Status, q)
		assert.Equal(t, []string{"INTROSPECTION_DISABLED"}, r.Codes(), r.Raw)
		assert.False(t, r.HasData(), "nothing ran: %s", r.Raw)
	}
	assert.NotContains(t, global.String(), "level=ERROR")
	assert.NotContains(t, e.Logs.String(), "level=ERROR")
	assert.Equal(t, 4, strings.Count(e.Logs.String(), `level=INFO msg="introspection refused"`), e.Logs.String())

	r := e.Query(`{ __typename gateway { version } }`, nil)
	assert.Empty(t, r.Errors, "__typename is not introspection: %s", r.Raw)

	on := newEnv(t, introspection(true))
	r = on.Query(`{ __schema { queryType { name } } }`, nil)
	assert.Empty(t, r.Errors, r.Raw)
}

// TestSchemaRouteFollowsIntrospection: the SDL is the schema by another
// route, so it is published only where introspection is on.
func TestSchemaRouteFollowsIntrospection(t *testing.T) {
	for _, on := range []bool{true, false} {
		e := newEnv(t, introspection(on))
		resp, err := http.Get(e.Server.URL + "/schema.graphql")
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		if on {
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Contains(t, string(body), "type Query")
			continue
		}
		assert.Equal(t, http.StatusNotFound, resp.StatusCode)
		assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
		assert.NotContains(t, string(body), "type Query")
		var reply struct {
			Errors []gatewaytest.Error `json:"errors"`
		}
		require.NoError(t, json.Unmarshal(body, &reply), string(body))
		require.Len(t, reply.Errors, 1)
		assert.Equal(t, "INTROSPECTION_DISABLED", reply.Errors[0].Extensions["code"])
	}
}

// TestGraphiQLCanBeTurnedOff: SWITCHYARD_GRAPHIQL=0 (the default outside
// the sandbox) serves neither the page nor its assets; /query is untouched.
func TestGraphiQLCanBeTurnedOff(t *testing.T) {
	for _, on := range []bool{true, false} {
		e := newEnv(t, func(s *gatewaytest.Setup) { s.Config.GraphiQL = on })
		want := http.StatusNotFound
		if on {
			want = http.StatusOK
		}
		for _, path := range []string{"/", "/graphiql/graphiql.min.js"} {
			resp, err := http.Get(e.Server.URL + path)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, want, resp.StatusCode, "GraphiQL on=%v: GET %s", on, path)
		}
		assert.Empty(t, e.Query(`{ gateway { version } }`, nil).Errors)
	}
}
