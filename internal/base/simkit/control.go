package simkit

import (
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strings"
)

// Vendor is what each simulator offers to whatever mounts it: the sandbox
// inside the gateway, cmd/vendorsim and tests.
type Vendor interface {
	// Name is the vendor's path prefix and fault key: "ortto", "apptivo",
	// "appdirect" or "cordial".
	Name() string
	// Handler serves the vendor's routes at the root, already wrapped with
	// the recorder and fault injection the simulator was built with.
	Handler() http.Handler
	// State returns the whole state as JSON in the vendor's wire names.
	State() ([]byte, error)
	// SetState replaces the whole state with doc (same shape as State).
	SetState(doc []byte) error
	// Reset restores the demo data.
	Reset()
}

// Mux mounts every vendor under /<name>/ and the control API under /_sim/:
// the one layout shared by cmd/vendorsim and the sandbox.
func Mux(rec *Recorder, faults *Faults, vendors ...Vendor) http.Handler {
	mux := http.NewServeMux()
	byName := map[string]Vendor{}
	for _, v := range vendors {
		byName[v.Name()] = v
		prefix := "/" + v.Name()
		mux.Handle(prefix+"/", http.StripPrefix(prefix, v.Handler()))
	}
	mux.HandleFunc("GET /_sim/requests", func(w http.ResponseWriter, r *http.Request) {
		entries := rec.Entries()
		if vendor := r.URL.Query().Get("vendor"); vendor != "" {
			kept := entries[:0]
			for _, e := range entries {
				if e.Vendor == vendor {
					kept = append(kept, e)
				}
			}
			entries = kept
		}
		if entries == nil {
			entries = []Entry{}
		}
		WriteJSON(w, http.StatusOK, entries)
	})
	mux.HandleFunc("DELETE /_sim/requests", func(w http.ResponseWriter, r *http.Request) {
		rec.Clear()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("PUT /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		var f Fault
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&f); err != nil {
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid fault JSON: " + err.Error()})
			return
		}
		if _, ok := byName[f.Vendor]; !ok {
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "unknown vendor " + f.Vendor + "; one of " + strings.Join(names(byName), ", ")})
			return
		}
		if f.Rate < 0 || f.Rate > 1 {
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "rate must be between 0 and 1"})
			return
		}
		faults.Set(f)
		WriteJSON(w, http.StatusOK, f)
	})
	mux.HandleFunc("DELETE /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		if v := r.URL.Query().Get("vendor"); v != "" {
			faults.Clear(v)
		} else {
			faults.Clear()
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /_sim/state/{vendor}", func(w http.ResponseWriter, r *http.Request) {
		v, ok := byName[r.PathValue("vendor")]
		if !ok {
			WriteJSON(w, http.StatusNotFound, map[string]string{"error": "unknown vendor"})
			return
		}
		doc, err := v.State()
		if err != nil {
			WriteJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(doc)
	})
	mux.HandleFunc("PUT /_sim/state/{vendor}", func(w http.ResponseWriter, r *http.Request) {
		v, ok := byName[r.PathValue("vendor")]
		if !ok {
			WriteJSON(w, http.StatusNotFound, map[string]string{"error": "unknown vendor"})
			return
		}
		doc, err := io.ReadAll(io.LimitReader(r.Body, 32<<20))
		if err == nil {
			err = v.SetState(doc)
		}
		if err != nil {
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /_sim/reset", func(w http.ResponseWriter, r *http.Request) {
		for _, v := range vendors {
			v.Reset()
		}
		faults.Clear()
		rec.Clear()
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

func names(m map[string]Vendor) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Mount is how a simulator package offers itself to the sandbox: its
// constructor over the shared recorder and fault table, and the sandbox
// credentials the gateway must send it. Each simulator exports one, and
// the gateway's registry pairs it with its vendor's module.
type Mount struct {
	// Name is the vendor's name, the simulator's path prefix.
	Name string
	// New builds the simulator without a listener, recording into rec
	// and failing as faults says.
	New func(rec *Recorder, faults *Faults) (Vendor, error)
	// Credentials are the simulator's fixed, public credentials, keyed by
	// the gateway variable that carries each (ORTTO_API_KEY, ...). They
	// unlock only the simulator.
	Credentials map[string]string
}
