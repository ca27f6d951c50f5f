package outbound_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/internal/base/outbound/outboundtest"
	"github.com/switchyard/switchyard/vendors/ortto"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fast are chain options that keep the tests quick: millisecond backoff,
// no pacing, a breaker that does not get in the way unless a test wants it.
func fast(o outbound.ChainOptions) outbound.ChainOptions {
	if o.Vendor == "" {
		o.Vendor = "acme"
	}
	if o.Timeout == 0 {
		o.Timeout = 2 * time.Second
	}
	if o.RetryBase == 0 {
		o.RetryBase = time.Millisecond
	}
	if o.RetryMax == 0 {
		o.RetryMax = 5 * time.Millisecond
	}
	if o.BreakerFailures == 0 {
		o.BreakerFailures = 1000
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

func newChain(t *testing.T, o outbound.ChainOptions) *outbound.Chain {
	t.Helper()
	c := outbound.NewChain(fast(o))
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// vendor is an httptest server that counts the requests it answers with
// handle, which gets the 1-based attempt number.
type vendor struct {
	*httptest.Server
	attempts atomic.Int64
	bodies   chan string
}

func newVendor(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, attempt int)) *vendor {
	t.Helper()
	v := &vendor{bodies: make(chan string, 64)}
	v.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(v.attempts.Add(1))
		b, _ := io.ReadAll(r.Body)
		select {
		case v.bodies <- string(b):
		default:
		}
		handle(w, r, n)
	}))
	t.Cleanup(v.Close)
	return v
}

func (v *vendor) count() int { return int(v.attempts.Load()) }

// check is the smallest vendor CheckFunc: 2xx is success, anything else
// the default status error.
func check(resp *http.Response, _ []byte) *outbound.Error {
	if resp.StatusCode < 300 {
		return nil
	}
	return outbound.StatusError(resp)
}

// call sends method to v through the chain the way a vendor client does
// and returns the *outbound.Error it failed with, or nil.
func call(t *testing.T, ctx context.Context, c *outbound.Chain, method, url, body string) *outbound.Error {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	require.NoError(t, err)
	err = doVia(c.Client(), req, "test op", check, nil)
	if err == nil {
		return nil
	}
	var e *outbound.Error
	require.ErrorAs(t, err, &e)
	return e
}

// doVia sends req the way a vendor client does: through an
// outbound.Client on hc whose vendor reads replies with check.
func doVia(hc *http.Client, req *http.Request, op string, check outbound.CheckFunc, v any) error {
	c := &outbound.Client{BaseURL: req.URL, Vendor: outbound.Vendor{Name: "acme", Check: check}, HTTPClient: hc}
	return c.Do(outbound.WithOperation(req.Context(), op), req, v)
}

func status(code int, header ...string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
	}
}

func TestRetryOnlyReadsOnTransientReplies(t *testing.T) {
	ok := status(200)
	cases := []struct {
		name     string
		method   string
		read     bool // mark the request with IdempotentRead
		attempts int  // ChainOptions.RetryAttempts
		replies  []func(http.ResponseWriter)
		want     int // attempts the vendor sees
		kind     outbound.Kind
		failed   bool
		desc     outbound.Vendor // the chain's descriptor; zero: status codes only
	}{
		{name: "503 three times then gives up", method: "GET", replies: []func(http.ResponseWriter){status(503)}, want: 3, failed: true, kind: outbound.KindUnavailable},
		{name: "502 then 200", method: "GET", replies: []func(http.ResponseWriter){status(502), ok}, want: 2},
		{name: "504 504 200", method: "GET", replies: []func(http.ResponseWriter){status(504), status(504), ok}, want: 3},
		{name: "429 then 200", method: "GET", replies: []func(http.ResponseWriter){status(429), ok}, want: 2},
		{name: "429 with Ortto's nested try-in-seconds", method: "GET", desc: ortto.Vendor, replies: []func(http.ResponseWriter){tryIn(`{"error":{"code":"rate-limit","message":"rate limit","try-in-seconds":"0.01"}}`), ok}, want: 2},
		{name: "408 is not retried", method: "GET", replies: []func(http.ResponseWriter){status(408), ok}, want: 1, failed: true, kind: outbound.KindTimeout},
		{name: "500 is not transient", method: "GET", replies: []func(http.ResponseWriter){status(500), ok}, want: 1, failed: true, kind: outbound.KindUpstream},
		{name: "404 is not retried", method: "GET", replies: []func(http.ResponseWriter){status(404), ok}, want: 1, failed: true, kind: outbound.KindNotFound},
		{name: "POST mutation sent once on 503", method: "POST", replies: []func(http.ResponseWriter){status(503), ok}, want: 1, failed: true, kind: outbound.KindUnavailable},
		{name: "PUT mutation sent once on 429", method: "PUT", replies: []func(http.ResponseWriter){status(429), ok}, want: 1, failed: true, kind: outbound.KindRateLimited},
		{name: "DELETE mutation sent once on 502", method: "DELETE", replies: []func(http.ResponseWriter){status(502), ok}, want: 1, failed: true, kind: outbound.KindUnavailable},
		{name: "POST marked as a read is retried", method: "POST", read: true, replies: []func(http.ResponseWriter){status(503), ok}, want: 2},
		{name: "one attempt configured", method: "GET", attempts: 1, replies: []func(http.ResponseWriter){status(503), ok}, want: 1, failed: true, kind: outbound.KindUnavailable},
		{name: "five attempts configured", method: "GET", attempts: 5, replies: []func(http.ResponseWriter){status(503)}, want: 5, failed: true, kind: outbound.KindUnavailable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := newVendor(t, func(w http.ResponseWriter, _ *http.Request, n int) {
				tc.replies[min(n, len(tc.replies))-1](w)
			})
			c := newChain(t, outbound.ChainOptions{RetryAttempts: tc.attempts, NoDedup: true, Descriptor: tc.desc})
			ctx := context.Background()
			if tc.read {
				ctx = outbound.IdempotentRead(ctx)
			}
			e := call(t, ctx, c, tc.method, v.URL, `{"q":1}`)
			assert.Equal(t, tc.want, v.count(), "attempts")
			if !tc.failed {
				assert.Nil(t, e)
				return
			}
			require.NotNil(t, e)
			assert.Equal(t, tc.kind, e.Kind)
		})
	}
}

func tryIn(body string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, body)
	}
}

func TestRetryResendsTheSameBody(t *testing.T) {
	v := newVendor(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	c := newChain(t, outbound.ChainOptions{NoDedup: true})
	require.Nil(t, call(t, outbound.IdempotentRead(context.Background()), c, "POST", v.URL, `{"people":[{"email":"a@example.com"}]}`))
	require.Equal(t, 2, v.count())
	assert.Equal(t, `{"people":[{"email":"a@example.com"}]}`, <-v.bodies)
	assert.Equal(t, `{"people":[{"email":"a@example.com"}]}`, <-v.bodies)
}

// TestRetryNeverWaitsPastTheDeadline: when the vendor asks for a wait the
// caller's deadline cannot cover, the reply comes back at once, whole, with
// the vendor's wait in RetryAfter for the presenter to pass on.
func TestRetryNeverWaitsPastTheDeadline(t *testing.T) {
	orttoBody := `{"error":{"code":"rate-limit","message":"rate limit","try-in-seconds":10}}`
	cases := []struct {
		name      string
		reply     func(http.ResponseWriter)
		kind      outbound.Kind
		wantAfter time.Duration   // the least RetryAfter the client reports
		desc      outbound.Vendor // the chain's descriptor
	}{
		{name: "429 Retry-After seconds", reply: status(429, "Retry-After", "1"), kind: outbound.KindRateLimited, wantAfter: time.Second},
		{name: "503 Retry-After HTTP date", reply: func(w http.ResponseWriter) {
			status(503, "Retry-After", time.Now().Add(time.Minute).UTC().Format(http.TimeFormat))(w)
		}, kind: outbound.KindUnavailable, wantAfter: 50 * time.Second},
		{name: "429 Ortto body", reply: tryIn(orttoBody), kind: outbound.KindRateLimited, desc: ortto.Vendor},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := newVendor(t, func(w http.ResponseWriter, _ *http.Request, _ int) { tc.reply(w) })
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			c := newChain(t, outbound.ChainOptions{Descriptor: tc.desc})
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.URL, nil)
			require.NoError(t, err)
			var body []byte
			start := time.Now()
			err = doVia(c.Client(), req, "read", func(resp *http.Response, b []byte) *outbound.Error {
				body = b
				return check(resp, b)
			}, nil)
			elapsed := time.Since(start)
			var e *outbound.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, 1, v.count(), "attempts")
			assert.Less(t, elapsed, 400*time.Millisecond, "returned without waiting")
			assert.Equal(t, tc.kind, e.Kind)
			assert.GreaterOrEqual(t, e.RetryAfter, tc.wantAfter)
			if tc.name == "429 Ortto body" {
				assert.JSONEq(t, orttoBody, string(body), "the vendor's body reaches checkResponse intact")
			}
		})
	}
}

// resetOnce answers the first request by resetting the connection.
func resetOnce(w http.ResponseWriter, _ *http.Request, n int) {
	if n > 1 {
		return
	}
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	_ = conn.(*net.TCPConn).SetLinger(0)
	_ = conn.Close()
}

func TestConnectionResetRetriedForReadsOnly(t *testing.T) {
	t.Run("read", func(t *testing.T) {
		v := newVendor(t, resetOnce)
		c := newChain(t, outbound.ChainOptions{NoDedup: true})
		assert.Nil(t, call(t, context.Background(), c, "GET", v.URL, ""))
		assert.Equal(t, 2, v.count())
	})
	t.Run("mutation", func(t *testing.T) {
		v := newVendor(t, resetOnce)
		c := newChain(t, outbound.ChainOptions{NoDedup: true})
		e := call(t, context.Background(), c, "POST", v.URL, `{"x":1}`)
		require.NotNil(t, e)
		assert.Equal(t, outbound.KindUnavailable, e.Kind)
		assert.Equal(t, 1, v.count())
	})
	t.Run("refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		require.NoError(t, ln.Close())
		c := newChain(t, outbound.ChainOptions{NoDedup: true})
		e := call(t, context.Background(), c, "GET", "http://"+addr+"/x?apiKey=secret", "")
		require.NotNil(t, e)
		assert.Equal(t, outbound.KindUnavailable, e.Kind)
		assert.NotContains(t, e.Error(), "secret")
	})
}

func TestRetryStopsWhenTheCallerGivesUp(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	v := newVendor(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		cancel()
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	c := newChain(t, outbound.ChainOptions{NoDedup: true, RetryBase: 50 * time.Millisecond, RetryMax: 50 * time.Millisecond})
	e := call(t, ctx, c, "GET", v.URL, "")
	require.NotNil(t, e)
	assert.Equal(t, 1, v.count())
}

func TestBreaker(t *testing.T) {
	var failing atomic.Bool
	failing.Store(true)
	v := newVendor(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		if failing.Load() {
			w.WriteHeader(http.StatusInternalServerError)
		}
	})
	c := newChain(t, outbound.ChainOptions{BreakerFailures: 3, BreakerOpen: 100 * time.Millisecond, NoDedup: true})
	ctx := context.Background()
	for range 3 {
		e := call(t, ctx, c, "GET", v.URL, "")
		require.NotNil(t, e)
		assert.Equal(t, outbound.KindUpstream, e.Kind, "the vendor's own 500")
	}
	require.Equal(t, 3, v.count())
	require.Equal(t, "open", c.BreakerState())

	e := call(t, ctx, c, "GET", v.URL, "")
	require.NotNil(t, e)
	assert.Equal(t, 3, v.count(), "an open breaker does not call the vendor")
	assert.Equal(t, outbound.KindUnavailable, e.Kind)
	assert.Equal(t, "circuit breaker open", e.Message)
	assert.Equal(t, "acme", e.Vendor)
	assert.Equal(t, "test op", e.Operation)
	assert.True(t, e.Retryable)
	assert.Greater(t, e.RetryAfter, time.Duration(0))
	assert.LessOrEqual(t, e.RetryAfter, 100*time.Millisecond)

	// Half-open: one probe; its failure opens the breaker again.
	require.Eventually(t, func() bool { return c.BreakerState() == "half-open" }, 2*time.Second, 5*time.Millisecond)
	require.NotNil(t, call(t, ctx, c, "GET", v.URL, ""))
	assert.Equal(t, 4, v.count())
	require.Equal(t, "open", c.BreakerState())

	// Half-open again; the probe succeeds and closes it.
	failing.Store(false)
	require.Eventually(t, func() bool { return c.BreakerState() == "half-open" }, 2*time.Second, 5*time.Millisecond)
	require.Nil(t, call(t, ctx, c, "GET", v.URL, ""))
	assert.Equal(t, "closed", c.BreakerState())
	require.Nil(t, call(t, ctx, c, "POST", v.URL, "{}"))
	assert.Equal(t, 6, v.count())
}

func TestBreakerCountsOnlyVendorFailures(t *testing.T) {
	codes := []int{400, 404, 409, 422, 429}
	v := newVendor(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		w.WriteHeader(codes[(n-1)%len(codes)])
	})
	c := newChain(t, outbound.ChainOptions{BreakerFailures: 2, RetryAttempts: 1, NoDedup: true})
	for range 2 * len(codes) {
		require.NotNil(t, call(t, context.Background(), c, "POST", v.URL, "{}"))
	}
	assert.Equal(t, 2*len(codes), v.count())
	assert.Equal(t, "closed", c.BreakerState())
}

// TestBreakerSeesOneOutcomePerRetriedCall: the breaker is outside retry, so
// three attempts of one read are one failure.
func TestBreakerSeesOneOutcomePerRetriedCall(t *testing.T) {
	v := newVendor(t, func(w http.ResponseWriter, _ *http.Request, _ int) { w.WriteHeader(http.StatusBadGateway) })
	c := newChain(t, outbound.ChainOptions{BreakerFailures: 2, NoDedup: true})
	require.NotNil(t, call(t, context.Background(), c, "GET", v.URL, ""))
	assert.Equal(t, 3, v.count())
	assert.Equal(t, "closed", c.BreakerState())
	require.NotNil(t, call(t, context.Background(), c, "GET", v.URL, ""))
	assert.Equal(t, 6, v.count())
	assert.Equal(t, "open", c.BreakerState())
}

func TestBreakerOpensOnBodiesThatBreakOff(t *testing.T) {
	v := newVendor(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"half":`)
	})
	c := newChain(t, outbound.ChainOptions{BreakerFailures: 2, RetryAttempts: 1, NoDedup: true})
	for range 2 {
		e := call(t, context.Background(), c, "GET", v.URL, "")
		require.NotNil(t, e)
		assert.Equal(t, outbound.KindUnavailable, e.Kind)
	}
	assert.Equal(t, "open", c.BreakerState())
}

func TestRateLimitFailsFastWhenTheDeadlineIsTooNear(t *testing.T) {
	v := newVendor(t, func(http.ResponseWriter, *http.Request, int) {})
	c := newChain(t, outbound.ChainOptions{RatePerSecond: 2, NoDedup: true})
	require.Nil(t, call(t, context.Background(), c, "GET", v.URL, ""))

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	e := call(t, ctx, c, "GET", v.URL, "")
	require.NotNil(t, e)
	assert.Less(t, time.Since(start), 90*time.Millisecond, "refused without waiting")
	assert.Equal(t, outbound.KindRateLimited, e.Kind)
	assert.Equal(t, 0, e.HTTPStatus)
	assert.Equal(t, "client-side rate limit", e.Message)
	assert.Equal(t, "acme", e.Vendor)
	assert.Greater(t, e.RetryAfter, 100*time.Millisecond)
	assert.LessOrEqual(t, e.RetryAfter, 500*time.Millisecond)
	assert.Equal(t, 1, v.count(), "the vendor was not called")
	assert.Equal(t, "closed", c.BreakerState())
}

func TestRateLimitQueues(t *testing.T) {
	v := newVendor(t, func(http.ResponseWriter, *http.Request, int) {})
	c := newChain(t, outbound.ChainOptions{RatePerSecond: 50, NoDedup: true})
	start := time.Now()
	for range 4 {
		require.Nil(t, call(t, context.Background(), c, "POST", v.URL, "{}"))
	}
	// Burst 1 at 50/s: the 2nd, 3rd and 4th wait 20ms each.
	assert.GreaterOrEqual(t, time.Since(start), 55*time.Millisecond)
	assert.Equal(t, 4, v.count())
}

func TestConcurrencyCap(t *testing.T) {
	var inFlight, most atomic.Int64
	v := newVendor(t, func(http.ResponseWriter, *http.Request, int) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
	})
	c := newChain(t, outbound.ChainOptions{MaxConcurrent: 2, MaxConns: 64})
	var wg sync.WaitGroup
	errs := make(chan *outbound.Error, 10)
	for i := range 10 {
		wg.Go(func() {
			// Distinct mutations: nothing is shared, all ten reach the vendor.
			errs <- call(t, context.Background(), c, "POST", v.URL, `{"i":`+strconv.Itoa(i)+`}`)
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		assert.Nil(t, e)
	}
	assert.Equal(t, 10, v.count())
	assert.LessOrEqual(t, most.Load(), int64(2))
	assert.Positive(t, most.Load())
}

func TestConcurrencyQueueTimesOut(t *testing.T) {
	release := make(chan struct{})
	v := newVendor(t, func(_ http.ResponseWriter, r *http.Request, _ int) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	c := newChain(t, outbound.ChainOptions{MaxConcurrent: 1, NoDedup: true})
	done := make(chan *outbound.Error, 1)
	go func() { done <- call(t, context.Background(), c, "POST", v.URL, "{}") }()
	require.Eventually(t, func() bool { return v.count() == 1 }, time.Second, time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	e := call(t, ctx, c, "POST", v.URL, "{}")
	require.NotNil(t, e)
	assert.Equal(t, outbound.KindTimeout, e.Kind)
	assert.Equal(t, 1, v.count(), "the queued call never reached the vendor")
	close(release)
	assert.Nil(t, <-done)
}

// TestStalledBodyIsATimeout: a vendor that sends half a body and stops is a
// timeout within the vendor timeout (plus a margin), never a hang and never
// "unavailable"; through dedup (a read), without it (a mutation), and
// under a caller deadline shorter than the vendor timeout.
func TestStalledBodyIsATimeout(t *testing.T) {
	const timeout = 300 * time.Millisecond
	cases := []struct {
		name     string
		method   string
		deadline time.Duration
		noDedup  bool
	}{
		{name: "read through dedup", method: "GET"},
		{name: "read without dedup", method: "GET", noDedup: true},
		{name: "mutation", method: "POST"},
		{name: "caller deadline first", method: "GET", deadline: 150 * time.Millisecond},
		{name: "caller deadline first, mutation", method: "POST", deadline: 150 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := newVendor(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusOK)
				_, _ = io.WriteString(w, `{"data":[1,2,`)
				w.(http.Flusher).Flush()
				<-r.Context().Done()
			})
			c := newChain(t, outbound.ChainOptions{Timeout: timeout, NoDedup: tc.noDedup})
			ctx := context.Background()
			limit := timeout
			if tc.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.deadline)
				defer cancel()
				limit = tc.deadline
			}
			start := time.Now()
			e := call(t, ctx, c, tc.method, v.URL, "")
			require.NotNil(t, e)
			assert.Less(t, time.Since(start), limit+time.Second, "a stalled body must end at the timeout, not hang")
			assert.Equal(t, outbound.KindTimeout, e.Kind, "%v", e)
			assert.Equal(t, 1, v.count())
		})
	}
}

func TestDedupSharesReadsNotMutations(t *testing.T) {
	release := make(chan struct{})
	v := newVendor(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		<-release
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	c := newChain(t, outbound.ChainOptions{})
	// entered counts callers that reached the chain, seen from where a
	// vendor client's auth layer sits.
	var entered atomic.Int64
	hc := outbound.WithTransport(c.Client(), outboundtest.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
		entered.Add(1)
		return outbound.Base(c.Client()).RoundTrip(r)
	}))
	run := func(method string) {
		var wg sync.WaitGroup
		for range 5 {
			wg.Go(func() {
				req, err := http.NewRequest(method, v.URL+"/same", strings.NewReader(`{"same":true}`))
				if !assert.NoError(t, err) {
					return
				}
				var got struct{ OK bool }
				assert.NoError(t, doVia(hc, req, "op", check, &got))
				assert.True(t, got.OK)
			})
		}
		require.Eventually(t, func() bool { return entered.Load() == 5 && v.count() >= 1 }, time.Second, time.Millisecond)
		time.Sleep(20 * time.Millisecond) // let the last caller join the call in flight
		release <- struct{}{}
		if method != "GET" {
			for range 4 {
				release <- struct{}{}
			}
		}
		wg.Wait()
	}
	run("GET")
	assert.Equal(t, 1, v.count())
	assert.Equal(t, int64(4), c.DedupShared())

	entered.Store(0)
	v.attempts.Store(0)
	run("POST")
	assert.Equal(t, 5, v.count())
	assert.Equal(t, int64(4), c.DedupShared())
}

func TestChainErrorsSurviveTheClient(t *testing.T) {
	// The breaker's and the limiter's own errors come back as *Error
	// through http.Client's *url.Error, with the URL's secrets nowhere.
	v := newVendor(t, func(w http.ResponseWriter, _ *http.Request, _ int) { w.WriteHeader(503) })
	c := newChain(t, outbound.ChainOptions{BreakerFailures: 1, RetryAttempts: 1, NoDedup: true})
	resp, err := c.Client().Get(v.URL + "/?accessKey=hunter2")
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	_, err = c.Client().Get(v.URL + "/?accessKey=hunter2")
	require.Error(t, err)
	var e *outbound.Error
	require.True(t, errors.As(err, &e))
	fe := outbound.FromTransport("acme", "get", err)
	assert.Equal(t, "circuit breaker open", fe.Message)
	assert.Equal(t, "get", fe.Operation)
	assert.NotContains(t, fe.Error(), "hunter2")
	assert.Empty(t, e.Operation, "FromTransport fills a copy, not the shared original")
}

// TestRetryWaitsWhatTheVendorAsks: a wait asked for in the body (Ortto's
// try-in-seconds, read by the descriptor's Check) or the header is waited
// out when the deadline allows it. Timers never fire early, so the lower
// bound cannot flake; the backoff alone is at most 5ms.
func TestRetryWaitsWhatTheVendorAsks(t *testing.T) {
	cases := map[string]struct {
		reply func(http.ResponseWriter)
		desc  outbound.Vendor
	}{
		"Ortto body":         {tryIn(`{"error":{"code":"rate-limit","message":"rate limit","try-in-seconds":0.2}}`), ortto.Vendor},
		"Retry-After on 503": {status(503, "Retry-After", "1"), outbound.Vendor{}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			v := newVendor(t, func(w http.ResponseWriter, _ *http.Request, n int) {
				if n == 1 {
					tc.reply(w)
				}
			})
			c := newChain(t, outbound.ChainOptions{Descriptor: tc.desc})
			start := time.Now()
			require.Nil(t, call(t, context.Background(), c, "GET", v.URL, ""))
			assert.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond)
			assert.Equal(t, 2, v.count())
		})
	}
}

func TestFromTransportClassifiesDeadlines(t *testing.T) {
	// net/http's own body timeout, through a stock client and transport.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "half")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 100 * time.Millisecond}
	resp, err := hc.Get(srv.URL + "/?apiKey=hunter2")
	require.NoError(t, err)
	_, bodyErr := io.ReadAll(resp.Body)
	require.NoError(t, resp.Body.Close())
	require.Error(t, bodyErr)

	cases := []struct {
		name      string
		err       error
		kind      outbound.Kind
		retryable bool
	}{
		{name: "Client.Timeout while reading body", err: bodyErr, kind: outbound.KindTimeout, retryable: true},
		{name: "deadline in a url.Error", err: &url.Error{Op: "Get", URL: "http://x/?apiKey=hunter2", Err: context.DeadlineExceeded}, kind: outbound.KindTimeout, retryable: true},
		{name: "caller gave up", err: &url.Error{Op: "Get", URL: "http://x/", Err: context.Canceled}, kind: outbound.KindTimeout},
		{name: "refused", err: &url.Error{Op: "Get", URL: "http://x/?apiKey=hunter2", Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}, kind: outbound.KindUnavailable, retryable: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := outbound.FromTransport("acme", "op", tc.err)
			assert.Equal(t, tc.kind, e.Kind)
			assert.Equal(t, tc.retryable, e.Retryable)
			assert.NotContains(t, e.Error(), "hunter2")
		})
	}
}

// The vendor timeout bounds each attempt, not the retried sequence: under
// a 300 ms vendor timeout, a read whose request has 2 s left waits out a
// one-second Retry-After and tries again.
func TestVendorTimeoutIsPerAttempt(t *testing.T) {
	v := newVendor(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			status(503, "Retry-After", "1")(w)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	c := newChain(t, outbound.ChainOptions{Timeout: 300 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.URL, nil)
	require.NoError(t, err)
	require.NoError(t, doVia(c.Client(), req, "read", check, nil))
	assert.Equal(t, 2, v.count())
}
