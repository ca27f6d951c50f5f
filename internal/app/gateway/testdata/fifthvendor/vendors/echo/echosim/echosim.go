// Package echosim simulates the fake echo vendor: GET /v1/echo answers
// {"message": <the message parameter>, "servedBy": "echo-simulator"} to
// the X-Echo-Key header APIKey, 401 to any other key and 400 without a
// message.
package echosim

import (
	"encoding/json"
	"net/http"

	"github.com/switchyard/switchyard/internal/base/simkit"
)

// APIKey is the sandbox API key the simulator accepts.
const APIKey = "sandbox-echo-key"

// ServedBy is what every reply says served it, so a test can tell the
// simulator's data from anything else.
const ServedBy = "echo-simulator"

const name = "echo"

// Options configures a simulator.
type Options struct {
	Addr       string
	NoListener bool
	Recorder   *simkit.Recorder
	Faults     *simkit.Faults
}

// Server is a running echo simulator. It keeps no state.
type Server struct{ *simkit.Host }

var _ simkit.Vendor = (*Server)(nil)

// New builds a simulator and, unless opts.NoListener, serves it on loopback.
func New(opts Options) (*Server, error) {
	h, err := simkit.StartHost(name, simkit.HostOptions{Addr: opts.Addr, NoListener: opts.NoListener, Recorder: opts.Recorder, Faults: opts.Faults}, faultBody, http.HandlerFunc(serve))
	if err != nil {
		return nil, err
	}
	return &Server{h}, nil
}

// State is empty: echo keeps nothing.
func (*Server) State() ([]byte, error) { return []byte("{}"), nil }

// SetState accepts only the empty state.
func (*Server) SetState([]byte) error { return nil }

// Reset does nothing.
func (*Server) Reset() {}

func faultBody(_, _ int, message string) []byte {
	b, _ := json.Marshal(map[string]string{"error": message})
	return b
}

func serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Header.Get("X-Echo-Key") != APIKey:
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write(faultBody(0, 0, "bad key"))
	case r.Method != http.MethodGet || r.URL.Path != "/v1/echo":
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write(faultBody(0, 0, "no such route"))
	case r.URL.Query().Get("message") == "":
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write(faultBody(0, 0, "message is required"))
	default:
		_ = json.NewEncoder(w).Encode(map[string]string{"message": r.URL.Query().Get("message"), "servedBy": ServedBy})
	}
}
