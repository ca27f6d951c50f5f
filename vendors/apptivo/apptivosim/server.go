package apptivosim

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/switchyard/switchyard/internal/base/simkit"
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
	*simkit.Host
	store     *store
	apiKey    string
	accessKey string
}

var _ simkit.Vendor = (*Server)(nil)

// New builds a simulator and, unless opts.NoListener, starts serving it on
// loopback.
func New(opts Options) (*Server, error) {
	s := &Server{
		store:     newStore(),
		apiKey:    opts.APIKey,
		accessKey: opts.AccessKey,
	}
	if s.apiKey == "" {
		s.apiKey = APIKey
	}
	if s.accessKey == "" {
		s.accessKey = AccessKey
	}
	if !opts.Empty {
		s.Reset()
	}
	host, err := simkit.StartHost(name, simkit.HostOptions{Addr: opts.Addr, NoListener: opts.NoListener, Recorder: opts.Recorder, Faults: opts.Faults}, faultBody, s.routes())
	if err != nil {
		return nil, err
	}
	s.Host = host
	return s, nil
}

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
func faultBody(status, retryAfterSeconds int, message string) []byte {
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
	if message != "" {
		reason = message
	}
	b, _ := json.Marshal(failure{Status: "FAILURE", Reason: reason})
	return b
}
