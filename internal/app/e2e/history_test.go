package e2e

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/app/sandbox"
	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/internal/policy/sharedstate/redistest"
)

// The history checker (issue 17, item 6), after Jepsen and etcd's
// robustness tests: several clients send reads and writes of Cordial
// account lists and Apptivo customers through two replicas on one Redis,
// cache on, while a proxy delays the vendors' replies at random and the
// simulators' faults come and go. Every operation's call and return are
// recorded and the history is checked with porcupine against a model of
// the vendor's records: a register per record (and "exists" per created
// list name). Reads must be linearizable with respect to the writes; a
// write that failed (VENDOR_TIMEOUT, a reset, ...) may or may not have
// happened, so it is recorded as never returning. The short form runs one
// history of historyRound; bench/history.sh runs the long form
// (SWITCHYARD_HISTORY_DURATION, SWITCHYARD_HISTORY_SEED).

// historyRound is how long the clients of one history send operations.
const historyRound = 3 * time.Second

type histKind int

const (
	getList histKind = iota
	renameList
	updateList // name and enhanced at once
	createList
	findList // accountLists(name:) of a name some client creates
	getCustomer
	renameCustomer
)

// histIn is an operation's input; key names the record it touches (the
// model's partition).
type histIn struct {
	Kind     histKind
	Key      string
	Name     string
	Enhanced bool
}

// histOut is what a read returned; writes return nothing the model
// checks (a write's echo of the record comes from its own fresh read).
type histOut struct {
	Name     string
	Enhanced bool
	Exists   bool
}

// record is the model's state of one key: a list or customer's fields,
// or whether a list of that name exists.
type record struct {
	Name     string
	Enhanced bool
	Exists   bool
}

// historyModel is a register per record, starting from initial (a key
// missing from it starts as a name no list has yet).
func historyModel(initial map[string]record) porcupine.Model {
	return porcupine.Model{
		Partition: func(h []porcupine.Operation) [][]porcupine.Operation {
			by := map[string][]porcupine.Operation{}
			var keys []string
			for _, op := range h {
				k := op.Input.(histIn).Key
				if _, ok := by[k]; !ok {
					keys = append(keys, k)
				}
				by[k] = append(by[k], op)
			}
			out := make([][]porcupine.Operation, 0, len(keys))
			for _, k := range keys {
				out = append(out, by[k])
			}
			return out
		},
		Init: func() any { return nil },
		Step: func(state, input, output any) (bool, any) {
			in := input.(histIn)
			s, ok := state.(record)
			if !ok {
				s = initial[in.Key]
			}
			switch in.Kind {
			case getList, getCustomer:
				out := output.(histOut)
				return out.Name == s.Name && (in.Kind == getCustomer || out.Enhanced == s.Enhanced), s
			case findList:
				return output.(histOut).Exists == s.Exists, s
			case renameList, renameCustomer:
				s.Name = in.Name
				return true, s
			case updateList:
				s.Name, s.Enhanced = in.Name, in.Enhanced
				return true, s
			case createList:
				s.Exists = true
				return true, s
			}
			return false, s
		},
		DescribeOperation: func(input, output any) string {
			in := input.(histIn)
			out, _ := output.(histOut)
			switch in.Kind {
			case getList:
				return fmt.Sprintf("get %s -> %s/%v", in.Key, out.Name, out.Enhanced)
			case getCustomer:
				return fmt.Sprintf("get %s -> %s", in.Key, out.Name)
			case findList:
				return fmt.Sprintf("find %s -> %v", in.Key, out.Exists)
			case updateList:
				return fmt.Sprintf("update %s <- %s/%v", in.Key, in.Name, in.Enhanced)
			case createList:
				return "create " + in.Key
			}
			return fmt.Sprintf("rename %s <- %s", in.Key, in.Name)
		},
		DescribeState: func(state any) string { return fmt.Sprintf("%+v", state) },
	}
}

// jitterProxy stands between the gateways and the simulators and holds
// each request, and each reply after the simulator has answered (the
// write applied, the read taken), for a random time, so that reads in
// flight overlap writes the way a slow vendor makes them.
type jitterProxy struct {
	URL string
	mu  sync.Mutex
	rng *rand.Rand
}

func newJitterProxy(t *testing.T, sb *sandbox.Sandbox, seed uint64) *jitterProxy {
	target, err := url.Parse(sb.URL())
	require.NoError(t, err)
	p := &jitterProxy{rng: rand.New(rand.NewPCG(seed, 17))}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ErrorLog = log.New(io.Discard, "", 0) // a client that gave up cancels the request here
	rp.ModifyResponse = func(resp *http.Response) error {
		p.hold(resp.Request.Context(), 200)
		return nil
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.hold(r.Context(), 50)
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// hold waits up to maxMs milliseconds, or not at all half of the time.
func (p *jitterProxy) hold(ctx context.Context, maxMs int) {
	p.mu.Lock()
	d := time.Duration(0)
	if p.rng.IntN(2) == 0 {
		d = time.Duration(p.rng.IntN(maxMs)) * time.Millisecond
	}
	p.mu.Unlock()
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
}

// historyFaults are the simulators' faults the schedule picks from, with
// none as likely as all the others together. Each makes some writes fail
// with an unknown outcome: a stall and the latency past the vendor timeout
// after Cordial or Apptivo applied them.
var historyFaults = []simkit.Fault{
	{Status: http.StatusServiceUnavailable, Rate: 0.3},
	{Reset: true, Rate: 0.3},
	{StallMs: 600, Rate: 0.3},
	{LatencyMs: 500},
	{LatencyMs: 150},
	{Malformed: true, Rate: 0.2},
}

// historyVendors are the vendors whose records the history covers.
var historyVendors = []string{"cordial", "apptivo"}

// historyStats counts what the checker saw.
type historyStats struct {
	histories, ops, pending, unknown, violations int
}

func TestHistoriesAreLinearizable(t *testing.T) {
	t.Parallel()
	duration := envDuration(t, "SWITCHYARD_HISTORY_DURATION", 0)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("SWITCHYARD_HISTORY_SEED"); s != "" {
		var err error
		seed, err = strconv.ParseUint(s, 10, 64)
		require.NoError(t, err, "SWITCHYARD_HISTORY_SEED")
	}
	t.Logf("SWITCHYARD_HISTORY_SEED=%d", seed)
	rs := redistest.Start(t)

	var stats historyStats
	start := time.Now()
	for round := 0; round == 0 || time.Since(start) < duration; round++ {
		ops, initial := runHistory(t, rs, seed+uint64(round), round)
		model := historyModel(initial)
		res, info := porcupine.CheckOperationsVerbose(model, ops, 30*time.Second)
		stats.histories++
		stats.ops += len(ops)
		for _, op := range ops {
			if op.Return == math.MaxInt64 {
				stats.pending++
			}
		}
		if res == porcupine.Unknown {
			stats.unknown++
		}
		if res == porcupine.Illegal {
			stats.violations++
			if stats.violations > 3 {
				continue // the long form counts them all, describes the first few
			}
			vis := "not written"
			if f, err := os.CreateTemp("", "switchyard-history-*.html"); err == nil {
				_ = porcupine.Visualize(model, info, f)
				_ = f.Close()
				vis = f.Name()
			}
			t.Errorf("history %d (seed %d, %d operations) is not linearizable; visualization: %s\n%s", round, seed+uint64(round), len(ops), vis, illegalPartition(model, ops))
		}
	}
	t.Logf("checked %d histories, %d operations (%d writes of unknown outcome), %d inconclusive, %d violations",
		stats.histories, stats.ops, stats.pending, stats.unknown, stats.violations)
}

// illegalPartition describes, in call order, the operations on the first
// record whose history alone is not linearizable.
func illegalPartition(model porcupine.Model, ops []porcupine.Operation) string {
	for _, part := range model.Partition(ops) {
		if porcupine.CheckOperations(model, part) {
			continue
		}
		slices.SortFunc(part, func(a, b porcupine.Operation) int { return cmp.Compare(a.Call, b.Call) })
		var b strings.Builder
		for _, op := range part {
			ret := "never"
			if op.Return != math.MaxInt64 {
				ret = time.Duration(op.Return).String()
			}
			fmt.Fprintf(&b, "  client %d  %-12v %-12s %s\n", op.ClientId, time.Duration(op.Call), ret, model.DescribeOperation(op.Input, op.Output))
		}
		return b.String()
	}
	return ""
}

func envDuration(t *testing.T, name string, def time.Duration) time.Duration {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	d, err := time.ParseDuration(s)
	require.NoError(t, err, name)
	return d
}

// runHistory runs one history on a fresh sandbox behind two fresh
// replicas and returns its operations and the records' initial state.
func runHistory(t *testing.T, rs *redistest.Server, seed uint64, round int) ([]porcupine.Operation, map[string]record) {
	sb, err := sandbox.Start("")
	require.NoError(t, err)
	defer sb.Close()
	proxy := newJitterProxy(t, sb, seed)
	prefix := fmt.Sprintf("history-%d-%d:", seed, round)
	replica := func() *env {
		return &env{gatewaytest.StartOn(t, sb,
			gatewaytest.WithCache(time.Hour),
			gatewaytest.WithRedis(t, rs.URL, prefix),
			gatewaytest.WithClientTimeout(400*time.Millisecond),
			gatewaytest.WithoutRateLimits(),
			func(s *gatewaytest.Setup) {
				// Faults come every few hundred milliseconds: an open
				// breaker would only turn the history into fast failures.
				s.Config.BreakerFailures = 1 << 20
				base := map[string]string{}
				for _, v := range historyVendors {
					base[strings.ToUpper(v)+"_BASE_URL"] = proxy.URL + "/" + v
				}
				require.NoError(t, s.Config.Apply(base))
			})}
	}
	replicas := []*env{replica(), replica()}

	listIDs, customerIDs := []string{"1", "2", "3"}, []string{"1001", "1002"}
	initial := map[string]record{}
	for _, id := range listIDs {
		var d struct{ AccountList histOut }
		r := replicas[0].Query(`query($id: ID!) { accountList(id: $id) { name enhanced } }`, map[string]any{"id": id})
		r.Into(t, &d)
		initial["list:"+id] = record{Name: d.AccountList.Name, Enhanced: d.AccountList.Enhanced}
	}
	for _, id := range customerIDs {
		var d struct{ Customer histOut }
		r := replicas[0].Query(`query($id: ID!) { customer(id: $id) { name } }`, map[string]any{"id": id})
		r.Into(t, &d)
		initial["customer:"+id] = record{Name: d.Customer.Name}
	}

	var (
		mu      sync.Mutex
		ops     []porcupine.Operation
		created []string // names some client started to create
		wg      sync.WaitGroup
		seq     atomic.Int64
	)
	t0 := time.Now()
	stop := t0.Add(historyRound)
	now := func() int64 { return int64(time.Since(t0)) }

	// The fault schedule: every 100 to 400 ms, one vendor's fault changes.
	wg.Add(1)
	go func() {
		defer wg.Done()
		rng := rand.New(rand.NewPCG(seed, 1))
		for time.Now().Before(stop) {
			v := historyVendors[rng.IntN(len(historyVendors))]
			if i := rng.IntN(2 * len(historyFaults)); i < len(historyFaults) {
				f := historyFaults[i]
				f.Vendor = v
				sb.Faults.Set(f)
			} else {
				sb.Faults.Clear(v)
			}
			time.Sleep(time.Duration(100+rng.IntN(300)) * time.Millisecond)
		}
		sb.Faults.Clear()
	}()

	const clients = 6
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(100+c)))
			for time.Now().Before(stop) {
				e := replicas[rng.IntN(len(replicas))]
				in, q, vars := nextOp(rng, c, &seq, &mu, &created, listIDs, customerIDs)
				call := now()
				r := e.Query(q, vars)
				ret := now()
				out, ok, err := decodeOp(in, r)
				if err != nil {
					t.Error(err)
					return
				}
				if !ok {
					if in.Kind == getList || in.Kind == getCustomer || in.Kind == findList {
						continue // a failed read tells nothing
					}
					ret = math.MaxInt64 // a failed write may or may not have happened
				}
				mu.Lock()
				ops = append(ops, porcupine.Operation{ClientId: c, Input: in, Call: call, Output: out, Return: ret})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return ops, initial
}

// nextOp picks a client's next operation and its GraphQL request.
func nextOp(rng *rand.Rand, client int, seq *atomic.Int64, mu *sync.Mutex, created *[]string, listIDs, customerIDs []string) (histIn, string, map[string]any) {
	unique := func(p string) string { return fmt.Sprintf("%s%d_%d", p, client, seq.Add(1)) }
	list := listIDs[rng.IntN(len(listIDs))]
	customer := customerIDs[rng.IntN(len(customerIDs))]
	switch n := rng.IntN(100); {
	case n < 30:
		return histIn{Kind: getList, Key: "list:" + list},
			`query($id: ID!) { accountList(id: $id) { name enhanced } }`, map[string]any{"id": list}
	case n < 42:
		name := unique("h")
		return histIn{Kind: renameList, Key: "list:" + list, Name: name},
			`mutation($id: ID!, $name: String) { updateAccountList(id: $id, input: {name: $name}) { id } }`, map[string]any{"id": list, "name": name}
	case n < 52:
		name, enhanced := unique("h"), rng.IntN(2) == 0
		return histIn{Kind: updateList, Key: "list:" + list, Name: name, Enhanced: enhanced},
			`mutation($id: ID!, $name: String, $e: Boolean) { updateAccountList(id: $id, input: {name: $name, enhanced: $e}) { id } }`,
			map[string]any{"id": list, "name": name, "e": enhanced}
	case n < 58:
		name := unique("c")
		mu.Lock()
		*created = append(*created, name)
		mu.Unlock()
		return histIn{Kind: createList, Key: "name:" + name},
			`mutation($name: String!) { createAccountList(input: {name: $name}) { id } }`, map[string]any{"name": name}
	case n < 70:
		mu.Lock()
		name := "c_none"
		if len(*created) > 0 {
			name = (*created)[rng.IntN(len(*created))]
		}
		mu.Unlock()
		return histIn{Kind: findList, Key: "name:" + name},
			`query($name: String) { accountLists(name: $name) { id } }`, map[string]any{"name": name}
	case n < 88:
		return histIn{Kind: getCustomer, Key: "customer:" + customer},
			`query($id: ID!) { customer(id: $id) { name } }`, map[string]any{"id": customer}
	default:
		name := unique("Customer ")
		return histIn{Kind: renameCustomer, Key: "customer:" + customer, Name: name},
			`mutation($id: ID!, $name: String) { updateCustomer(id: $id, input: {name: $name}) { id } }`, map[string]any{"id": customer, "name": name}
	}
}

// decodeOp reads an operation's outcome: ok is false when it returned
// any error (for a write: it may or may not have happened). A reply
// without errors whose data does not decode is an error of the test.
func decodeOp(in histIn, r *gatewaytest.Response) (out histOut, ok bool, err error) {
	if len(r.Errors) > 0 || !r.HasData() {
		return histOut{}, false, nil
	}
	switch in.Kind {
	case getList:
		var d struct{ AccountList *histOut }
		if err = json.Unmarshal(r.Data, &d); err == nil && d.AccountList == nil {
			err = fmt.Errorf("no list")
		}
		if err == nil {
			out = *d.AccountList
		}
	case getCustomer:
		var d struct{ Customer *histOut }
		if err = json.Unmarshal(r.Data, &d); err == nil && d.Customer == nil {
			err = fmt.Errorf("no customer")
		}
		if err == nil {
			out = *d.Customer
		}
	case findList:
		var d struct{ AccountLists []struct{ ID string } }
		err = json.Unmarshal(r.Data, &d)
		out.Exists = len(d.AccountLists) > 0
	}
	if err != nil {
		return out, false, fmt.Errorf("%w: %s", err, r.Raw)
	}
	return out, true, nil
}
