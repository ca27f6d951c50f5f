package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/switchyard/switchyard/internal/app/config"
	"github.com/switchyard/switchyard/internal/app/gateway"
	"github.com/switchyard/switchyard/internal/app/sandbox"
	"github.com/switchyard/switchyard/internal/app/serve"
	"github.com/switchyard/switchyard/internal/policy/auth"
)

// floodChild marks the re-executed test binary that serves the gateway
// under a 1,024-descriptor limit for TestUnauthenticatedFloodCannotStopTheGateway.
const floodChild = "SWITCHYARD_FLOOD_CHILD"

// TestUnauthenticatedFloodCannotStopTheGateway is issue 18's first attack
// at full size: a production gateway (API keys, the default 512
// connections plus 8 in reserve) in its own process limited to 1,024 file
// descriptors; 600 clients without a token that send POST /query headers
// announcing a 1,000-byte body and never send it, 8 that send GET
// /healthz with a Content-Length, and 100 that never finish their headers,
// each reconnecting as soon as it is closed (at most 300 new connections
// a second between them). Throughout, /healthz on the admin listener and
// on the public port, and a keyed query, each answer within 2 s.
//
// Before the fix each refused connection stayed busy for the 30 s read
// timeout while net/http waited to drain its body: the cap and the health
// reserve filled and /healthz stopped answering.
//
// The flood lasts SWITCHYARD_FLOOD_DURATION (default 3s, so that go test
// stays quick); the acceptance run holds it 12 s:
//
//	SWITCHYARD_FLOOD_DURATION=12s go test -run TestUnauthenticatedFlood -v ./internal/app/e2e
func TestUnauthenticatedFloodCannotStopTheGateway(t *testing.T) {
	t.Parallel()
	if os.Getenv(floodChild) != "" {
		t.Skip("the child process serves; see floodServe")
	}
	if testing.Short() {
		t.Skip("a flood of 700 connections: not in -short")
	}
	duration := 3 * time.Second
	if d := os.Getenv("SWITCHYARD_FLOOD_DURATION"); d != "" {
		var err error
		duration, err = time.ParseDuration(d)
		require.NoError(t, err)
	}
	var lim syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim))
	if lim.Cur < 2048 {
		t.Skipf("the attacking side needs 2,048 descriptors, has %d", lim.Cur)
	}

	dir := t.TempDir()
	keys := filepath.Join(dir, "keys")
	require.NoError(t, os.WriteFile(keys, []byte(auth.HashKey(readerKey)+" read\n"), 0o600))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	child := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestFloodServe$")
	child.Env = append(os.Environ(), floodChild+"="+keys)
	child.Stderr = os.Stderr
	out, err := child.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, child.Start())
	t.Cleanup(func() { cancel(); _ = child.Wait() })
	var public, admin string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if _, err := fmt.Sscanf(sc.Text(), "serving %s %s", &public, &admin); err == nil {
			break
		}
	}
	require.NotEmpty(t, admin, "the child never served")
	go func() { _, _ = io.Copy(io.Discard, out) }()

	stop := make(chan struct{})
	var wg sync.WaitGroup
	dials := rate.NewLimiter(300, 10)
	var attacks atomic.Int64
	attack := func(req string) {
		defer wg.Done()
		for {
			if dials.Wait(ctx) != nil {
				return
			}
			select {
			case <-stop:
				return
			default:
			}
			c, err := net.DialTimeout("tcp", public, time.Second)
			if err != nil {
				continue
			}
			attacks.Add(1)
			_ = c.SetDeadline(time.Now().Add(40 * time.Second))
			_, _ = io.WriteString(c, req)
			done := make(chan struct{})
			go func() { _, _ = io.Copy(io.Discard, c); close(done) }() // until the gateway closes it
			select {
			case <-done:
			case <-stop:
			}
			_ = c.Close()
		}
	}
	for range 600 {
		wg.Add(1)
		go attack("POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
	}
	for range 8 {
		wg.Add(1)
		go attack("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
	}
	for range 100 {
		wg.Add(1)
		go attack("GET /healthz HTTP/1.1\r\nHost: x\r\n")
	}

	// Probes: each a new connection, as a kubelet's are.
	probe := func(req *http.Request) (time.Duration, error) {
		cl := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		start := time.Now()
		resp, err := cl.Do(req)
		if err != nil {
			return time.Since(start), err
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != http.StatusOK {
			return time.Since(start), fmt.Errorf("status %d", resp.StatusCode)
		}
		return time.Since(start), nil
	}
	keyed := func() *http.Request {
		req, _ := http.NewRequest(http.MethodPost, "http://"+public+"/query", strings.NewReader(`{"query":"{ gateway { version } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+readerKey)
		return req
	}
	get := func(addr string) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/healthz", nil)
		return r
	}
	worst := map[string]time.Duration{}
	var maxFDs int
	time.Sleep(500 * time.Millisecond) // the flood is on
	for end := time.Now().Add(duration); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		for name, req := range map[string]*http.Request{"admin /healthz": get(admin), "public /healthz": get(public), "keyed /query": keyed()} {
			took, err := probe(req)
			assert.NoError(t, err, "%s during the flood", name)
			worst[name] = max(worst[name], took)
		}
		if fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", child.Process.Pid)); err == nil {
			maxFDs = max(maxFDs, len(fds))
		}
	}
	close(stop)
	cancel()
	wg.Wait()
	t.Logf("flood of %v: %d attacking connections; worst answer: %v; gateway open descriptors at most %d of 1024",
		duration, attacks.Load(), worst, maxFDs)
	assert.Less(t, maxFDs, 1024)
}

// TestFloodServe is the child of TestUnauthenticatedFloodCannotStopTheGateway:
// the production wiring of server.go (public and admin listeners) under a
// 1,024-descriptor limit, until its parent kills it.
func TestFloodServe(t *testing.T) {
	t.Parallel()
	keys := os.Getenv(floodChild)
	if keys == "" {
		t.Skip("run by TestUnauthenticatedFloodCannotStopTheGateway")
	}
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: 1024, Max: 1024}))
	sb, err := sandbox.Start("")
	require.NoError(t, err)
	cfg, err := config.Load(func(string) string { return "" })
	require.NoError(t, err)
	sb.Configure(cfg)
	cfg.Sandbox, cfg.Production, cfg.Introspection, cfg.GraphiQL = false, true, false, false
	cfg.Auth.APIKeysFile = keys
	cfg.Server.AdminAddr = "127.0.0.1:0"
	authn, err := auth.New(cfg.Auth)
	require.NoError(t, err)
	gw, err := gateway.New(cfg, gateway.Options{Auth: authn, Simulated: true, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	pln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	aln, err := net.Listen("tcp", cfg.Server.AdminAddr)
	require.NoError(t, err)
	go func() { _ = serve.NewServer(serve.AdminOptions(), gw.Admin()).Serve(aln) }()
	fmt.Printf("serving %s %s\n", pln.Addr(), aln.Addr())
	_ = serve.NewServer(serve.OptionsFrom(cfg), gw).Serve(pln)
}
