package simkit

import "net/http"

// HostOptions are the options every simulator shares.
type HostOptions struct {
	Addr       string    // listen address, default "127.0.0.1:0"
	NoListener bool      // build the handler only, for mounting under a prefix
	Recorder   *Recorder // nil: a private one
	Faults     *Faults   // nil: a private one
}

// Host is the vendor-independent part of a simulator: its name, recorder,
// fault set, wrapped handler and optional listener. Simulators embed it
// and add their routes and store.
type Host struct {
	name    string
	rec     *Recorder
	faults  *Faults
	handler http.Handler
	ln      *Listener
}

// StartHost wraps routes with recording and fault injection and, unless
// o.NoListener, serves them on loopback.
func StartHost(name string, o HostOptions, body FaultBody, routes http.Handler) (*Host, error) {
	h := &Host{name: name, rec: o.Recorder, faults: o.Faults}
	if h.rec == nil {
		h.rec = NewRecorder(0)
	}
	if h.faults == nil {
		h.faults = NewFaults()
	}
	h.handler = Middleware(name, h.rec, h.faults, body, routes)
	if !o.NoListener {
		ln, err := Listen(o.Addr, h.handler)
		if err != nil {
			return nil, err
		}
		h.ln = ln
	}
	return h, nil
}

// URL is the base URL of the simulator's own listener ("" with NoListener).
func (h *Host) URL() string {
	if h.ln == nil {
		return ""
	}
	return h.ln.URL()
}

// Close stops the listener, if any.
func (h *Host) Close() {
	if h.ln != nil {
		h.ln.Close()
	}
}

// Name is the vendor's name and path prefix.
func (h *Host) Name() string { return h.name }

// Handler serves the vendor's routes at the root, with recording and
// fault injection.
func (h *Host) Handler() http.Handler { return h.handler }

// Recorder returns the recorder of the requests the simulator received.
func (h *Host) Recorder() *Recorder { return h.rec }

// Faults returns the fault set the simulator obeys.
func (h *Host) Faults() *Faults { return h.faults }
