// Command loadgen drives a fixed number of concurrent clients against a
// GraphQL endpoint for a bounded time (vegeta as a library, so pacing and
// latency accounting are a maintained tool's, not ours) and prints one JSON
// line of results: latency percentiles, throughput, status codes, and how
// many replies were well-formed GraphQL responses and how many carried
// errors. Loopback targets only: it refuses any other host.
//
//	go run ./cmd/loadgen -url http://127.0.0.1:8080/query -workers 50 -duration 10s \
//	    -query '{ accounts(first: 20) { nodes { id name status } } }'
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

type headers []string

func (h *headers) String() string     { return strings.Join(*h, ", ") }
func (h *headers) Set(v string) error { *h = append(*h, v); return nil }

// Report is what loadgen prints.
type Report struct {
	Target         string         `json:"target"`
	Workers        int            `json:"workers"`
	Requests       uint64         `json:"requests"`
	Throughput     float64        `json:"throughput_rps"`
	P50Ms          float64        `json:"p50_ms"`
	P90Ms          float64        `json:"p90_ms"`
	P99Ms          float64        `json:"p99_ms"`
	MaxMs          float64        `json:"max_ms"`
	StatusCodes    map[string]int `json:"status_codes"`
	WellFormed     uint64         `json:"well_formed_graphql"`
	WithErrors     uint64         `json:"with_graphql_errors"`
	Lost           uint64         `json:"lost"`
	TransportError []string       `json:"transport_errors,omitempty"`
}

func main() {
	var hdrs headers
	target := flag.String("url", "http://127.0.0.1:8080/query", "GraphQL endpoint (loopback only)")
	query := flag.String("query", "{ gateway { version } }", "GraphQL query document")
	workers := flag.Int("workers", 50, "concurrent clients")
	duration := flag.Duration("duration", 10*time.Second, "how long to run (bounded)")
	timeout := flag.Duration("timeout", 30*time.Second, "per-request timeout")
	flag.Var(&hdrs, "H", "extra header 'Name: value' (repeatable)")
	flag.Parse()
	if err := run(*target, *query, *workers, *duration, *timeout, hdrs); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run(target, query string, workers int, duration, timeout time.Duration, hdrs headers) error {
	u, err := url.Parse(target)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("refusing non-loopback target %q", u.Host)
	}
	if duration <= 0 || duration > 10*time.Minute {
		return fmt.Errorf("duration must be in (0, 10m]")
	}
	body, err := json.Marshal(map[string]string{"query": query})
	if err != nil {
		return err
	}
	h := http.Header{"Content-Type": {"application/json"}}
	for _, kv := range hdrs {
		k, v, ok := strings.Cut(kv, ":")
		if !ok {
			return fmt.Errorf("header %q is not 'Name: value'", kv)
		}
		h.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	attacker := vegeta.NewAttacker(
		vegeta.Workers(uint64(workers)), vegeta.MaxWorkers(uint64(workers)),
		vegeta.Connections(workers), vegeta.MaxConnections(workers),
		vegeta.KeepAlive(true), vegeta.Timeout(timeout),
	)
	tr := vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodPost, URL: target, Body: body, Header: h})
	var m vegeta.Metrics
	rep := Report{Target: target, Workers: workers}
	// Freq 0 with MaxWorkers: each worker sends its next request as soon
	// as the previous one is answered (a closed loop of `workers` clients).
	for res := range attacker.Attack(tr, vegeta.Rate{Freq: 0}, duration, "loadgen") {
		m.Add(res)
		var reply struct {
			Data   json.RawMessage `json:"data"`
			Errors []any           `json:"errors"`
		}
		switch {
		case res.Error != "" || res.Code == 0:
			rep.Lost++
		case json.Unmarshal(res.Body, &reply) == nil && (reply.Data != nil || reply.Errors != nil):
			rep.WellFormed++
			if len(reply.Errors) > 0 {
				rep.WithErrors++
			}
		}
	}
	m.Close()
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	rep.Requests, rep.Throughput = m.Requests, m.Throughput
	rep.P50Ms, rep.P90Ms, rep.P99Ms, rep.MaxMs = ms(m.Latencies.P50), ms(m.Latencies.P90), ms(m.Latencies.P99), ms(m.Latencies.Max)
	rep.StatusCodes, rep.TransportError = m.StatusCodes, m.Errors
	return json.NewEncoder(os.Stdout).Encode(rep)
}
