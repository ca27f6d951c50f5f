package serve_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/config"
	"github.com/switchyard/switchyard/internal/app/serve"
)

// clientWait bounds how long a test waits for the server; the server's
// own timeouts in these tests are far shorter, so reaching it means the
// server never answered.
const clientWait = 10 * time.Second

// start serves h with opts on a loopback listener.
func start(t *testing.T, opts serve.Options, h http.Handler) (*serve.Server, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := serve.NewServer(opts, h)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return srv, ln.Addr().String()
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	require.NoError(t, c.SetDeadline(time.Now().Add(clientWait)))
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// roundTrip writes a raw request on c and reads the response's status.
func roundTrip(t *testing.T, c net.Conn, req string) (*http.Response, error) {
	t.Helper()
	if _, err := io.WriteString(c, req); err != nil {
		return nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return resp, err
}

var ok = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	_, _ = io.WriteString(w, "ok")
})

func TestOptionsFromConfig(t *testing.T) {
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"SWITCHYARD_READ_TIMEOUT": "7s", "SWITCHYARD_IDLE_TIMEOUT": "8s", "SWITCHYARD_MAX_CONNECTIONS": "9", "SWITCHYARD_REQUEST_TIMEOUT": "20s"}[k]
	})
	require.NoError(t, err)
	srv := serve.NewServer(serve.OptionsFrom(cfg), ok)
	assert.Equal(t, 7*time.Second, srv.ReadTimeout)
	assert.Equal(t, 8*time.Second, srv.IdleTimeout)
	assert.Positive(t, srv.ReadHeaderTimeout)
	// WriteTimeout runs from the end of the headers: it must cover the
	// body (ReadTimeout) and the whole request deadline, so that an
	// @defer stream is never cut before SWITCHYARD_REQUEST_TIMEOUT.
	assert.GreaterOrEqual(t, srv.WriteTimeout, 27*time.Second)
}

// TestSlowBodyIsCut: a request whose body stalls is answered or closed
// after ReadTimeout instead of holding the connection.
func TestSlowBodyIsCut(t *testing.T) {
	_, addr := start(t, serve.Options{ReadTimeout: 200 * time.Millisecond, IdleTimeout: time.Minute}, ok)
	c := dial(t, addr)
	_, err := io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nhalf")
	require.NoError(t, err)
	_, err = io.ReadAll(c) // the server closes
	assert.NoError(t, err, "the server never closed the connection")
}

// TestIdleConnectionsClose: a keep-alive connection that sends nothing
// more is closed after IdleTimeout.
func TestIdleConnectionsClose(t *testing.T) {
	_, addr := start(t, serve.Options{ReadTimeout: time.Minute, IdleTimeout: 200 * time.Millisecond}, ok)
	c := dial(t, addr)
	resp, err := roundTrip(t, c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	_, err = io.ReadAll(c)
	assert.NoError(t, err, "the idle connection was never closed")
}

// TestHandlerOutlivesReadTimeout: the read deadline is lifted once the
// body is read, so a request running longer than ReadTimeout (an @defer
// stream) keeps its context.
func TestHandlerOutlivesReadTimeout(t *testing.T) {
	const readTimeout = 100 * time.Millisecond
	for _, method := range []string{"GET", "POST"} {
		t.Run(method, func(t *testing.T) {
			_, addr := start(t, serve.Options{ReadTimeout: readTimeout, IdleTimeout: time.Minute},
				http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					_, _ = io.Copy(io.Discard, r.Body)
					select {
					case <-r.Context().Done():
						http.Error(w, "cancelled", http.StatusServiceUnavailable)
					case <-time.After(4 * readTimeout):
						_, _ = io.WriteString(w, "ok")
					}
				}))
			body := ""
			if method == "POST" {
				body = "Content-Length: 2\r\n\r\n{}"
			} else {
				body = "\r\n"
			}
			resp, err := roundTrip(t, dial(t, addr), method+" / HTTP/1.1\r\nHost: x\r\n"+body)
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, resp.StatusCode, "the request's context was cancelled by the read deadline")
		})
	}
}

// TestFloodKeepsHealthAnswering is issue 9.2: held sockets exhausted the
// server and /healthz stopped answering. At the cap, connections that
// never send a request are evicted, oldest first; when every slot is in a
// request, the reserve answers health checks only; beyond that new
// connections are closed rather than queued.
func TestFloodKeepsHealthAnswering(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 100)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/block" {
			entered <- struct{}{}
			<-release
		}
		_, _ = io.WriteString(w, "ok")
	})
	srv, addr := start(t, serve.Options{ReadTimeout: time.Minute, IdleTimeout: time.Minute, ReadHeaderTimeout: time.Minute, MaxConnections: 5, Reserve: 2}, h)
	defer close(release)

	// 20 slow clients that never finish their headers.
	for range 20 {
		c := dial(t, addr)
		_, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\n")
		require.NoError(t, err)
	}
	general, _ := srv.Conns()
	assert.LessOrEqual(t, general, 5)
	hc := dial(t, addr)
	resp, err := roundTrip(t, hc, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err, "a slow-header flood starved /healthz")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	// The health client leaves. Kept open, its connection is evictable only
	// once net/http has marked it idle, which on a loaded machine can come
	// after the next connections arrive: the fifth /block below would then
	// find nothing to evict and land in the health reserve.
	require.NoError(t, hc.Close())
	require.Eventually(t, func() bool { g, _ := srv.Conns(); return g < 5 }, clientWait, time.Millisecond)

	// Every general slot busy in a request.
	for range 5 {
		c := dial(t, addr)
		_, err := io.WriteString(c, "GET /block HTTP/1.1\r\nHost: x\r\n\r\n")
		require.NoError(t, err)
		select {
		case <-entered:
		case <-time.After(clientWait):
			t.Fatal("a /block request never reached the handler")
		}
	}
	general, _ = srv.Conns()
	assert.Equal(t, 5, general)
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err = roundTrip(t, dial(t, addr), "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n")
		require.NoError(t, err, "%s with every slot busy", path)
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
		assert.True(t, resp.Close, "a reserve connection serves one request")
	}
	resp, err = roundTrip(t, dial(t, addr), "POST /query HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
	require.NoError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "the reserve is for health checks only")

	// Reserve held too: a new connection is closed, not queued.
	for range 2 {
		c := dial(t, addr)
		_, err := io.WriteString(c, "GET /block HTTP/1.1\r\nHost: x\r\n\r\n")
		require.NoError(t, err)
		_, _ = http.ReadResponse(bufio.NewReader(c), nil) // 503 and closed
	}
	_, reserve := srv.Conns()
	assert.LessOrEqual(t, reserve, 2)
}

// TestServesThroughCap: sequential clients keep working with a cap of
// one, each leaving before the next comes (a client that stays connected
// is evictable only once net/http has marked its connection idle).
func TestServesThroughCap(t *testing.T) {
	srv, addr := start(t, serve.Options{MaxConnections: 1, IdleTimeout: time.Minute}, ok)
	for i := range 5 {
		c := dial(t, addr)
		resp, err := roundTrip(t, c, fmt.Sprintf("GET /%d HTTP/1.1\r\nHost: x\r\n\r\n", i))
		require.NoError(t, err, "request %d", i)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		require.NoError(t, c.Close())
		require.Eventually(t, func() bool { g, _ := srv.Conns(); return g == 0 }, clientWait, time.Millisecond)
	}
	assert.True(t, strings.HasPrefix(addr, "127.0.0.1:"))
}

// TestRefusalClosesWithoutDrain: issue 18's attack. A client announces a
// body it never sends; the handler refuses without reading it. Before,
// net/http waited the whole read timeout to drain the body, the
// connection busy (never evicted) all along; now the refusal goes out
// with Connection: close and the connection closes at once.
func TestRefusalClosesWithoutDrain(t *testing.T) {
	refuse := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
	})
	for _, path := range []string{"/query", "/healthz"} {
		t.Run(path, func(t *testing.T) {
			srv, addr := start(t, serve.Options{ReadTimeout: time.Hour, ReadHeaderTimeout: time.Hour, IdleTimeout: time.Hour, MaxConnections: 4}, refuse)
			c := dial(t, addr)
			br := bufio.NewReader(c)
			_, err := io.WriteString(c, "POST "+path+" HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
			require.NoError(t, err)
			resp, err := http.ReadResponse(br, nil)
			require.NoError(t, err)
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
			assert.True(t, resp.Close, "the refusal says the connection closes")
			_, err = br.ReadByte()
			assert.ErrorIs(t, err, io.EOF, "the server closed the connection instead of waiting for the body")
			require.Eventually(t, func() bool { g, _ := srv.Conns(); return g == 0 }, clientWait, time.Millisecond)
		})
	}
}

// TestUntrustedConnectionsGetShortDeadlines: a connection that never
// carried an authenticated request is cut after UntrustedTimeout however
// long the server's own header timeout; one whose request called Trust
// gets the server's body deadline back.
func TestUntrustedConnectionsGetShortDeadlines(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/trusted" {
			serve.Trust(r.Context())
		}
		_, err := io.Copy(io.Discard, r.Body)
		if err != nil {
			w.WriteHeader(http.StatusRequestTimeout)
			return
		}
		_, _ = io.WriteString(w, "ok")
	})
	opts := serve.Options{ReadTimeout: time.Hour, ReadHeaderTimeout: time.Hour, IdleTimeout: time.Hour, MaxConnections: 8, UntrustedTimeout: 100 * time.Millisecond}
	_, addr := start(t, opts, h)

	t.Run("slow headers", func(t *testing.T) {
		c := dial(t, addr)
		_, err := io.WriteString(c, "GET / HTTP/1.1\r\n")
		require.NoError(t, err)
		_, err = c.Read(make([]byte, 1))
		require.Error(t, err)
		var ne net.Error
		assert.False(t, errors.As(err, &ne) && ne.Timeout(), "the server, not the client's wait, ended the connection: %v", err)
	})
	t.Run("trusted body", func(t *testing.T) {
		c := dial(t, addr)
		_, err := io.WriteString(c, "POST /trusted HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n")
		require.NoError(t, err)
		time.Sleep(3 * opts.UntrustedTimeout) // past the untrusted cap
		resp, err := roundTrip(t, c, "ok")
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode, "a trusted request keeps the server's body deadline")
	})
}
