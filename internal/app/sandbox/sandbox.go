// Package sandbox runs the registry's vendor simulators in one loopback
// HTTP server, each under /<vendor>, with the /_sim/ control API beside
// them. The gateway's sandbox mode, the end-to-end tests and cmd/vendorsim
// all use it, so the simulators a newcomer explores are the ones the tests
// prove.
package sandbox

import (
	"fmt"
	"maps"

	"github.com/switchyard/switchyard/internal/app/config"
	"github.com/switchyard/switchyard/internal/app/registry"
	"github.com/switchyard/switchyard/internal/base/simkit"
)

// Sandbox is the running set of simulators.
type Sandbox struct {
	Recorder *simkit.Recorder
	Faults   *simkit.Faults

	mounts []simkit.Mount
	sims   map[string]simkit.Vendor
	ln     *simkit.Listener
}

// Start serves the registry's simulators on addr ("" for a free loopback
// port).
func Start(addr string) (*Sandbox, error) {
	return StartWith(addr, registry.Simulators(registry.Entries()))
}

// StartWith serves the simulators of mounts on addr.
func StartWith(addr string, mounts []simkit.Mount) (*Sandbox, error) {
	s := &Sandbox{Recorder: simkit.NewRecorder(0), Faults: simkit.NewFaults(), mounts: mounts, sims: map[string]simkit.Vendor{}}
	var all []simkit.Vendor
	for _, m := range mounts {
		sim, err := m.New(s.Recorder, s.Faults)
		if err != nil {
			return nil, fmt.Errorf("%s simulator: %w", m.Name, err)
		}
		s.sims[m.Name] = sim
		all = append(all, sim)
	}
	var err error
	if s.ln, err = simkit.Listen(addr, simkit.Mux(s.Recorder, s.Faults, all...)); err != nil {
		return nil, err
	}
	return s, nil
}

// Sim is the simulator of vendor, nil when there is none.
func (s *Sandbox) Sim(vendor string) simkit.Vendor { return s.sims[vendor] }

// URL is the base URL of the simulators, without a trailing slash.
func (s *Sandbox) URL() string { return s.ln.URL() }

// Close stops the server.
func (s *Sandbox) Close() { s.ln.Close() }

// Configure points cfg at the simulators with their sandbox credentials,
// for every vendor.
func (s *Sandbox) Configure(cfg *config.Config) error {
	return configure(cfg, s.URL(), s.mounts)
}

// ConfigureFor points cfg at the registry's simulators served at base (a
// running cmd/vendorsim, say) with their sandbox credentials.
func ConfigureFor(cfg *config.Config, base string) error {
	return configure(cfg, base, registry.Simulators(registry.Entries()))
}

func configure(cfg *config.Config, base string, mounts []simkit.Mount) error {
	return cfg.Apply(Env(base, mounts))
}

// Env is the environment that points a gateway at mounts served at base:
// every vendor's <VENDOR>_BASE_URL and its simulator's credentials.
func Env(base string, mounts []simkit.Mount) map[string]string {
	env := map[string]string{}
	for _, m := range mounts {
		env[config.Prefix(m.Name)+"BASE_URL"] = base + "/" + m.Name
		maps.Copy(env, m.Credentials)
	}
	return env
}

// Credentials lists the registry's sandbox credentials, for printing at
// start. They are fixed and public: they unlock only the simulators.
func Credentials() map[string]string {
	out := map[string]string{}
	for _, m := range registry.Simulators(registry.Entries()) {
		maps.Copy(out, m.Credentials)
	}
	return out
}
