package resolvers_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/internal/policy/auth"
	"github.com/switchyard/switchyard/vendors/appdirect/appdirectsim"
)

// post queries the gateway s the way a federation router queries a
// subgraph (POST /query with _entities or _service), as the holder of
// token, if any.
func post(s *gatewaytest.Env, token, query string, vars map[string]any) *gatewaytest.Response {
	s.T.Helper()
	if token == "" {
		return s.Query(query, vars)
	}
	return s.Query(query, vars, "Authorization", "Bearer "+token)
}

// entities runs _entities over reps and returns each entity as JSON.
func entities(s *gatewaytest.Env, token, selection string, reps ...map[string]any) ([]json.RawMessage, *gatewaytest.Response) {
	s.T.Helper()
	r := post(s, token, `query($reps: [_Any!]!) { _entities(representations: $reps) { __typename `+selection+` } }`, map[string]any{"reps": reps})
	var data struct {
		Entities []json.RawMessage `json:"_entities"`
	}
	if len(r.Data) > 0 {
		require.NoError(s.T, json.Unmarshal(r.Data, &data), r.Raw)
	}
	return data.Entities, r
}

func rep(typename, key, value string) map[string]any {
	return map[string]any{"__typename": typename, key: value}
}

const allEntities = `
	... on Account { id accountName: name status }
	... on Customer { id customerName: name primaryEmail }
	... on Person { id email subscriptions { audienceName } }
	... on AccountList { id listName: name contactCount }`

// Each entity type resolves by its key from its own vendor, in the order
// of the representations, and an id the vendor does not know, or could
// not hold, is null rather than an error.
func TestEntitiesResolveByKey(t *testing.T) {
	s := gatewaytest.Start(t)
	got, r := entities(s, "", allEntities,
		rep("Account", "id", appdirectsim.DemoBarbaraAccountID),
		rep("Account", "id", "00000000-0000-0000-0000-000000000000"),
		rep("Customer", "id", "1001"),
		rep("Customer", "id", "999999"),
		rep("Customer", "id", "not-a-number"),
		rep("Person", "id", "00650c1e8a2f4b6d3e9a1c00"),
		rep("Person", "email", "Grace.Hopper@example.com"),
		rep("Person", "email", "nobody@example.com"),
		rep("AccountList", "id", "1"),
		rep("AccountList", "id", "424242"),
		rep("AccountList", "id", "x"),
	)
	require.Empty(t, r.Errors)
	require.Len(t, got, 11)
	assert.JSONEq(t, `{"__typename":"Account","id":"`+appdirectsim.DemoBarbaraAccountID+`","accountName":"Switchyard Channel Partners","status":"ENABLED"}`, string(got[0]))
	assert.JSONEq(t, `{"__typename":"Customer","id":"1001","customerName":"Analytical Engines Ltd","primaryEmail":"ada.lovelace@example.com"}`, string(got[2]))
	assert.JSONEq(t, `{"__typename":"Person","id":"00650c1e8a2f4b6d3e9a1c00","email":null,"subscriptions":[{"audienceName":"Weekly updates"},{"audienceName":"Subscribers"},{"audienceName":"Engaged subscribers"}]}`, string(got[5]))
	assert.JSONEq(t, `{"__typename":"Person","id":"00650c1f2b7d9e4a6c3f5b00","email":"grace.hopper@example.com","subscriptions":[{"audienceName":"SMS subscribers"},{"audienceName":"Subscribers"}]}`, string(got[6]))
	assert.JSONEq(t, `{"__typename":"AccountList","id":"1","listName":"vip-customers","contactCount":2}`, string(got[8]))
	for _, i := range []int{1, 3, 4, 7, 9, 10} {
		assert.JSONEq(t, `null`, string(got[i]), "representation %d", i)
	}
	assert.Len(t, s.APICalls("apptivo"), 2, "the non-numeric customer id is not sent to Apptivo")
	assert.Len(t, s.APICalls("cordial"), 3, "two lists and one count; the id x is not sent to Cordial")
}

// Every Person representation of a request, by id or by email, costs one
// Ortto call together (the multi entity resolver goes through the
// request's person loader).
func TestPersonEntitiesAreOneOrttoCall(t *testing.T) {
	s := gatewaytest.Start(t)
	got, r := entities(s, "", `... on Person { id subscriptions { subscribed } }`,
		rep("Person", "email", "ada.lovelace@example.com"),
		rep("Person", "id", "00650c1f2b7d9e4a6c3f5b00"),
		rep("Person", "email", "alan.turing@example.com"),
		rep("Person", "id", "00650c21e9f1a3b5c7d9eb00"),
		rep("Person", "email", "ADA.LOVELACE@example.com"),
		rep("Customer", "id", "1002"),
	)
	require.Empty(t, r.Errors)
	require.Len(t, got, 6)
	for i, want := range []string{"00650c1e8a2f4b6d3e9a1c00", "00650c1f2b7d9e4a6c3f5b00", "00650c20d4e6f8a1b3c5d700", "00650c21e9f1a3b5c7d9eb00", "00650c1e8a2f4b6d3e9a1c00"} {
		var p struct{ ID string }
		require.NoError(t, json.Unmarshal(got[i], &p))
		assert.Equal(t, want, p.ID, "representation %d", i)
	}
	calls := s.APICalls("ortto")
	require.Len(t, calls, 1, "one Ortto call for every person")
	var body struct{ People []map[string]string }
	require.NoError(t, json.Unmarshal([]byte(calls[0].Body), &body))
	assert.ElementsMatch(t, []map[string]string{
		{"email": "ada.lovelace@example.com"}, {"person_id": "00650c1f2b7d9e4a6c3f5b00"},
		{"email": "alan.turing@example.com"}, {"person_id": "00650c21e9f1a3b5c7d9eb00"},
	}, body.People, "the same person asked for twice is looked up once")
}

// A failing Ortto call fails the Person representations, each at its own
// path, and leaves the other entities of the request alone.
func TestPersonEntityFailureStaysWithItsRepresentations(t *testing.T) {
	s := gatewaytest.Start(t)
	s.Sandbox.Faults.Set(simkit.Fault{Vendor: "ortto", Status: http.StatusInternalServerError})
	got, r := entities(s, "", `... on Person { id } ... on Customer { id }`,
		rep("Person", "email", "ada.lovelace@example.com"),
		rep("Customer", "id", "1001"),
		rep("Person", "id", "00650c1f2b7d9e4a6c3f5b00"),
	)
	require.Len(t, got, 3)
	assert.JSONEq(t, `null`, string(got[0]))
	assert.JSONEq(t, `{"__typename":"Customer","id":"1001"}`, string(got[1]))
	assert.JSONEq(t, `null`, string(got[2]))
	require.Len(t, r.Errors, 2)
	for i, e := range r.Errors {
		assert.Equal(t, "VENDOR_ERROR", e.Extensions["code"], i)
		assert.Equal(t, "ortto", e.Extensions["vendor"], i)
	}
	assert.ElementsMatch(t, [][]any{{"_entities", float64(0)}, {"_entities", float64(2)}}, [][]any{r.Errors[0].Path, r.Errors[1].Path})
}

// The router's selection under `... on Account` is what AppDirect is asked
// for, as with the account root field.
func TestAccountEntityForwardsOnlySelectedFields(t *testing.T) {
	s := gatewaytest.Start(t)
	got, r := entities(s, "", `... on Account { countryCode } ... on Customer { name }`, rep("Account", "id", appdirectsim.DemoAdaAccountID))
	require.Empty(t, r.Errors)
	require.Len(t, got, 1)
	assert.Contains(t, string(got[0]), `"countryCode"`)
	calls := s.APICalls("appdirect")
	require.Len(t, calls, 1)
	var body struct{ Query string }
	require.NoError(t, json.Unmarshal([]byte(calls[0].Body), &body))
	assert.Contains(t, body.Query, "account(id: $id) { id countryCode }")
}

// _entities reads what the READ-guarded root fields read, so it needs the
// read scope too, and without it no vendor is called.
func TestEntitiesNeedTheReadScope(t *testing.T) {
	keys := filepath.Join(t.TempDir(), "keys")
	require.NoError(t, os.WriteFile(keys, []byte(auth.HashKey("reader-key")+" read\n"+auth.HashKey("writer-key")+" write\n"), 0o600))
	a, err := auth.New(auth.Config{APIKeysFile: keys})
	require.NoError(t, err)
	s := gatewaytest.Start(t, func(s *gatewaytest.Setup) { s.Options.Auth = a })
	reps := []map[string]any{rep("Account", "id", appdirectsim.DemoAdaAccountID), rep("Customer", "id", "1001"), rep("Person", "email", "ada.lovelace@example.com"), rep("AccountList", "id", "1")}

	got, r := entities(s, "writer-key", allEntities, reps...)
	require.Len(t, got, 4)
	for i := range got {
		assert.JSONEq(t, `null`, string(got[i]))
	}
	require.NotEmpty(t, r.Errors)
	for _, e := range r.Errors {
		assert.Equal(t, "FORBIDDEN", e.Extensions["code"])
		assert.Equal(t, "read", e.Extensions["scope"])
	}
	assert.Empty(t, s.Sandbox.Recorder.Entries(), "no vendor is called without the scope")

	got, r = entities(s, "reader-key", allEntities, reps...)
	require.Empty(t, r.Errors)
	for i := range got {
		assert.NotEqual(t, `null`, string(got[i]))
	}
}

// A router reads the subgraph SDL from _service: it has the federation
// link and the keys. Clients read GET /schema.graphql: it has neither.
func TestServiceSDLIsTheSubgraphSchema(t *testing.T) {
	s := gatewaytest.Start(t)
	r := post(s, "", `{ _service { sdl } }`, nil)
	require.Empty(t, r.Errors)
	var data struct {
		Service struct{ SDL string } `json:"_service"`
	}
	r.Into(t, &data)
	svc := data.Service
	for _, want := range []string{
		`@link(url: "https://specs.apollo.dev/federation/v2.7"`,
		`extend type Account @key(fields: "id")`,
		`extend type Customer @key(fields: "id")`,
		`extend type Person @key(fields: "id") @key(fields: "email")`,
		`extend type AccountList @key(fields: "id")`,
		"type AudienceSubscription {",
	} {
		assert.True(t, strings.Contains(svc.SDL, want), "the subgraph SDL lacks %q", want)
	}

	resp, err := http.Get(s.Server.URL + "/schema.graphql")
	require.NoError(t, err)
	defer resp.Body.Close()
	client, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.True(t, strings.Contains(string(client), "type Person"), "GET /schema.graphql has no Person type")
	for _, federation := range []string{"@key", "@link", "_entities", "_service", "_Any", "@entityResolver"} {
		assert.False(t, strings.Contains(string(client), federation),
			"GET /schema.graphql has %q: internal/app/gateway.SDL must print sdl.ClientSDL", federation)
	}
}
