// Package serve builds the http.Server the gateway listens with: timeouts
// on every phase of a connection, and a cap on connections that a flood of
// slow or idle clients cannot use to starve everyone else, /healthz and
// /readyz included. server.go uses it; its tests drive it over loopback
// with small timeouts.
package serve

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchyard/switchyard/internal/app/config"
)

// Options are the server's timeouts and connection limits.
type Options struct {
	// ReadHeaderTimeout bounds reading a request's headers.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included. Once the
	// body has been read the deadline is lifted, so that a handler running
	// longer (an @defer stream, up to RequestTimeout) is not cancelled.
	ReadTimeout time.Duration
	// IdleTimeout closes a keep-alive connection that sends no request.
	IdleTimeout time.Duration
	// RequestTimeout is the gateway's deadline for one request; the write
	// timeout is derived from it (see NewServer).
	RequestTimeout time.Duration
	// MaxConnections caps open connections. At the cap a new connection
	// closes the one that has waited longest without sending a request
	// (a slow or idle client); when every connection is in a request it
	// takes one of Reserve extra slots that serve only /healthz and
	// /readyz; past those it is closed at once.
	MaxConnections int
	Reserve        int
	// UntrustedTimeout caps every read deadline of a connection that has
	// not yet carried an authenticated request (see Trust): its headers,
	// a body, and the wait between requests. Zero leaves them uncapped.
	UntrustedTimeout time.Duration
}

// Defaults of the connection limits.
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	// writeGrace is added to the read and request timeouts to make the
	// write timeout: time to write the last part after the deadline.
	writeGrace = 5 * time.Second
	// DefaultReserve is the slots kept for health checks.
	DefaultReserve = 8
	// DefaultUntrustedTimeout is how long a connection without an
	// authenticated request may take for any read: a client that has
	// proved nothing gets seconds, not the 10 s header and 30 s body
	// deadlines a key holder gets (nginx's client_header_timeout and
	// client_body_timeout play this part).
	DefaultUntrustedTimeout = 5 * time.Second
)

// OptionsFrom takes the options from the configuration.
func OptionsFrom(cfg *config.Config) Options {
	return Options{
		ReadHeaderTimeout: DefaultReadHeaderTimeout,
		ReadTimeout:       cfg.Server.ReadTimeout,
		IdleTimeout:       cfg.Server.IdleTimeout,
		RequestTimeout:    cfg.RequestTimeout,
		MaxConnections:    cfg.Server.MaxConnections,
		Reserve:           DefaultReserve,
		UntrustedTimeout:  DefaultUntrustedTimeout,
	}
}

// AdminOptions are the admin listener's (SWITCHYARD_ADMIN_ADDR): probes,
// metrics and the profiler answer in well under a second, so every
// deadline is short, and a small cap keeps the port's share of file
// descriptors small.
func AdminOptions() Options {
	return Options{
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       5 * time.Second,
		IdleTimeout:       30 * time.Second,
		RequestTimeout:    30 * time.Second, // a CPU profile takes its seconds
		MaxConnections:    32,
	}
}

// Server is an http.Server whose Serve caps connections.
type Server struct {
	*http.Server
	limit *limiter
}

// NewServer serves h with opts. Its WriteTimeout is ReadTimeout plus
// RequestTimeout plus a grace period: a response, a multipart @defer
// stream included, is never cut before the request deadline has passed.
func NewServer(opts Options, h http.Handler) *Server {
	if opts.ReadHeaderTimeout <= 0 {
		opts.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = config.DefaultRequestTimeout
	}
	l := &limiter{max: opts.MaxConnections, reserve: opts.Reserve, untrusted: opts.UntrustedTimeout, waiting: map[*conn]time.Time{}}
	s := &Server{limit: l, Server: &http.Server{
		Handler:           bodyDeadlines(reserveOnlyHealth(h)),
		ReadHeaderTimeout: opts.ReadHeaderTimeout,
		ReadTimeout:       opts.ReadTimeout,
		IdleTimeout:       opts.IdleTimeout,
		ConnState:         l.track,
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			cc, ok := c.(*conn)
			if !ok {
				return ctx
			}
			ctx = context.WithValue(ctx, connKey{}, cc)
			if cc.reserve {
				return context.WithValue(ctx, reserveKey{}, true)
			}
			return ctx
		},
	}}
	if opts.ReadTimeout > 0 {
		s.WriteTimeout = opts.ReadTimeout + opts.RequestTimeout + writeGrace
	}
	return s
}

// Serve accepts connections on ln, within the connection cap.
func (s *Server) Serve(ln net.Listener) error {
	if s.limit.max <= 0 {
		return s.Server.Serve(ln)
	}
	return s.Server.Serve(&limitListener{Listener: ln, l: s.limit})
}

// Conns reports the open connections: those in the general pool and
// those in the health reserve.
func (s *Server) Conns() (general, reserve int) {
	s.limit.mu.Lock()
	defer s.limit.mu.Unlock()
	return s.limit.open, s.limit.reserved
}

// bodyDeadlines does two things with the connection's read deadline.
//
// It lifts it (ReadTimeout) once the request body has been read: net/http
// keeps reading the connection in the background to notice a client that
// goes away, and a deadline passing there would cancel the request's
// context mid-handler.
//
// And a response written before the body was read to its end (a 401,
// 403, 413 or 415, or a health check sent with a body) closes the
// connection without waiting for the rest: net/http would otherwise try
// to drain up to 256 KiB of it after the handler returns, and a client
// that announced a body and never sends it would hold the connection,
// busy and so never evicted, for the whole read timeout.
func bodyDeadlines(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
			_ = rc.SetReadDeadline(time.Time{})
			h.ServeHTTP(w, r)
			return
		}
		b := &onEOF{ReadCloser: r.Body, f: func() { _ = rc.SetReadDeadline(time.Time{}) }}
		r.Body = b
		h.ServeHTTP(&unreadCloses{ResponseWriter: w, body: b}, r)
		if !b.eof.Load() {
			// The drain after the handler fails at once; the connection
			// closes (Connection: close was sent with the response).
			_ = rc.SetReadDeadline(time.Now())
		}
	})
}

type onEOF struct {
	io.ReadCloser
	f    func()
	once sync.Once
	eof  atomic.Bool
}

func (b *onEOF) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.eof.Store(true)
		b.once.Do(b.f)
	}
	return n, err
}

// unreadCloses adds Connection: close to a response whose headers go out
// before the request body was read to its end.
type unreadCloses struct {
	http.ResponseWriter
	body        *onEOF
	wroteHeader bool
}

func (u *unreadCloses) WriteHeader(code int) {
	if !u.wroteHeader && code >= 200 {
		u.wroteHeader = true
		if !u.body.eof.Load() {
			u.Header().Set("Connection", "close")
		}
	}
	u.ResponseWriter.WriteHeader(code)
}

func (u *unreadCloses) Write(p []byte) (int, error) {
	if !u.wroteHeader {
		u.WriteHeader(http.StatusOK)
	}
	return u.ResponseWriter.Write(p)
}

// Flush keeps streamed responses (@defer) streaming.
func (u *unreadCloses) Flush() {
	if !u.wroteHeader {
		u.WriteHeader(http.StatusOK)
	}
	_ = http.NewResponseController(u.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the connection's deadlines.
func (u *unreadCloses) Unwrap() http.ResponseWriter { return u.ResponseWriter }

type connKey struct{}

// Trust marks the connection of the request ctx belongs to as carrying an
// authenticated request: from now on its read deadlines are the server's
// own, not the short ones of an untrusted connection, and the deadline
// in force is restored at once. The gateway calls it once a request has
// passed authentication; it does nothing outside a Server.
func Trust(ctx context.Context) {
	if c, ok := ctx.Value(connKey{}).(*conn); ok {
		c.trust()
	}
}

type reserveKey struct{}

// reserveOnlyHealth answers, on a connection from the health reserve,
// only the health checks; anything else gets 503 and the connection
// closes.
func reserveOnlyHealth(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Context().Value(reserveKey{}) == true {
			w.Header().Set("Connection", "close")
			if r.URL.Path != "/healthz" && r.URL.Path != "/readyz" {
				w.Header().Set("Retry-After", "1")
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = io.WriteString(w, `{"errors":[{"message":"the gateway is at its connection limit: retry shortly","extensions":{"code":"SERVICE_UNAVAILABLE"}}]}`+"\n")
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// limiter counts connections and knows which wait for a request.
type limiter struct {
	mu           sync.Mutex
	max, reserve int
	untrusted    time.Duration // Options.UntrustedTimeout
	open         int           // general connections
	reserved     int           // reserve connections
	waiting      map[*conn]time.Time
}

// track follows each connection's state: new and idle ones wait for a
// request and may be evicted; active ones are serving one.
func (l *limiter) track(c net.Conn, st http.ConnState) {
	cc, ok := c.(*conn)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch st {
	case http.StateNew, http.StateIdle:
		if !cc.closed {
			l.waiting[cc] = time.Now()
		}
	default:
		delete(l.waiting, cc)
	}
}

type limitListener struct {
	net.Listener
	l *limiter
}

func (ll *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := ll.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if cc := ll.l.admit(c); cc != nil {
			return cc, nil
		}
		_ = c.Close() // full of requests in flight, reserve included
	}
}

// admit gives c a slot: a free general one, the slot of the connection
// that has waited longest for a request (closed to make room), or a
// reserve one. nil means none is left.
func (l *limiter) admit(c net.Conn) *conn {
	for {
		l.mu.Lock()
		if l.open < l.max {
			l.open++
			l.mu.Unlock()
			return &conn{Conn: c, l: l}
		}
		var victim *conn
		for w, since := range l.waiting {
			if victim == nil || since.Before(l.waiting[victim]) {
				victim = w
			}
		}
		if victim == nil {
			defer l.mu.Unlock()
			if l.reserved < l.reserve {
				l.reserved++
				return &conn{Conn: c, l: l, reserve: true}
			}
			return nil
		}
		delete(l.waiting, victim)
		l.mu.Unlock()
		_ = victim.Close() // frees its slot; then try again
	}
}

// conn releases its slot when closed, once, and caps the read deadlines
// of a connection not yet trusted.
type conn struct {
	net.Conn
	l       *limiter
	reserve bool
	closed  bool // under l.mu

	mu      sync.Mutex
	trusted bool
	want    time.Time // the read deadline last asked for, uncapped
}

// SetReadDeadline is how net/http sets the header, body and idle
// deadlines; until the connection is trusted each is capped at
// UntrustedTimeout from now.
func (c *conn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.want = t
	if !c.trusted && c.l.untrusted > 0 {
		if limit := time.Now().Add(c.l.untrusted); t.IsZero() || t.After(limit) {
			t = limit
		}
	}
	return c.Conn.SetReadDeadline(t)
}

func (c *conn) trust() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.trusted {
		c.trusted = true
		_ = c.Conn.SetReadDeadline(c.want)
	}
}

// SetDeadline goes through SetReadDeadline, so that the cap holds.
func (c *conn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.Conn.SetWriteDeadline(t)
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.l.mu.Lock()
	if !c.closed {
		c.closed = true
		delete(c.l.waiting, c)
		if c.reserve {
			c.l.reserved--
		} else {
			c.l.open--
		}
	}
	c.l.mu.Unlock()
	return err
}
