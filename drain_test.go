package main

import (
	"bytes"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/config"
	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/app/serve"
)

// reply is what a request sent from a goroutine got.
type reply struct {
	status int
	body   string
	err    error
}

func get(c *http.Client, url string) reply { return read(c.Get(url)) }

func post(c *http.Client, url, body string) reply {
	return read(c.Post(url, "application/json", bytes.NewBufferString(body)))
}

func read(resp *http.Response, err error) reply {
	if err != nil {
		return reply{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, body: string(b), err: err}
}

// TestDrainOnSIGTERM is the README's drain promise, step by step, on the
// real gateway and server: while a query waits on a vendor call, SIGTERM
// turns /readyz to 503 and new queries are still served; once the
// listener closes (here a second signal cuts the delay short, so that the
// test waits on events, not on time) new connections are refused, and the
// query in flight still completes with its data.
func TestDrainOnSIGTERM(t *testing.T) {
	// The vendor's replies wait at this gate for the one the test holds.
	hold := make(chan struct{})
	entered := make(chan struct{}, 16)
	var env *gatewaytest.Env
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Test-Hold") == "" {
			entered <- struct{}{}
			<-hold
		}
		target, _ := url.Parse(env.Sandbox.URL())
		httputil.NewSingleHostReverseProxy(target).ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	var once sync.Once
	release := func() { once.Do(func() { close(hold) }) }
	t.Cleanup(release) // before proxy.Close, which waits for held handlers
	env = gatewaytest.Start(t, gatewaytest.WithOnly("ortto"), func(s *gatewaytest.Setup) {
		require.NoError(t, s.Config.Apply(map[string]string{"ORTTO_BASE_URL": proxy.URL + "/ortto"}))
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := "http://" + ln.Addr().String()
	srv := serve.NewServer(serve.Options{}, env.Gateway)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	client := &http.Client{Transport: &http.Transport{}, Timeout: time.Minute}
	require.Equal(t, http.StatusOK, get(client, base+"/readyz").status)

	const q = `{"query":"{ people(refs: [{email: \"grace.hopper@example.com\"}]) { id } }"}`
	inFlight := make(chan reply, 1)
	go func() { inFlight <- post(client, base+"/query", q) }()
	<-entered // the query is waiting on Ortto

	signals := make(chan os.Signal, 1)
	done := make(chan error, 1)
	go func() {
		done <- drain(slog.New(slog.DiscardHandler), srv, env.Gateway, config.Server{DrainDelay: time.Hour, ShutdownTimeout: time.Minute}, syscall.SIGTERM, signals)
	}()

	require.Eventually(t, func() bool { return get(client, base+"/readyz").status == http.StatusServiceUnavailable }, 30*time.Second, 10*time.Millisecond,
		"/readyz must answer 503 once SIGTERM arrives")
	r := get(client, base+"/readyz")
	assert.Contains(t, r.body, `"status":"draining"`)
	assert.Equal(t, http.StatusOK, get(client, base+"/healthz").status, "draining is not dead: liveness stays 200")
	// During the delay new requests are still served: a load balancer
	// that has not yet seen the 503 must not meet a closed port.
	r = post(client, base+"/query", `{"query":"{ gateway { version } }"}`)
	require.NoError(t, r.err)
	assert.Equal(t, http.StatusOK, r.status, r.body)
	select {
	case err := <-done:
		t.Fatalf("drain returned before its delay: %v", err)
	default:
	}

	signals <- syscall.SIGTERM // the second signal: close the listener now
	require.Eventually(t, func() bool {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err == nil {
			_ = c.Close()
		}
		return err != nil
	}, 30*time.Second, 10*time.Millisecond, "the listener must close after the drain delay")
	select {
	case err := <-done:
		t.Fatalf("drain returned with a request still in flight: %v", err)
	default:
	}

	release() // Ortto answers
	got := <-inFlight
	require.NoError(t, got.err, "the query in flight was cut")
	assert.Equal(t, http.StatusOK, got.status, got.body)
	assert.Contains(t, got.body, `"people":[{"id":`)
	assert.NotContains(t, got.body, `"errors"`)
	require.NoError(t, <-done)
}

// TestInterruptSkipsTheDrainDelay: Ctrl-C at a terminal stops at once; an
// hour-long delay honoured here would time the test out.
func TestInterruptSkipsTheDrainDelay(t *testing.T) {
	env := gatewaytest.Start(t, gatewaytest.WithOnly("ortto"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := serve.NewServer(serve.Options{}, env.Gateway)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	require.Equal(t, http.StatusOK, get(&http.Client{Transport: &http.Transport{}}, "http://"+ln.Addr().String()+"/healthz").status, "serving")
	err = drain(slog.New(slog.DiscardHandler), srv, env.Gateway, config.Server{DrainDelay: time.Hour, ShutdownTimeout: time.Minute}, os.Interrupt, nil)
	require.NoError(t, err)
	require.ErrorIs(t, <-served, http.ErrServerClosed)
	_, err = net.Dial("tcp", ln.Addr().String())
	require.Error(t, err, "the listener is closed")
}
