// Command loadgen drives a bounded closed loop of N clients against a
// loopback endpoint on vegeta's attacker and prints one JSON report
// (throughput, p50/p90/p99, status codes, well-formed GraphQL replies,
// lost requests). It serves every script in bench/: the P4/P5 load run,
// the fault run and the side-by-side pass-through run, which also needs:
//
//   - -method GET sends no body, so a vendor's REST endpoint can be driven
//     beside the gateway query that wraps it (-rest counts JSON replies as
//     well-formed instead of GraphQL ones);
//   - -traceparent gives every request its own W3C traceparent (a new
//     sampled trace each time, as distinct clients would send), which a
//     static -H header cannot;
//   - -warmup runs the same load first and discards it;
//   - -pid name=PID (repeatable) reads utime+stime of that process and its
//     descendants from /proc/<pid>/stat just before and just after the
//     measured window and reports CPU milliseconds per 1,000 requests;
//   - -sim-log URL (a simulator's /_sim/requests) is emptied just before
//     the window and counted after it, giving the vendor calls per client
//     request: a gateway that shares identical in-flight reads makes fewer
//     calls than it is sent requests, and the simulator's CPU follows;
//   - -label and -row append one Markdown table row to a file.
//
// Loopback targets only: it refuses any other host.
//
//	go run ./cmd/loadgen -url http://127.0.0.1:8080/query -workers 50 -duration 10s \
//	    -warmup 3s -traceparent -pid switchyard=1234 \
//	    -query '{ accounts(first: 20) { nodes { id name status } } }'
package main

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ", ") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

// Report is what loadgen prints.
type Report struct {
	Label          string             `json:"label,omitempty"`
	Target         string             `json:"target"`
	Method         string             `json:"method"`
	Workers        int                `json:"workers"`
	Requests       uint64             `json:"requests"`
	Throughput     float64            `json:"throughput_rps"`
	P50Ms          float64            `json:"p50_ms"`
	P90Ms          float64            `json:"p90_ms"`
	P99Ms          float64            `json:"p99_ms"`
	MaxMs          float64            `json:"max_ms"`
	StatusCodes    map[string]int     `json:"status_codes"`
	WellFormed     uint64             `json:"well_formed_graphql"`
	WithErrors     uint64             `json:"with_graphql_errors"`
	Lost           uint64             `json:"lost"`
	TransportError []string           `json:"transport_errors,omitempty"`
	CPUMs          map[string]float64 `json:"cpu_ms"`
	CPUMsPer1000   map[string]float64 `json:"cpu_ms_per_1000_requests"`
	VendorCalls    *int               `json:"vendor_calls,omitempty"`
}

type config struct {
	target, query, method, label, rowFile, simLog string
	workers                                       int
	duration, warmup, timeout                     time.Duration
	headers, pids                                 list
	rest, traceparent                             bool
}

func main() {
	var c config
	flag.StringVar(&c.target, "url", "http://127.0.0.1:8080/query", "endpoint (loopback only)")
	flag.StringVar(&c.query, "query", "{ gateway { version } }", "GraphQL query document (POST only)")
	flag.StringVar(&c.method, "method", http.MethodPost, "POST (GraphQL body) or GET (no body)")
	flag.IntVar(&c.workers, "workers", 50, "concurrent clients, each with its own connection")
	flag.DurationVar(&c.duration, "duration", 10*time.Second, "measured window (bounded)")
	flag.DurationVar(&c.warmup, "warmup", 0, "unmeasured load before the window")
	flag.DurationVar(&c.timeout, "timeout", 30*time.Second, "per-request timeout")
	flag.Var(&c.headers, "H", "extra header 'Name: value' (repeatable)")
	flag.BoolVar(&c.traceparent, "traceparent", false, "send a fresh sampled W3C traceparent with every request")
	flag.BoolVar(&c.rest, "rest", false, "count any JSON reply as well-formed (REST), not only GraphQL responses")
	flag.Var(&c.pids, "pid", "name=PID of a process whose CPU (with its descendants) is measured over the window (repeatable)")
	flag.StringVar(&c.simLog, "sim-log", "", "simulator request log (…/_sim/requests, loopback): emptied before the window, counted after")
	flag.StringVar(&c.label, "label", "", "row label")
	flag.StringVar(&c.rowFile, "row", "", "append a Markdown table row to this file")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "benchload:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	u, err := url.Parse(c.target)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("refusing non-loopback target %q", u.Host)
	}
	if c.duration <= 0 || c.duration > 10*time.Minute || c.warmup < 0 || c.warmup > 10*time.Minute {
		return errors.New("duration must be in (0, 10m], warmup in [0, 10m]")
	}
	c.method = strings.ToUpper(c.method)
	if c.method != http.MethodPost && c.method != http.MethodGet {
		return fmt.Errorf("method %q: only POST and GET", c.method)
	}
	pids := map[string]int{}
	var names []string
	for _, kv := range c.pids {
		name, p, ok := strings.Cut(kv, "=")
		pid, err := strconv.Atoi(p)
		if !ok || err != nil || pid <= 0 {
			return fmt.Errorf("-pid %q is not name=PID", kv)
		}
		if _, err := processCPU(pid); err != nil {
			return err
		}
		pids[name] = pid
		names = append(names, name)
	}

	h := http.Header{}
	var body []byte
	if c.method == http.MethodPost {
		h.Set("Content-Type", "application/json")
		if body, err = json.Marshal(map[string]string{"query": c.query}); err != nil {
			return err
		}
	}
	for _, kv := range c.headers {
		k, v, ok := strings.Cut(kv, ":")
		if !ok {
			return fmt.Errorf("header %q is not 'Name: value'", kv)
		}
		h.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	targeter := func(t *vegeta.Target) error {
		t.Method, t.URL, t.Body, t.Header = c.method, c.target, body, h
		if c.traceparent {
			t.Header = h.Clone()
			t.Header.Set("Traceparent", newTraceparent())
		}
		return nil
	}
	// One keep-alive pool of `workers` connections for the warm-up and the
	// measured window (a vegeta Attacker cannot be reused once an attack
	// ends, so each phase gets its own over this shared client).
	client := &http.Client{Timeout: c.timeout, Transport: &http.Transport{
		DialContext:         (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: c.workers, MaxConnsPerHost: c.workers,
	}}
	newAttacker := func() *vegeta.Attacker {
		return vegeta.NewAttacker(vegeta.Client(client),
			vegeta.Workers(uint64(c.workers)), vegeta.MaxWorkers(uint64(c.workers)))
	}
	// Freq 0 with MaxWorkers: each worker sends its next request as soon
	// as the previous one is answered (a closed loop of `workers` clients).
	if c.warmup > 0 {
		for range newAttacker().Attack(targeter, vegeta.Rate{Freq: 0}, c.warmup, "warmup") {
		}
	}

	if c.simLog != "" {
		if err := simLog(http.MethodDelete, c.simLog, nil); err != nil {
			return err
		}
	}
	before := map[string]time.Duration{}
	for name, pid := range pids {
		if before[name], err = processCPU(pid); err != nil {
			return err
		}
	}
	var m vegeta.Metrics
	rep := Report{Label: c.label, Target: c.target, Method: c.method, Workers: c.workers,
		CPUMs: map[string]float64{}, CPUMsPer1000: map[string]float64{}}
	for res := range newAttacker().Attack(targeter, vegeta.Rate{Freq: 0}, c.duration, "measure") {
		m.Add(res)
		var reply struct {
			Data   json.RawMessage `json:"data"`
			Errors []any           `json:"errors"`
		}
		switch {
		case res.Error != "" || res.Code == 0:
			rep.Lost++
		case c.rest:
			if res.Code/100 == 2 && json.Valid(res.Body) {
				rep.WellFormed++
			}
		case json.Unmarshal(res.Body, &reply) == nil && (reply.Data != nil || reply.Errors != nil):
			rep.WellFormed++
			if len(reply.Errors) > 0 {
				rep.WithErrors++
			}
		}
	}
	m.Close()
	for name, pid := range pids {
		after, err := processCPU(pid)
		if err != nil {
			return err
		}
		ms := float64(after-before[name]) / float64(time.Millisecond)
		rep.CPUMs[name] = ms
		if m.Requests > 0 {
			rep.CPUMsPer1000[name] = ms * 1000 / float64(m.Requests)
		}
	}
	if c.simLog != "" {
		var calls []json.RawMessage
		if err := simLog(http.MethodGet, c.simLog, &calls); err != nil {
			return err
		}
		n := len(calls)
		rep.VendorCalls = &n
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	rep.Requests, rep.Throughput = m.Requests, m.Throughput
	rep.P50Ms, rep.P90Ms, rep.P99Ms, rep.MaxMs = ms(m.Latencies.P50), ms(m.Latencies.P90), ms(m.Latencies.P99), ms(m.Latencies.Max)
	rep.StatusCodes, rep.TransportError = m.StatusCodes, m.Errors
	if err := json.NewEncoder(os.Stdout).Encode(rep); err != nil {
		return err
	}
	if c.rowFile != "" {
		return appendRow(c.rowFile, rep, names)
	}
	return nil
}

// appendRow writes: label | req/s | p50 | p99 | CPU ms per 1,000 requests
// of each named process, in -pid order | vendor calls per request (with
// -sim-log) | requests (not well-formed).
func appendRow(path string, r Report, names []string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	cells := []string{r.Label, fmt.Sprintf("%.0f", r.Throughput), fmt.Sprintf("%.1f ms", r.P50Ms), fmt.Sprintf("%.1f ms", r.P99Ms)}
	for _, n := range names {
		cells = append(cells, fmt.Sprintf("%.0f", r.CPUMsPer1000[n]))
	}
	if r.VendorCalls != nil && r.Requests > 0 {
		cells = append(cells, fmt.Sprintf("%.3f", float64(*r.VendorCalls)/float64(r.Requests)))
	}
	bad := r.Requests - r.WellFormed
	cells = append(cells, fmt.Sprintf("%d (%d bad)", r.Requests, bad))
	_, err = fmt.Fprintf(f, "| %s |\n", strings.Join(cells, " | "))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// simLog sends a request to a simulator's control API and decodes the
// reply into out when out is not nil.
func simLog(method, target string, out any) error {
	u, err := url.Parse(target)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("refusing non-loopback simulator %q", u.Host)
	}
	req, err := http.NewRequest(method, target, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s", method, target, res.Status)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(res.Body).Decode(out)
}

// newTraceparent is a sampled W3C trace context with random ids.
func newTraceparent() string {
	var b [24]byte
	for i := 0; i < len(b); i += 8 {
		v := rand.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return "00-" + hex.EncodeToString(b[:16]) + "-" + hex.EncodeToString(b[16:]) + "-01"
}

// clockTick is USER_HZ, the unit of utime and stime in /proc/<pid>/stat:
// 100 on every Linux architecture Go supports (it is fixed by the kernel
// ABI, not by CONFIG_HZ).
const clockTick = 100

// processCPU is the user+system CPU that pid and its live descendants have
// used so far, from /proc/<pid>/stat (fields 14 and 15).
func processCPU(pid int) (time.Duration, error) {
	children := map[int][]int{}
	stats := map[int][]string{}
	all, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range all {
		fields, err := statFields(p)
		if err != nil || len(fields) < 15 {
			continue // gone since the glob
		}
		me, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
		ppid, _ := strconv.Atoi(fields[3])
		children[ppid] = append(children[ppid], me)
		stats[me] = fields
	}
	if _, ok := stats[pid]; !ok {
		return 0, fmt.Errorf("process %d is not running", pid)
	}
	var ticks int64
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = append(queue[1:], children[p]...)
		f := stats[p]
		ut, _ := strconv.ParseInt(f[13], 10, 64)
		st, _ := strconv.ParseInt(f[14], 10, 64)
		ticks += ut + st
	}
	return time.Duration(ticks) * time.Second / clockTick, nil
}

// statFields splits /proc/<pid>/stat into its fields, field 1 first; the
// command name (field 2) may hold spaces, so it is cut at the last ')'.
func statFields(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s := string(b)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return nil, fmt.Errorf("%s: unexpected format", path)
	}
	return append([]string{strings.TrimSpace(s[:open]), s[open+1 : end]}, strings.Fields(s[end+1:])...), nil
}
