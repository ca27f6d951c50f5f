package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/app/registry"
	"github.com/switchyard/switchyard/internal/app/sandbox"
	"github.com/switchyard/switchyard/internal/policy/errcode"
	"github.com/switchyard/switchyard/internal/policy/sharedstate/redistest"
)

// The lease of the crash test's keyed create: the killed replica's
// request deadline plus the margin, which is longer than the minimum.
const (
	crashRequestTimeout = 3 * time.Second
	crashLease          = 2 * time.Second
	crashLeaseMargin    = time.Second
)

// An acceptance row of issue 17, "idempotency × replica crash", on a real
// process: a gateway binary holding a keyed createAccountList is killed
// with SIGKILL after Cordial applied the create and before its reply
// came back. The client retries the same key on another replica (sharing
// the Redis, with AOF): within the lease the retry waits and is told the
// request is still in progress (409 CONFLICT); after the lease it gets 409
// IDEMPOTENCY_OUTCOME_UNKNOWN, and keeps getting it; Cordial never sees a
// second create. On adb9586 the reservation expired with the 60 s pending
// window and the retry created the list again.
func TestReplicaKilledMidRequestNeverRunsTheKeyTwice(t *testing.T) {
	rs := redistest.StartWith(t, redistest.Options{AOF: true, Fsync: "always"})
	sb, err := sandbox.Start("")
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	hold := newCreateHold(t, sb)

	bin := filepath.Join(t.TempDir(), "switchyard")
	build := exec.Command("go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	port := freePort(t)
	env := append(os.Environ(),
		"PORT="+strconv.Itoa(port),
		"SWITCHYARD_REDIS_URL="+rs.URL,
		"SWITCHYARD_REQUEST_TIMEOUT="+crashRequestTimeout.String(),
		"SWITCHYARD_IDEMPOTENCY_LEASE="+crashLease.String(),
		"SWITCHYARD_IDEMPOTENCY_LEASE_MARGIN="+crashLeaseMargin.String(),
	)
	// Every vendor through the proxy, with the sandbox's credentials.
	for k, v := range sandbox.Env(hold.URL, registry.Simulators(registry.Entries())) {
		env = append(env, k+"="+v)
	}
	var logs strings.Builder
	var logsMu sync.Mutex
	a := exec.Command(bin)
	a.Env = env
	a.Stdout, a.Stderr = lockedWriter{&logsMu, &logs}, lockedWriter{&logsMu, &logs}
	require.NoError(t, a.Start())
	exited := make(chan struct{})
	go func() { _ = a.Wait(); close(exited) }()
	t.Cleanup(func() { _ = a.Process.Kill(); <-exited })
	aURL := "http://127.0.0.1:" + strconv.Itoa(port)
	for up := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		select {
		case <-exited:
			logsMu.Lock()
			defer logsMu.Unlock()
			t.Fatalf("the gateway exited:\n%s", logs.String())
		default:
		}
		if resp, err := http.Get(aURL + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		require.Less(t, time.Since(up), 30*time.Second, "the gateway binary never answered /healthz")
	}

	// Replica B, in process, on the same Redis; its short request
	// deadline makes a retry that waits for A come back in progress.
	b := gatewaytest.StartOn(t, sb, gatewaytest.WithRedis(t, rs.URL, ""), func(s *gatewaytest.Setup) {
		s.Config.RequestTimeout = 500 * time.Millisecond
	})

	const create = `mutation { createAccountList(input: {name: "created_once"}) { id name } }`
	key := []string{"Idempotency-Key", "crash-1"}
	sent := time.Now()
	req, err := http.NewRequest(http.MethodPost, aURL+"/query", strings.NewReader(`{"query":`+strconv.Quote(create)+`}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(key[0], key[1])
	go func() {
		// Its reply never comes: the process dies first.
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	select {
	case <-hold.applied:
	case <-time.After(30 * time.Second):
		t.Fatal("the create never reached Cordial")
	}
	require.NoError(t, a.Process.Signal(syscall.SIGKILL))
	<-exited

	r := b.Query(create, nil, key...)
	assert.False(t, r.HasData(), r.Raw)
	if time.Since(sent) < crashLease {
		// The lease cannot have ended: it started after sent.
		assert.Equal(t, http.StatusConflict, r.Status, r.Raw)
		assert.Equal(t, []string{errcode.Conflict}, r.Codes(), r.Raw)
		assert.Contains(t, r.Raw, "in progress")
	} else {
		t.Logf("the machine is slow: the first retry came %s after the create, past the lease", time.Since(sent))
	}

	var last *gatewaytest.Response
	for retried := time.Now(); ; time.Sleep(100 * time.Millisecond) {
		last = b.Query(create, nil, key...)
		require.False(t, last.HasData(), "a retry ran the create again: %s", last.Raw)
		require.Equal(t, http.StatusConflict, last.Status, last.Raw)
		if len(last.Codes()) == 1 && last.Codes()[0] == errcode.IdempotencyOutcomeUnknown {
			break
		}
		require.Equal(t, []string{errcode.Conflict}, last.Codes(), last.Raw)
		require.Less(t, time.Since(retried), 30*time.Second, "after the lease the retry must be told the outcome is unknown")
	}
	assert.Contains(t, last.Raw, "new key")
	again := b.Query(create, nil, key...)
	assert.Equal(t, []string{errcode.IdempotencyOutcomeUnknown}, again.Codes(), "and keeps being told so")

	creates := 0
	for _, c := range gatewaytest.APICalls(sb, "cordial") {
		if c.Method == http.MethodPost && strings.Contains(c.Body, "created_once") {
			creates++
		}
	}
	assert.Equal(t, 1, creates, "Cordial saw one create")
	var lists struct{ AccountLists []struct{ ID string } }
	b.Query(`{ accountLists(name: "created_once") { id } }`, nil).Into(t, &lists)
	assert.Len(t, lists.AccountLists, 1)
}

// createHold is a proxy in front of the sandbox that holds the reply to
// Cordial's createAccountList after Cordial has applied it, until the
// caller goes away (its process is killed).
type createHold struct {
	URL     string
	applied chan struct{}
	once    sync.Once
}

func newCreateHold(t *testing.T, sb *sandbox.Sandbox) *createHold {
	target, err := url.Parse(sb.URL())
	require.NoError(t, err)
	h := &createHold{applied: make(chan struct{})}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = func(resp *http.Response) error {
		r := resp.Request
		if r.Method == http.MethodPost && r.URL.Path == "/cordial/v2/accountlists" {
			h.once.Do(func() { close(h.applied) })
			<-r.Context().Done()
		}
		return nil
	}
	rp.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, _ error) { w.WriteHeader(http.StatusBadGateway) }
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	h.URL = srv.URL
	return h
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *strings.Builder
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
