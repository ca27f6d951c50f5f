package orttosim

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/switchyard/switchyard/internal/base/simkit"
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
	*simkit.Host
	apiKey string
	store  *store
}

// New builds a simulator and, unless opts.NoListener, starts serving it on
// loopback.
func New(opts Options) (*Server, error) {
	s := &Server{apiKey: opts.APIKey, store: &store{}}
	if s.apiKey == "" {
		s.apiKey = APIKey
	}
	if opts.Empty {
		s.store.replace(stateDoc{People: []Person{}, Accounts: []Account{}})
	} else {
		s.Reset()
	}
	host, err := simkit.StartHost(name, simkit.HostOptions{Addr: opts.Addr, NoListener: opts.NoListener, Recorder: opts.Recorder, Faults: opts.Faults}, faultBody, http.HandlerFunc(s.route))
	if err != nil {
		return nil, err
	}
	s.Host = host
	return s, nil
}

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
	"/v1/accounts/get":         {http.MethodPost, (*Server).getAccounts},
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
	RequestID string        `json:"request_id"`
	Code      int           `json:"code"`
	Error     string        `json:"error"`
	Details   []errorDetail `json:"details,omitempty"`
}

// errorDetail is one entry of a 400's details, as recorded
// ({"status":"invalid","error":"..."}).
type errorDetail struct {
	Status string `json:"status"`
	Error  string `json:"error"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	simkit.WriteJSON(w, status, errorReply{RequestID: requestID(), Code: status, Error: msg})
}

// faultBody renders Ortto's own body for an injected status: the
// rate-limit body for 429, the recorded envelope otherwise.
func faultBody(status, retryAfterSeconds int, message string) []byte {
	var v any
	if status == http.StatusTooManyRequests {
		if retryAfterSeconds <= 0 {
			retryAfterSeconds = 1
		}
		if message == "" {
			message = "rate limit"
		}
		v = map[string]any{"error": map[string]any{
			"code": "rate-limit", "message": message, "try-in-seconds": retryAfterSeconds,
		}}
	} else {
		if message == "" {
			message = "simulated fault"
		}
		v = errorReply{RequestID: requestID(), Code: status, Error: message}
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
