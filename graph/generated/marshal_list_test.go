package generated

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/switchyard/switchyard/graph/model"
)

// listSelection parses and validates query against the schema and returns
// an operation context for it and the selection set of the list field at
// path (field names from the operation's root, e.g. "accounts.nodes").
func listSelection(t testing.TB, query string, vars map[string]any, path string) (*graphql.OperationContext, ast.SelectionSet) {
	t.Helper()
	doc, errs := gqlparser.LoadQuery(parsedSchema, query)
	require.Empty(t, errs)
	op := doc.Operations[0]
	sel := op.SelectionSet
	for _, name := range strings.Split(path, ".") {
		var next ast.SelectionSet
		for _, s := range sel {
			if f, ok := s.(*ast.Field); ok && f.Name == name {
				next = f.SelectionSet
			}
		}
		require.NotNil(t, next, "no field %s on the way to %s", name, path)
		sel = next
	}
	return &graphql.OperationContext{RawQuery: query, Doc: doc, Operation: op, Variables: vars}, sel
}

// TestInOrderDecision: a list goes in order only when nothing its
// selection reaches, however deep and through whatever fragment, is
// produced by a resolver, and nothing is an interface or a union.
func TestInOrderDecision(t *testing.T) {
	tests := []struct {
		name, query, path, typ string
		vars                   map[string]any
		want                   bool
	}{
		{name: "pass-through page", query: `{ accounts(first: 20) { nodes { id name status } } }`, path: "accounts.nodes", typ: "Account", want: true},
		{name: "__typename", query: `{ accounts { nodes { __typename id } } }`, path: "accounts.nodes", typ: "Account", want: true},
		{name: "nested objects and lists without resolvers", query: `{ accounts { nodes { contactAddress { city } accountMemberships { nodes { user { email } roles } pageInfo { endCursor } } } } }`, path: "accounts.nodes", typ: "Account", want: true},
		{name: "edges to plain nodes", query: `{ accounts { edges { cursor node { id } } } }`, path: "accounts.edges", typ: "AccountEdge", want: true},
		{name: "people without their customers", query: `{ people(refs: [{email: "a@example.com"}]) { id email subscriptions { audienceName } } }`, path: "people", typ: "Person", want: true},
		{name: "introspection", query: `{ __schema { types { name fields { name type { name } } } } }`, path: "__schema.types", typ: "__Type", want: true},

		{name: "loader-backed object", query: `{ accounts { nodes { id company { id } } } }`, path: "accounts.nodes", typ: "Account", want: false},
		{name: "loader-backed leaf", query: `{ accountLists { id contactCount } }`, path: "accountLists", typ: "AccountList", want: false},
		{name: "loader-backed list", query: `{ people(refs: [{email: "a@example.com"}]) { customers { name } } }`, path: "people", typ: "Person", want: false},
		{name: "resolver two objects down", query: `{ customers { edges { node { person { id } } } } }`, path: "customers.edges", typ: "CustomerEdge", want: false},
		{name: "resolver in a fragment spread", query: `{ customers { nodes { name ...P } } } fragment P on Customer { person { id } }`, path: "customers.nodes", typ: "Customer", want: false},
		{name: "resolver in an inline fragment", query: `{ customers { nodes { name ... on Customer { person { id } } } } }`, path: "customers.nodes", typ: "Customer", want: false},
		{name: "resolver included by a variable", query: `query($p: Boolean!) { customers { nodes { name person @include(if: $p) { id } } } }`, vars: map[string]any{"p": true}, path: "customers.nodes", typ: "Customer", want: false},
		{name: "resolver left out by a variable", query: `query($p: Boolean!) { customers { nodes { name person @include(if: $p) { id } } } }`, vars: map[string]any{"p": false}, path: "customers.nodes", typ: "Customer", want: true},
		{name: "resolver skipped", query: `{ customers { nodes { name person @skip(if: true) { id } } } }`, path: "customers.nodes", typ: "Customer", want: true},
		{name: "a union", query: `{ accounts { nodes { id } } }`, path: "accounts.nodes", typ: "_Entity", want: false},
		{name: "a type not in the table", query: `{ accounts { nodes { id } } }`, path: "accounts.nodes", typ: "NoSuchType", want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			oc, sel := listSelection(t, tc.query, tc.vars, tc.path)
			assert.Equal(t, tc.want, inOrder(oc, sel, tc.typ))
		})
	}
}

// The table lists exactly the resolver-backed fields gqlgen.yml declares
// (and the resolvers implement): a field missing here would be marshalled
// in order and serialize its loader.
func TestResolverBackedFields(t *testing.T) {
	var got []string
	for typ, o := range objectFields {
		for name, f := range o.fields {
			if f.resolver {
				got = append(got, typ+"."+name)
			}
		}
	}
	assert.ElementsMatch(t, []string{"Account.company", "Customer.person", "Person.customers", "AccountList.contactCount"}, got)
}

// stubs resolve Query.accounts to a fixed connection, and Account.company
// as a loader would: each call adds its key to the pending batch and
// waits until every expected key has arrived (or a timeout, which is what
// elements marshalled one after another would hit), then all return.
type stubs struct {
	ResolverRoot // nil: only what is overridden below is called
	accounts     *model.AccountConnection
	loader       *stubLoader
}

func (s *stubs) Query() QueryResolver     { return stubQuery{s: s} }
func (s *stubs) Account() AccountResolver { return stubAccount{s} }

type stubQuery struct {
	QueryResolver // nil
	s             *stubs
}

func (q stubQuery) Accounts(context.Context, *int, *string, *int, *string, *model.AccountFilter, *model.AccountOrder) (*model.AccountConnection, error) {
	return q.s.accounts, nil
}

type stubAccount struct{ s *stubs }

func (a stubAccount) Company(_ context.Context, obj *model.Account) (*model.Company, error) {
	a.s.loader.load(obj.ID)
	return &model.Company{ID: obj.ID}, nil
}

// stubLoader gathers keys into one batch until it holds want keys or wait
// has passed since the batch's first key, and records each batch's size.
type stubLoader struct {
	want int
	wait time.Duration

	mu      sync.Mutex
	pending int
	full    chan struct{} // closed when the pending batch is fetched
	batches []int
}

func (l *stubLoader) load(string) {
	l.mu.Lock()
	if l.pending == 0 {
		full := make(chan struct{})
		l.full = full
		time.AfterFunc(l.wait, func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			if l.full == full {
				l.fetch()
			}
		})
	}
	l.pending++
	full := l.full
	if l.pending == l.want {
		l.fetch()
	}
	l.mu.Unlock()
	<-full
}

// fetch ends the pending batch; l.mu is held.
func (l *stubLoader) fetch() {
	l.batches = append(l.batches, l.pending)
	l.pending = 0
	close(l.full)
	l.full = nil
}

func (l *stubLoader) sizes() []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.batches
}

// serve runs query through a handler over s, with middleware around every
// field, and returns the reply.
func serve(t testing.TB, s *stubs, query string, middleware graphql.FieldMiddleware) string {
	t.Helper()
	allow := func(ctx context.Context, _ any, next graphql.Resolver, _ model.Scope) (any, error) { return next(ctx) }
	srv := handler.New(NewExecutableSchema(Config{Resolvers: s, Directives: DirectiveRoot{HasScope: allow}}))
	srv.AddTransport(transport.POST{})
	if middleware != nil {
		srv.AroundFields(middleware)
	}
	body, err := json.Marshal(map[string]any{"query": query})
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	return rec.Body.String()
}

func someAccounts(n int) *model.AccountConnection {
	c := &model.AccountConnection{Nodes: make([]model.Account, 0, n)}
	for i := range n {
		name := fmt.Sprintf("Account %d", i)
		a := model.Account{ID: fmt.Sprintf("acc-%02d", i), Name: &name, Status: model.AccountStatusEnabled,
			AccountMemberships: &model.AccountMembershipConnection{PageInfo: &model.PageInfo{}}}
		for j := range 5 {
			a.AccountMemberships.Nodes = append(a.AccountMemberships.Nodes, model.AccountMembership{User: &model.AccountMember{ID: fmt.Sprintf("user-%d-%d", i, j)}})
		}
		c.Nodes = append(c.Nodes, a)
		c.Edges = append(c.Edges, model.AccountEdge{Cursor: a.ID, Node: &c.Nodes[i]})
	}
	return c
}

// TestPlainListElementsMarshalOneAtATime: a list whose elements read only
// struct fields is marshalled on one goroutine, element after element,
// and the reply is the same. Every field resolution passes through the
// middleware, which lingers a little: elements on goroutines of their own
// would be inside it together.
func TestPlainListElementsMarshalOneAtATime(t *testing.T) {
	const n = 20
	var inside, most atomic.Int32
	var mu sync.Mutex
	var order []int // the element index of each field resolved under nodes
	middleware := func(ctx context.Context, next graphql.Resolver) (any, error) {
		now := inside.Add(1)
		defer inside.Add(-1)
		for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
		}
		if p := graphql.GetFieldContext(ctx).Path(); len(p) > 2 {
			if i, ok := p[2].(ast.PathIndex); ok {
				mu.Lock()
				order = append(order, int(i))
				mu.Unlock()
			}
		}
		time.Sleep(200 * time.Microsecond)
		return next(ctx)
	}
	got := serve(t, &stubs{accounts: someAccounts(n)}, `{ accounts { nodes { id name status } } }`, middleware)

	want := make([]string, n)
	for i := range n {
		want[i] = fmt.Sprintf(`{"id":"acc-%02d","name":"Account %d","status":"ENABLED"}`, i, i)
	}
	assert.Equal(t, `{"data":{"accounts":{"nodes":[`+strings.Join(want, ",")+`]}}}`, got)
	assert.EqualValues(t, 1, most.Load(), "no two fields were resolved at once")
	require.Len(t, order, 3*n)
	for k, i := range order {
		assert.Equal(t, k/3, i, "element %d's fields come after element %d's", i, k/3)
	}
}

// TestListReachingALoaderStaysConcurrent: where the selection reaches
// Account.company, directly or below an object, every element asks the
// loader within one wait, so the loader fetches one batch for the list.
// In order, each element would wait out the loader alone.
func TestListReachingALoaderStaysConcurrent(t *testing.T) {
	const n = 8
	for name, query := range map[string]string{
		"nodes":           `{ accounts { nodes { id company { id } } } }`,
		"edges":           `{ accounts { edges { cursor node { company { id } } } } }`,
		"inline fragment": `{ accounts { nodes { id ... on Account { company { id } } } } }`,
	} {
		t.Run(name, func(t *testing.T) {
			loader := &stubLoader{want: n, wait: time.Second}
			start := time.Now()
			got := serve(t, &stubs{accounts: someAccounts(n), loader: loader}, query, nil)
			assert.NotContains(t, got, `"errors"`)
			assert.Equal(t, n, strings.Count(got, `"company":{"id":"acc-`), got)
			assert.Equal(t, []int{n}, loader.sizes(), "one batch for the whole list")
			assert.Less(t, time.Since(start), loader.wait, "no element waited out the loader")
		})
	}
}

// TestInOrderElementErrorKeepsItsIndex: a null in a non-null field of one
// element, marshalled in order, is reported at that element's path, list
// index included, and nulls up to the nearest nullable field, as before:
// the element, so the non-null list, and so on up.
func TestInOrderElementErrorKeepsItsIndex(t *testing.T) {
	tests := []struct {
		name, query, list string
		typ               string
		breakIt           func(c *model.AccountConnection)
		wantPath          []any
		wantData          string // in data
	}{
		{
			name:  "edge node",
			query: `{ accounts { edges { cursor node { id } } } }`, list: "accounts.edges", typ: "AccountEdge",
			breakIt:  func(c *model.AccountConnection) { c.Edges[3].Node = nil },
			wantPath: []any{"accounts", "edges", 3.0, "node"},
			wantData: `{"accounts":null}`,
		},
		{
			name:  "a list within a list",
			query: `{ accounts { nodes { id accountMemberships { nodes { roles user { id } } } } } }`, list: "accounts.nodes", typ: "Account",
			breakIt:  func(c *model.AccountConnection) { c.Nodes[1].AccountMemberships.Nodes[3].User = nil },
			wantPath: []any{"accounts", "nodes", 1.0, "accountMemberships", "nodes", 3.0, "user"},
			wantData: `{"id":"acc-01","accountMemberships":null}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			oc, sel := listSelection(t, tc.query, nil, tc.list)
			require.True(t, inOrder(oc, sel, tc.typ), "the case must take the in-order path")
			accounts := someAccounts(5)
			tc.breakIt(accounts)
			var reply struct {
				Data   json.RawMessage `json:"data"`
				Errors []struct {
					Message string `json:"message"`
					Path    []any  `json:"path"`
				} `json:"errors"`
			}
			raw := serve(t, &stubs{accounts: accounts}, tc.query, nil)
			require.NoError(t, json.Unmarshal([]byte(raw), &reply), raw)
			require.Len(t, reply.Errors, 1, raw)
			assert.Equal(t, tc.wantPath, reply.Errors[0].Path)
			assert.Contains(t, reply.Errors[0].Message, "cannot return null for non-null field")
			assert.Contains(t, string(reply.Data), tc.wantData)
		})
	}
}

// TestMarshalListMatchesMarshalSliceConcurrently: in order, an element
// that panics, a context done under a worker limit and an ordinary list
// give what MarshalSliceConcurrently gives: the same elements, the same
// errors at the same paths.
func TestMarshalListMatchesMarshalSliceConcurrently(t *testing.T) {
	const n = 5
	oc, sel := listSelection(t, `{ accounts { nodes { id } } }`, nil, "accounts.nodes")
	require.True(t, inOrder(oc, sel, "Account"))
	element := func(panicAt int) func(ctx context.Context, i int) graphql.Marshaler {
		return func(ctx context.Context, i int) graphql.Marshaler {
			if i == panicAt {
				panic(fmt.Sprintf("element %d broke", i))
			}
			return graphql.MarshalInt(i)
		}
	}
	tests := []struct {
		name        string
		workerLimit int64
		cancelled   bool
		panicAt     int
	}{
		{name: "every element", panicAt: -1},
		{name: "a panic in one element", panicAt: 2},
		{name: "a panic in the last element", panicAt: n - 1},
		{name: "worker limit", workerLimit: 2, panicAt: -1},
		{name: "context done, worker limit", workerLimit: 2, cancelled: true, panicAt: -1},
		{name: "context done, no limit", cancelled: true, panicAt: -1},
	}
	type result struct {
		Values []string
		Errors []string
	}
	run := func(tc int, marshal func(ctx context.Context) graphql.Array) result {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		if tests[tc].cancelled {
			cancel()
		}
		ctx = graphql.WithOperationContext(ctx, oc)
		ctx = graphql.WithResponseContext(ctx, graphql.DefaultErrorPresenter, func(_ context.Context, r any) error {
			return errors.New(fmt.Sprint(r))
		})
		ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Alias: "nodes"}}})
		var r result
		for _, v := range marshal(ctx) {
			var b strings.Builder
			v.MarshalGQL(&b)
			r.Values = append(r.Values, b.String())
		}
		for _, e := range graphql.GetErrors(ctx) {
			r.Errors = append(r.Errors, e.Path.String()+": "+e.Message)
		}
		return r
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := run(i, func(ctx context.Context) graphql.Array {
				return graphql.MarshalSliceConcurrently(ctx, n, tc.workerLimit, false, element(tc.panicAt))
			})
			got := run(i, func(ctx context.Context) graphql.Array {
				return marshalList(ctx, sel, "Account", n, tc.workerLimit, false, element(tc.panicAt))
			})
			assert.Equal(t, want, got)
			if tc.panicAt >= 0 {
				assert.Equal(t, []string{fmt.Sprintf("nodes[%d]: element %d broke", tc.panicAt, tc.panicAt)}, got.Errors)
			}
		})
	}

	t.Run("omitPanicHandler", func(t *testing.T) {
		ctx := graphql.WithOperationContext(context.Background(), oc)
		assert.PanicsWithValue(t, "element 2 broke", func() {
			marshalList(ctx, sel, "Account", n, 0, true, element(2))
		}, "with the panic handler omitted, the panic is the caller's, as it is for MarshalSliceConcurrently")
	})
}

// BenchmarkInOrder is what deciding costs per list: collecting the
// element's fields (the first time in an operation; later, and for the
// elements themselves, gqlgen's per-operation CollectFields cache answers)
// and a table look-up per field.
func BenchmarkInOrder(b *testing.B) {
	for name, q := range map[string]struct{ query, path, typ string }{
		"pass-through":       {`{ accounts(first: 20) { nodes { id name status } } }`, "accounts.nodes", "Account"},
		"nested, 12 fields":  {`{ accounts { nodes { id name status createdOn website contactAddress { city country } accountMemberships { totalCount nodes { roles user { email } } } } } }`, "accounts.nodes", "Account"},
		"reaches a resolver": {`{ customers { edges { node { name person { id } } } } }`, "customers.edges", "CustomerEdge"},
	} {
		b.Run(name+"/cold", func(b *testing.B) {
			oc, sel := listSelection(b, q.query, nil, q.path)
			b.ReportAllocs()
			for b.Loop() {
				// An empty CollectFields cache, as at an operation's first list.
				fresh := &graphql.OperationContext{Doc: oc.Doc, Operation: oc.Operation, Variables: oc.Variables}
				inOrder(fresh, sel, q.typ)
			}
		})
		b.Run(name+"/cached", func(b *testing.B) {
			oc, sel := listSelection(b, q.query, nil, q.path)
			inOrder(oc, sel, q.typ)
			b.ReportAllocs()
			for b.Loop() {
				inOrder(oc, sel, q.typ)
			}
		})
	}
}

// BenchmarkAccountsPage is the marshalling of the pass-through page alone
// (20 accounts, id name status): by the generated list marshaller, which
// goes in order, and by MarshalSliceConcurrently over the same element
// marshaller, as before.
func BenchmarkAccountsPage(b *testing.B) {
	oc, sel := listSelection(b, `{ accounts(first: 20) { nodes { id name status } } }`, nil, "accounts.nodes")
	oc.ResolverMiddleware = func(ctx context.Context, next graphql.Resolver) (any, error) { return next(ctx) }
	ec := newExecutionContext(oc, NewExecutableSchema(Config{Resolvers: &stubs{}}).(*executableSchema), nil)
	ctx := graphql.WithResponseContext(graphql.WithOperationContext(context.Background(), oc), graphql.DefaultErrorPresenter, graphql.DefaultRecover)
	v := someAccounts(20).Nodes
	for _, bm := range []struct {
		name    string
		marshal func() graphql.Marshaler
	}{
		{"in order", func() graphql.Marshaler {
			return ec.marshalNAccount2ᚕgithubᚗcomᚋswitchyardᚋswitchyardᚋgraphᚋmodelᚐAccountᚄ(ctx, sel, v)
		}},
		{"concurrently", func() graphql.Marshaler {
			return graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, func(ctx context.Context, i int) graphql.Marshaler {
				graphql.GetFieldContext(ctx).Result = &v[i]
				return ec.marshalNAccount2githubᚗcomᚋswitchyardᚋswitchyardᚋgraphᚋmodelᚐAccount(ctx, sel, v[i])
			})
		}},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bm.marshal().MarshalGQL(io.Discard)
			}
		})
	}
}
