package orttosim

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/switchyard/switchyard/internal/simkit"
)

// APIKey is the sandbox key the simulator accepts unless Options.APIKey
// says otherwise.
const APIKey = "sandbox-ortto-key"

// name is the simulator's path prefix under simkit.Mux and its fault key.
const name = "ortto"

// Options configures a Server.
type Options struct {
	Addr       string           // listen address, default "127.0.0.1:0"
	NoListener bool             // build the handler only (for mounting under a prefix by simkit.Mux)
	Recorder   *simkit.Recorder // optional; nil = a private one
	Faults     *simkit.Faults   // optional; nil = a private one
	Empty      bool             // start with no demo data
	APIKey     string           // accepted X-Api-Key; "" = APIKey
}

// Server is a running Ortto simulator.
type Server struct {
	apiKey  string
	store   *store
	rec     *simkit.Recorder
	faults  *simkit.Faults
	handler http.Handler
	ln      *simkit.Listener
}

// New builds a simulator and, unless opts.NoListener, starts serving it on
// loopback.
func New(opts Options) (*Server, error) {
	s := &Server{apiKey: opts.APIKey, store: &store{}, rec: opts.Recorder, faults: opts.Faults}
	if s.apiKey == "" {
		s.apiKey = APIKey
	}
	if s.rec == nil {
		s.rec = simkit.NewRecorder(0)
	}
	if s.faults == nil {
		s.faults = simkit.NewFaults()
	}
	if opts.Empty {
		s.store.replace(stateDoc{People: []Person{}, Accounts: []Account{}})
	} else {
		s.Reset()
	}
	s.handler = simkit.Middleware(name, s.rec, s.faults, faultBody, http.HandlerFunc(s.route))
	if !opts.NoListener {
		ln, err := simkit.Listen(opts.Addr, s.handler)
		if err != nil {
			return nil, fmt.Errorf("ortto simulator: %w", err)
		}
		s.ln = ln
	}
	return s, nil
}

// URL is the base URL of the simulator's own listener ("" with NoListener).
func (s *Server) URL() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.URL()
}

// Close stops the listener, if any.
func (s *Server) Close() {
	if s.ln != nil {
		s.ln.Close()
	}
}

// Name is "ortto".
func (s *Server) Name() string { return name }

// Handler serves Ortto's routes at the root, wrapped with the recorder and
// fault injection.
func (s *Server) Handler() http.Handler { return s.handler }

// Recorder returns the recorder of the requests this simulator received.
func (s *Server) Recorder() *simkit.Recorder { return s.rec }

// Faults returns the fault set this simulator obeys.
func (s *Server) Faults() *simkit.Faults { return s.faults }

// State returns the whole state as JSON in Ortto's wire names.
func (s *Server) State() ([]byte, error) { return s.store.snapshot() }

// SetState replaces the whole state; a malformed or inconsistent document
// is rejected and the state left unchanged.
func (s *Server) SetState(doc []byte) error {
	d, err := parseState(doc)
	if err != nil {
		return err
	}
	s.store.replace(d)
	return nil
}

// Reset restores the demo data.
func (s *Server) Reset() { s.store.replace(demoState()) }

// endpoint is one documented Ortto route.
type endpoint struct {
	method string
	handle func(s *Server, w http.ResponseWriter, r *http.Request)
}

var endpoints = map[string]endpoint{
	"/v1/accounts/archive":     {http.MethodPut, func(s *Server, w http.ResponseWriter, r *http.Request) { s.bulkAccounts(w, r, opArchive) }},
	"/v1/accounts/restore":     {http.MethodPut, func(s *Server, w http.ResponseWriter, r *http.Request) { s.bulkAccounts(w, r, opRestore) }},
	"/v1/accounts/delete":      {http.MethodDelete, func(s *Server, w http.ResponseWriter, r *http.Request) { s.bulkAccounts(w, r, opDelete) }},
	"/v1/person/subscriptions": {http.MethodPost, (*Server).subscriptions},
}

// route dispatches by path, then method, then key: an unknown path is 404
// and a wrong method 405 whatever the key.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	ep, ok := endpoints[r.URL.Path]
	if !ok {
		writeError(w, http.StatusNotFound, "Unknown endpoint or method")
		return
	}
	if r.Method != ep.method {
		w.Header().Set("Allow", ep.method)
		writeError(w, http.StatusMethodNotAllowed, "Method not allowed")
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("X-Api-Key")), []byte(s.apiKey)) != 1 {
		writeError(w, http.StatusUnauthorized, "Invalid API key")
		return
	}
	ep.handle(s, w, r)
}

// errorReply is Ortto's recorded error envelope.
type errorReply struct {
	RequestID string `json:"request_id"`
	Code      int    `json:"code"`
	Error     string `json:"error"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	simkit.WriteJSON(w, status, errorReply{RequestID: requestID(), Code: status, Error: msg})
}

// faultBody renders Ortto's own body for an injected status: the
// rate-limit body for 429, the recorded envelope otherwise.
func faultBody(status, retryAfterSeconds int) []byte {
	var v any
	if status == http.StatusTooManyRequests {
		if retryAfterSeconds <= 0 {
			retryAfterSeconds = 1
		}
		v = map[string]any{"error": map[string]any{
			"code": "rate-limit", "message": "rate limit", "try-in-seconds": retryAfterSeconds,
		}}
	} else {
		v = errorReply{RequestID: requestID(), Code: status, Error: "simulated fault"}
	}
	b, _ := json.Marshal(v)
	return append(b, '\n')
}

// requestID returns a random UUID v4, the shape of Ortto's request_id.
func requestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
