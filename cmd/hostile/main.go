// Command hostile sends the hostile requests of issue 9 at full size to a
// running gateway and prints what each cost the gateway process: CPU (from
// /proc/<pid>/stat), allocation (go_memstats_alloc_bytes_total on
// /metrics) and RSS, then floods it with slow and idle connections and
// checks that /healthz still answers and that a 401 does not wait for a
// body. bench/hostile.sh runs it against a production-mode gateway.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/switchyard/switchyard/internal/policy/hostile"
)

var (
	base  = flag.String("url", "http://127.0.0.1:8080", "gateway base URL")
	token = flag.String("token", "", "bearer token (a read-only API key)")
	pid   = flag.Int("pid", 0, "gateway process id, for CPU and RSS")
	reps  = flag.Int("reps", 3, "times each document is sent; the worst is printed")
	flood = flag.Int("flood", 2000, "slow connections opened in the flood")
)

func main() {
	flag.Parse()
	fmt.Printf("%-24s %8s %6s %-18s %8s %9s %10s %9s\n", "case", "body", "status", "code", "errors", "reply", "cpu", "alloc")
	worstCPU, worstAlloc := time.Duration(0), 0.0
	for _, c := range append(hostile.Cases(hostile.MaxBody), hostile.AtLimits()...) {
		var cpu time.Duration
		var alloc float64
		var status, nerr, size int
		var code string
		for range *reps {
			a0, c0 := allocated(), cpuTime()
			status, code, nerr, size = send(c.Body)
			cpu = max(cpu, cpuTime()-c0)
			alloc = max(alloc, allocated()-a0)
		}
		worstCPU, worstAlloc = max(worstCPU, cpu), max(worstAlloc, alloc)
		fmt.Printf("%-24s %8d %6d %-18s %8d %9d %10v %7.1fMB\n", c.Name, len(c.Body), status, code, nerr, size, cpu, alloc/1e6)
	}
	fmt.Printf("worst: cpu %v, alloc %.1f MB (budget 250ms, 64 MiB); gateway RSS %s, peak %s\n\n", worstCPU, worstAlloc/1e6, rss("VmRSS"), rss("VmHWM"))

	// Issue 9.3: 40 distinct refused documents must not stay in memory.
	for i := range 40 {
		send(hugeRefused(i))
		send(complexRefused(i))
	}
	fmt.Printf("after 40 distinct ~1 MB documents refused on size and 40 refused on complexity: heap in use %s, RSS %s\n\n", heapInuse(), rss("VmRSS"))

	connections()
}

func send(body []byte) (status int, code string, nerr, size int) {
	req, _ := http.NewRequest(http.MethodPost, *base+"/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if *token != "" {
		req.Header.Set("Authorization", "Bearer "+*token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error(), 0, 0
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var r struct {
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	_ = json.Unmarshal(raw, &r)
	if len(r.Errors) > 0 {
		code, _ = r.Errors[0].Extensions["code"].(string)
	} else {
		code = "(data)"
	}
	return resp.StatusCode, code, len(r.Errors), len(raw)
}

func hugeRefused(i int) []byte {
	q := fmt.Sprintf("# %d\n{", i) + strings.Repeat("gateway { version } ", (hostile.MaxBody-200)/20) + "}"
	b, _ := json.Marshal(map[string]string{"query": q})
	return b
}

func complexRefused(i int) []byte {
	q := fmt.Sprintf(`{ accounts(first: 100) { nodes { company { id } } } # %d`+"\n}", i)
	b, _ := json.Marshal(map[string]string{"query": q})
	return b
}

// connections is issue 9.2: slow clients, idle connections and bodies
// that never arrive.
func connections() {
	host := strings.TrimPrefix(*base, "http://")
	var held []net.Conn
	for range *flood {
		c, err := net.Dial("tcp", host)
		if err != nil {
			fmt.Println("flood: dial:", err)
			break
		}
		_, _ = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n") // never finished
		held = append(held, c)
	}
	fmt.Printf("flood: %d connections holding unfinished headers; gateway open fds %d\n", len(held), fds())
	for _, path := range []string{"/healthz", "/readyz"} {
		start := time.Now()
		status, err := raw(host, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n", 10*time.Second)
		fmt.Printf("flood: GET %s -> %d %v in %v\n", path, status, errText(err), time.Since(start).Round(time.Millisecond))
	}
	for _, c := range held {
		_ = c.Close()
	}

	start := time.Now()
	status, err := raw(host, "POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n", 10*time.Second)
	fmt.Printf("body never sent, no token: %d %v in %v\n", status, errText(err), time.Since(start).Round(time.Millisecond))

	c, err := net.Dial("tcp", host)
	if err == nil {
		_, _ = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		br := bufio.NewReader(c)
		if resp, err := http.ReadResponse(br, nil); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			start := time.Now()
			_ = c.SetReadDeadline(time.Now().Add(2 * time.Minute))
			_, err := br.ReadByte()
			fmt.Printf("idle keep-alive connection closed by the gateway after %v (%v)\n", time.Since(start).Round(100*time.Millisecond), errText(err))
		}
		_ = c.Close()
	}
}

func raw(host, req string, wait time.Duration) (int, error) {
	c, err := net.Dial("tcp", host)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(wait))
	if _, err := io.WriteString(c, req); err != nil {
		return 0, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return "(" + err.Error() + ")"
}

// cpuTime is the gateway's user+system CPU time.
func cpuTime() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", *pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ = 100
}

func rss(field string) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", *pid))
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			return strings.Join(strings.Fields(v), " ")
		}
	}
	return "?"
}

func fds() int {
	ents, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", *pid))
	return len(ents)
}

func metric(name string) float64 {
	resp, err := http.Get(*base + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return 0
}

func allocated() float64 { return metric("go_memstats_alloc_bytes_total") }
func heapInuse() string {
	return fmt.Sprintf("%.1f MB", metric("go_memstats_heap_inuse_bytes")/1e6)
}
