package resolvers_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/auth"
	"github.com/switchyard/switchyard/internal/config"
	"github.com/switchyard/switchyard/internal/gateway"
	"github.com/switchyard/switchyard/internal/sandbox"
	"github.com/switchyard/switchyard/internal/simkit"
	"github.com/switchyard/switchyard/vendors/appdirect/appdirectsim"
)

// subgraph is a gateway on a fresh sandbox, queried the way a federation
// router queries a subgraph: POST /query with _entities or _service.
type subgraph struct {
	t   *testing.T
	sb  *sandbox.Sandbox
	url string
}

func newSubgraph(t *testing.T, opts gateway.Options) *subgraph {
	t.Helper()
	sb, err := sandbox.Start("")
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	cfg, err := config.Load(func(string) string { return "" })
	require.NoError(t, err)
	sb.Configure(cfg)
	opts.Simulated = true
	gw, err := gateway.New(cfg, opts)
	require.NoError(t, err)
	srv := httptest.NewServer(gw)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = gw.Close() })
	return &subgraph{t: t, sb: sb, url: srv.URL}
}

type gqlResponse struct {
	Data   map[string]json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (s *subgraph) post(token, query string, vars map[string]any) gqlResponse {
	s.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	require.NoError(s.t, err)
	req, err := http.NewRequest(http.MethodPost, s.url+"/query", bytes.NewReader(body))
	require.NoError(s.t, err)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	var out gqlResponse
	require.NoError(s.t, json.Unmarshal(raw, &out), string(raw))
	return out
}

// entities runs _entities over reps and returns each entity as JSON.
func (s *subgraph) entities(token, selection string, reps ...map[string]any) ([]json.RawMessage, gqlResponse) {
	s.t.Helper()
	r := s.post(token, `query($reps: [_Any!]!) { _entities(representations: $reps) { __typename `+selection+` } }`, map[string]any{"reps": reps})
	var list []json.RawMessage
	if raw, ok := r.Data["_entities"]; ok {
		require.NoError(s.t, json.Unmarshal(raw, &list))
	}
	return list, r
}

// calls lists the requests a simulator received, AppDirect's token
// requests left out.
func (s *subgraph) calls(vendor string) []simkit.Entry {
	var out []simkit.Entry
	for _, e := range s.sb.Recorder.Entries() {
		if e.Vendor == vendor && !strings.HasSuffix(e.Path, "/oauth2/token") {
			out = append(out, e)
		}
	}
	return out
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
	s := newSubgraph(t, gateway.Options{})
	got, r := s.entities("", allEntities,
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
	assert.Len(t, s.calls("apptivo"), 2, "the non-numeric customer id is not sent to Apptivo")
	assert.Len(t, s.calls("cordial"), 3, "two lists and one count; the id x is not sent to Cordial")
}

// Every Person representation of a request, by id or by email, costs one
// Ortto call together (the multi entity resolver goes through the
// request's person loader).
func TestPersonEntitiesAreOneOrttoCall(t *testing.T) {
	s := newSubgraph(t, gateway.Options{})
	got, r := s.entities("", `... on Person { id subscriptions { subscribed } }`,
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
	calls := s.calls("ortto")
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
	s := newSubgraph(t, gateway.Options{})
	s.sb.Faults.Set(simkit.Fault{Vendor: "ortto", Status: http.StatusInternalServerError})
	got, r := s.entities("", `... on Person { id } ... on Customer { id }`,
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
	s := newSubgraph(t, gateway.Options{})
	got, r := s.entities("", `... on Account { countryCode } ... on Customer { name }`, rep("Account", "id", appdirectsim.DemoAdaAccountID))
	require.Empty(t, r.Errors)
	require.Len(t, got, 1)
	assert.Contains(t, string(got[0]), `"countryCode"`)
	calls := s.calls("appdirect")
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
	s := newSubgraph(t, gateway.Options{Auth: a})
	reps := []map[string]any{rep("Account", "id", appdirectsim.DemoAdaAccountID), rep("Customer", "id", "1001"), rep("Person", "email", "ada.lovelace@example.com"), rep("AccountList", "id", "1")}

	got, r := s.entities("writer-key", allEntities, reps...)
	require.Len(t, got, 4)
	for i := range got {
		assert.JSONEq(t, `null`, string(got[i]))
	}
	require.NotEmpty(t, r.Errors)
	for _, e := range r.Errors {
		assert.Equal(t, "FORBIDDEN", e.Extensions["code"])
		assert.Equal(t, "read", e.Extensions["scope"])
	}
	assert.Empty(t, s.sb.Recorder.Entries(), "no vendor is called without the scope")

	got, r = s.entities("reader-key", allEntities, reps...)
	require.Empty(t, r.Errors)
	for i := range got {
		assert.NotEqual(t, `null`, string(got[i]))
	}
}

// A router reads the subgraph SDL from _service: it has the federation
// link and the keys. Clients read GET /schema.graphql: it has neither.
func TestServiceSDLIsTheSubgraphSchema(t *testing.T) {
	s := newSubgraph(t, gateway.Options{})
	r := s.post("", `{ _service { sdl } }`, nil)
	require.Empty(t, r.Errors)
	var svc struct{ SDL string }
	require.NoError(t, json.Unmarshal(r.Data["_service"], &svc))
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

	resp, err := http.Get(s.url + "/schema.graphql")
	require.NoError(t, err)
	defer resp.Body.Close()
	client, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.True(t, strings.Contains(string(client), "type Person"), "GET /schema.graphql has no Person type")
	for _, federation := range []string{"@key", "@link", "_entities", "_service", "_Any", "@entityResolver"} {
		assert.False(t, strings.Contains(string(client), federation),
			"GET /schema.graphql has %q: internal/gateway.SDL must print sdl.ClientSDL", federation)
	}
}
