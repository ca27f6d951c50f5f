package apptivosim

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/switchyard/switchyard/internal/simkit"
)

// Sandbox credentials the simulator accepts unless Options says otherwise.
const (
	APIKey    = "sandbox-apptivo-api-key"
	AccessKey = "sandbox-apptivo-access-key"
)

// name is the simulator's path prefix and fault key.
const name = "apptivo"

// Options configures a Server.
type Options struct {
	Addr       string           // listen address, default "127.0.0.1:0"
	NoListener bool             // build the handler only (for mounting under a prefix by simkit.Mux)
	Recorder   *simkit.Recorder // optional; nil = a private one
	Faults     *simkit.Faults   // optional; nil = a private one
	Empty      bool             // start with no demo data
	APIKey     string           // accepted apiKey; default APIKey
	AccessKey  string           // accepted accessKey; default AccessKey
}

// Server is a running Apptivo simulator.
type Server struct {
	store     *store
	apiKey    string
	accessKey string
	rec       *simkit.Recorder
	faults    *simkit.Faults
	handler   http.Handler
	ln        *simkit.Listener
}

var _ simkit.Vendor = (*Server)(nil)

// New builds a simulator and, unless opts.NoListener, starts serving it on
// loopback.
func New(opts Options) (*Server, error) {
	s := &Server{
		store:     newStore(),
		apiKey:    opts.APIKey,
		accessKey: opts.AccessKey,
		rec:       opts.Recorder,
		faults:    opts.Faults,
	}
	if s.apiKey == "" {
		s.apiKey = APIKey
	}
	if s.accessKey == "" {
		s.accessKey = AccessKey
	}
	if s.rec == nil {
		s.rec = simkit.NewRecorder(0)
	}
	if s.faults == nil {
		s.faults = simkit.NewFaults()
	}
	if !opts.Empty {
		s.Reset()
	}
	s.handler = simkit.Middleware(name, s.rec, s.faults, faultBody, s.routes())
	if !opts.NoListener {
		ln, err := simkit.Listen(opts.Addr, s.handler)
		if err != nil {
			return nil, err
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

// Name is "apptivo".
func (s *Server) Name() string { return name }

// Handler serves the vendor routes at the root, wrapped with the recorder
// and fault injection.
func (s *Server) Handler() http.Handler { return s.handler }

// Recorder returns the recorder requests are logged to.
func (s *Server) Recorder() *simkit.Recorder { return s.rec }

// Faults returns the fault set consulted on every request.
func (s *Server) Faults() *simkit.Faults { return s.faults }

// State returns {"customers":[...]} in Apptivo's wire names.
func (s *Server) State() ([]byte, error) { return s.store.state() }

// SetState replaces the whole state; malformed documents are rejected and
// leave the state unchanged.
func (s *Server) SetState(doc []byte) error { return s.store.setState(doc) }

// Reset restores the demo data.
func (s *Server) Reset() {
	if err := s.store.setState([]byte(demoState)); err != nil {
		panic("apptivosim: demo data invalid: " + err.Error())
	}
}

// failure is Apptivo's error body.
type failure struct {
	Status string `json:"status"`
	Reason string `json:"reason"`
}

// faultBody renders the FAILURE body for an injected status, so clients see
// the shape a real failure has.
func faultBody(status, retryAfterSeconds int) []byte {
	reason := http.StatusText(status)
	if reason == "" {
		reason = "HTTP " + strconv.Itoa(status)
	}
	if status == http.StatusTooManyRequests {
		reason = "Rate limit exceeded"
		if retryAfterSeconds > 0 {
			reason += "; retry after " + strconv.Itoa(retryAfterSeconds) + " seconds"
		}
	}
	b, _ := json.Marshal(failure{Status: "FAILURE", Reason: reason})
	return b
}
