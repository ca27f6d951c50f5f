// Package simkit is the machinery the vendor simulators share: the request
// recorder and fault injector behind the /_sim/ control API, the loopback
// listener, and JSON writing. It knows nothing of the gateway; the
// simulators import it, the gateway never does.
//
// A fault (PUT /_sim/faults, see Fault) can delay, fail, corrupt, reset or
// stall a vendor's replies. With "echo": true the vendor answers with the
// fault's status (400 when none is set) and an error body in its own shape
// whose message echoes the request it received: method, path, the raw
// query (Apptivo's apiKey and accessKey included) and every header value
// (Authorization and X-Api-Key included). It plays a vendor or proxy that
// reflects credentials into its error text, to prove the gateway's
// clients scrub them.
package simkit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// Entry is one request a simulator received, as listed by
// GET /_sim/requests. Secrets are redacted before an entry is stored.
type Entry struct {
	Vendor  string            `json:"vendor"`
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Query   string            `json:"query"`
	Body    string            `json:"body"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Time    time.Time         `json:"time"`
}

// Recorder keeps the requests the simulators received. It is safe for
// concurrent use and bounded, so a long load run cannot exhaust memory.
type Recorder struct {
	mu      sync.Mutex
	entries []Entry
	max     int
}

// NewRecorder returns a recorder that keeps at most max entries (the
// oldest are dropped); max <= 0 means 100000.
func NewRecorder(max int) *Recorder {
	if max <= 0 {
		max = 100000
	}
	return &Recorder{max: max}
}

func (r *Recorder) add(e Entry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.entries) >= r.max {
		r.entries = append(r.entries[:0], r.entries[len(r.entries)-r.max+1:]...)
	}
	r.entries = append(r.entries, e)
}

// Entries returns a copy of the recorded requests, oldest first.
func (r *Recorder) Entries() []Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Entry(nil), r.entries...)
}

// Count returns how many recorded requests were sent to vendor (all
// vendors when vendor is empty).
func (r *Recorder) Count(vendor string) int {
	n := 0
	for _, e := range r.Entries() {
		if vendor == "" || e.Vendor == vendor {
			n++
		}
	}
	return n
}

// Clear forgets every recorded request.
func (r *Recorder) Clear() {
	r.mu.Lock()
	r.entries = nil
	r.mu.Unlock()
}

// Fault describes how a vendor's endpoints misbehave; see PUT /_sim/faults.
// All fields are optional; a zero Fault is a healthy vendor.
type Fault struct {
	Vendor            string  `json:"vendor"`
	LatencyMs         int     `json:"latencyMs"`
	Status            int     `json:"status"`
	Rate              float64 `json:"rate"`
	RetryAfterSeconds int     `json:"retryAfterSeconds"`
	Malformed         bool    `json:"malformed"`
	Reset             bool    `json:"reset"`
	StallMs           int     `json:"stallMs"`
	// Echo answers with Status (default 400) and the vendor's error
	// body whose message echoes the request, credentials included.
	Echo bool `json:"echo"`
	// HugeBodyBytes answers 200 with a JSON body of that many bytes,
	// streamed without a Content-Length (a runaway reply).
	HugeBodyBytes int64 `json:"hugeBodyBytes"`
}

// echoStatus is the status of an echo fault that sets none: a plain
// client error, which every vendor answers with its usual error body.
const echoStatus = http.StatusBadRequest

// Faults holds the active fault per vendor. Safe for concurrent use.
type Faults struct {
	mu sync.RWMutex
	m  map[string]Fault
}

// NewFaults returns an empty fault set.
func NewFaults() *Faults { return &Faults{m: map[string]Fault{}} }

// Set installs f for f.Vendor, replacing any earlier fault for it.
func (f *Faults) Set(fault Fault) {
	f.mu.Lock()
	f.m[fault.Vendor] = fault
	f.mu.Unlock()
}

// Clear removes the faults of the named vendors, or all when none is named.
func (f *Faults) Clear(vendors ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(vendors) == 0 {
		f.m = map[string]Fault{}
		return
	}
	for _, v := range vendors {
		delete(f.m, v)
	}
}

// Get returns the fault active for vendor.
func (f *Faults) Get(vendor string) (Fault, bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	fault, ok := f.m[vendor]
	return fault, ok
}

// FaultBody renders the vendor's own error body for an injected status,
// so that clients see the same shape a real failure would have. message,
// when not empty, is the text the body must carry (an echo fault's);
// otherwise the simulator chooses its usual text.
type FaultBody func(status, retryAfterSeconds int, message string) []byte

// Middleware wraps a simulator's handler with recording and fault
// injection. rec and faults may be nil.
func Middleware(vendor string, rec *Recorder, faults *Faults, body FaultBody, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqBody, _ := io.ReadAll(io.LimitReader(r.Body, 8<<20))
		r.Body = io.NopCloser(bytes.NewReader(reqBody))
		rw := &recordingWriter{ResponseWriter: w, status: http.StatusOK}
		if rec != nil {
			defer func() {
				rec.add(Entry{
					Vendor:  vendor,
					Method:  r.Method,
					Path:    r.URL.Path,
					Query:   RedactQuery(r.URL.RawQuery),
					Body:    redactBody(r.Header.Get("Content-Type"), reqBody),
					Status:  rw.status,
					Headers: RedactHeaders(r.Header),
					Time:    time.Now().UTC(),
				})
			}()
		}
		var fault Fault
		if faults != nil {
			fault, _ = faults.Get(vendor)
		}
		if fault.Rate == 0 && (fault.Status != 0 || fault.Malformed || fault.Reset || fault.StallMs > 0 || fault.Echo || fault.HugeBodyBytes > 0) {
			fault.Rate = 1
		}
		if fault.LatencyMs > 0 && !sleep(r.Context(), time.Duration(fault.LatencyMs)*time.Millisecond) {
			rw.status = 499
			return
		}
		if fault.Rate > 0 && rand.Float64() < fault.Rate {
			switch {
			case fault.Reset:
				rw.status = 0
				resetConnection(w)
				return
			case fault.Status != 0 || fault.Echo:
				status, message := fault.Status, ""
				if fault.Echo {
					message = echoRequest(r)
					if status == 0 {
						status = echoStatus
					}
				}
				if fault.RetryAfterSeconds > 0 {
					w.Header().Set("Retry-After", itoa(fault.RetryAfterSeconds))
				}
				var b []byte
				if body != nil {
					b = body(status, fault.RetryAfterSeconds, message)
				}
				w.Header().Set("Content-Type", "application/json")
				rw.WriteHeader(status)
				_, _ = w.Write(b)
				return
			case fault.HugeBodyBytes > 0:
				w.Header().Set("Content-Type", "application/json")
				rw.WriteHeader(http.StatusOK)
				writeHuge(w, fault.HugeBodyBytes)
				return
			case fault.Malformed:
				w.Header().Set("Content-Type", "application/json")
				rw.WriteHeader(http.StatusOK)
				_, _ = w.Write([]byte(`{"malformed": [1, 2,`))
				return
			case fault.StallMs > 0:
				buf := &bufferedWriter{header: http.Header{}, status: http.StatusOK}
				next.ServeHTTP(buf, r)
				for k, v := range buf.header {
					w.Header()[k] = v
				}
				w.Header().Del("Content-Length")
				rw.WriteHeader(buf.status)
				half := buf.body.Len() / 2
				_, _ = w.Write(buf.body.Bytes()[:half])
				if fl, ok := w.(http.Flusher); ok {
					fl.Flush()
				}
				if !sleep(r.Context(), time.Duration(fault.StallMs)*time.Millisecond) {
					return
				}
				_, _ = w.Write(buf.body.Bytes()[half:])
				return
			}
		}
		next.ServeHTTP(rw, r)
	})
}

// writeHuge writes n bytes of one JSON string, 64 KiB at a time, until
// the client stops reading.
func writeHuge(w io.Writer, n int64) {
	chunk := bytes.Repeat([]byte("x"), 64<<10)
	first := append([]byte(`{"padding":"`), chunk[12:]...)
	for left := n; left > 0; {
		c := chunk
		if left == n {
			c = first
		}
		c = c[:min(left, int64(len(c)))]
		if _, err := w.Write(c); err != nil {
			return
		}
		left -= int64(len(c))
	}
}

// echoRequest is the text an echo fault puts in its error message: the
// request as received, credentials unredacted, headers sorted by name.
func echoRequest(r *http.Request) string {
	var b strings.Builder
	b.WriteString("echo: " + r.Method + " " + r.URL.Path)
	if r.URL.RawQuery != "" {
		b.WriteString("?" + r.URL.RawQuery)
	}
	names := make([]string, 0, len(r.Header))
	for k := range r.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		b.WriteString("; " + k + ": " + strings.Join(r.Header[k], ", "))
	}
	return b.String()
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // RST rather than FIN: a real connection reset
	}
	_ = conn.Close()
}

type recordingWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (w *recordingWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recordingWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header         { return b.header }
func (b *bufferedWriter) WriteHeader(code int)        { b.status = code }
func (b *bufferedWriter) Write(p []byte) (int, error) { return b.body.Write(p) }

// secretParams are query parameters that carry credentials (Apptivo).
var secretParams = map[string]bool{"apikey": true, "accesskey": true, "access_token": true, "client_secret": true}

// secretHeaders carry credentials in the vendors' auth schemes.
var secretHeaders = map[string]bool{"Authorization": true, "X-Api-Key": true, "Cookie": true}

// RedactQuery replaces the values of credential parameters with REDACTED.
func RedactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "REDACTED"
	}
	for k := range q {
		if secretParams[strings.ToLower(k)] {
			q[k] = []string{"REDACTED"}
		}
	}
	return q.Encode()
}

// redactBody redacts credential parameters in a form-encoded body (Apptivo
// clients may POST apiKey/accessKey as form fields); other bodies are kept
// as sent.
func redactBody(contentType string, body []byte) string {
	if len(body) == 0 || !strings.HasPrefix(strings.ToLower(strings.TrimSpace(contentType)), "application/x-www-form-urlencoded") {
		return string(body)
	}
	q, err := url.ParseQuery(string(body))
	if err != nil {
		return "REDACTED"
	}
	redacted := false
	for k := range q {
		if secretParams[strings.ToLower(k)] {
			q[k] = []string{"REDACTED"}
			redacted = true
		}
	}
	if !redacted {
		return string(body)
	}
	return q.Encode()
}

// RedactHeaders flattens h and replaces credential headers with REDACTED.
func RedactHeaders(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		if secretHeaders[http.CanonicalHeaderKey(k)] {
			out[k] = "REDACTED"
			continue
		}
		out[k] = strings.Join(v, ", ")
	}
	return out
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// Listener serves a handler over real HTTP on loopback, the way every
// simulator is reached: through a socket, with the production clients.
type Listener struct {
	srv *http.Server
	ln  net.Listener
}

// Listen starts serving h on addr ("127.0.0.1:0" when empty).
func Listen(addr string, h http.Handler) (*Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	l := &Listener{srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}, ln: ln}
	go func() {
		if err := l.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the listener was closed under us; nothing to report to
		}
	}()
	return l, nil
}

// URL is the base URL of the listener, without a trailing slash.
func (l *Listener) URL() string { return "http://" + l.ln.Addr().String() }

// Close stops the listener and every open connection at once.
func (l *Listener) Close() { _ = l.srv.Close() }

// DecodeState decodes a whole state document (PUT /_sim/state/{vendor})
// into v strictly: unknown fields and trailing data are refused, so that a
// typo in a hand-written state fails loudly instead of being silently
// dropped, and numbers in untyped fields stay json.Number so that ids keep
// their digits. Errors name the vendor.
func DecodeState(vendor string, doc []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s state: %w", vendor, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s state: trailing data after the JSON document", vendor)
	}
	return nil
}
