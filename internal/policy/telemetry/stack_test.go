package telemetry_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/prometheus/common/expfmt"
	prommodel "github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/graph/generated"
	"github.com/switchyard/switchyard/graph/model"
	"github.com/switchyard/switchyard/internal/app/config"
	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/app/sandbox"
	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/internal/base/vendorkit"
	"github.com/switchyard/switchyard/internal/policy/errcode"
	"github.com/switchyard/switchyard/internal/policy/querylimits"
	"github.com/switchyard/switchyard/internal/policy/telemetry"
	"github.com/switchyard/switchyard/resolvers"
	"github.com/switchyard/switchyard/vendors/appdirect"
	"github.com/switchyard/switchyard/vendors/apptivo"
	"github.com/switchyard/switchyard/vendors/cordial"
	"github.com/switchyard/switchyard/vendors/ortto"
)

// overview reads from all four vendors.
const overview = `query Overview {
  accounts(first: 2) { nodes { id } }
  customers(first: 2) { nodes { id } }
  accountLists { id }
  people(refs: [{email: "ada.lovelace@example.com"}]) { id }
}`

// vendors are the vendors overview reads from. The stack itself wires
// every vendor of the registry (config.Vendors): the cost model refuses a
// schema field whose vendor gave no cost, so a vendor added to the
// registry needs nothing here.
var vendors = []string{ortto.Name, apptivo.Name, appdirect.Name, cordial.Name}

// stack is the real executor over the real resolvers, vendor clients and
// chains, talking to the simulators, with telemetry wired the way the
// gateway wires it; only auth and the HTTP guards are left out.
type stack struct {
	t   *testing.T
	tel *telemetry.Telemetry
	sb  *sandbox.Sandbox
	srv *httptest.Server
}

func newStack(t *testing.T, opts telemetry.Options) *stack {
	t.Helper()
	if opts.Getenv == nil {
		opts.Getenv = func(string) string { return "" }
	}
	opts.NoGlobal = true
	opts.Logger = slog.New(slog.DiscardHandler)
	tel, err := telemetry.New(context.Background(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })

	sb, err := sandbox.Start("")
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	cfg, err := config.Load(func(string) string { return "" })
	require.NoError(t, err)
	require.NoError(t, sb.Configure(cfg))

	chains := map[string]*outbound.Chain{}
	for _, v := range config.Vendors {
		o := cfg.ChainOptions(v)
		o.Logger = slog.New(slog.DiscardHandler)
		o.RatePerSecond = 0
		o.Observer, o.TracerProvider, o.Propagator = tel, tel.TracerProvider(), tel.Propagator()
		chains[v] = outbound.NewChain(o)
		t.Cleanup(chains[v].CloseIdleConnections)
		require.NoError(t, tel.ObserveChain(v, chains[v]))
	}
	clients := map[string]any{}
	for _, v := range config.Vendors {
		clients[v], err = cfg.VendorConfig[v].NewClient(chains[v].Client())
		require.NoError(t, err)
	}
	r := &resolvers.Resolver{Clients: resolvers.NewClients(clients), Info: model.GatewayInfo{Version: "test", Sandbox: true}}

	allow := func(ctx context.Context, _ any, next graphql.Resolver, _ model.Scope) (any, error) { return next(ctx) }
	es := generated.NewExecutableSchema(generated.Config{Resolvers: r, Directives: generated.DirectiveRoot{HasScope: allow}})
	byVendor := map[string]map[string]vendorkit.Cost{}
	for _, v := range config.Vendors {
		byVendor[v] = cfg.VendorConfig[v].Costs()
	}
	costs, err := querylimits.NewCosts(es.Schema(), byVendor)
	require.NoError(t, err)
	srv := handler.New(costs.Schema(es))
	srv.AddTransport(transport.MultipartMixed{}) // before POST, which would take these requests too
	srv.AddTransport(transport.POST{})
	querylimits.Install(srv, querylimits.Config{MaxDepth: 4}, costs)
	srv.Use(tel.Extension())
	srv.SetErrorPresenter(errcode.Presenter)
	srv.AroundFields(errcode.FieldMiddleware)

	mux := http.NewServeMux()
	mux.Handle("/query", r.Loaders(srv))
	mux.Handle("GET /metrics", tel.MetricsHandler())
	hs := httptest.NewServer(tel.Middleware(mux))
	t.Cleanup(hs.Close)
	return &stack{t: t, tel: tel, sb: sb, srv: hs}
}

// query POSTs a GraphQL request with extra headers (name, value pairs).
func (s *stack) query(q string, header ...string) *gatewaytest.Response {
	s.t.Helper()
	return gatewaytest.Query(s.t, s.srv.URL+"/query", q, nil, header...)
}

// scrape reads /metrics and returns every sample as `name{k="v",...}`
// (labels sorted) with its value, plus the raw exposition.
func scrape(t *testing.T, url string) (map[string]float64, string) {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	parser := expfmt.NewTextParser(prommodel.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(raw))
	require.NoError(t, err)
	out := map[string]float64{}
	for name, f := range families {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+`"`+l.GetValue()+`"`)
			}
			sort.Strings(labels)
			key := name + "{" + strings.Join(labels, ",") + "}"
			switch {
			case m.Counter != nil:
				out[key] = m.GetCounter().GetValue()
			case m.Gauge != nil:
				out[key] = m.GetGauge().GetValue()
			case m.Histogram != nil:
				out[key] = float64(m.GetHistogram().GetSampleCount())
			case m.Untyped != nil:
				out[key] = m.GetUntyped().GetValue()
			}
		}
	}
	return out, string(raw)
}

// labelValues returns every value label name takes in the samples.
func labelValues(samples map[string]float64, prefix, label string) []string {
	seen := map[string]bool{}
	for k := range samples {
		if !strings.HasPrefix(k, prefix+"{") {
			continue
		}
		for _, kv := range strings.Split(strings.TrimSuffix(strings.TrimPrefix(k, prefix+"{"), "}"), ",") {
			if v, ok := strings.CutPrefix(kv, label+"="); ok {
				seen[strings.Trim(v, `"`)] = true
			}
		}
	}
	var out []string
	for v := range seen {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// traceparents returns the traceparent header of every API request the
// simulators recorded for vendor (AppDirect's token fetches, which happen
// outside any request, excluded).
func traceparents(sb *sandbox.Sandbox, vendor string) []string {
	var out []string
	for _, e := range gatewaytest.APICalls(sb, vendor) {
		out = append(out, e.Headers["Traceparent"])
	}
	return out
}
