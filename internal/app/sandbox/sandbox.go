// Package sandbox runs the four vendor simulators in one loopback HTTP
// server, under /ortto, /apptivo, /appdirect and /cordial, with the
// /_sim/ control API beside them. The gateway's sandbox mode, the
// end-to-end tests and cmd/vendorsim all use it, so the simulators a
// newcomer explores are the ones the tests prove.
package sandbox

import (
	"github.com/switchyard/switchyard/internal/app/config"
	"github.com/switchyard/switchyard/internal/simkit"
	"github.com/switchyard/switchyard/vendors/appdirect/appdirectsim"
	"github.com/switchyard/switchyard/vendors/apptivo/apptivosim"
	"github.com/switchyard/switchyard/vendors/cordial/cordialsim"
	"github.com/switchyard/switchyard/vendors/ortto/orttosim"
)

// Sandbox is the running set of simulators.
type Sandbox struct {
	Recorder *simkit.Recorder
	Faults   *simkit.Faults

	Ortto     *orttosim.Server
	Apptivo   *apptivosim.Server
	AppDirect *appdirectsim.Server
	Cordial   *cordialsim.Server

	ln *simkit.Listener
}

// Start serves all simulators on addr ("" for a free loopback port).
func Start(addr string) (*Sandbox, error) {
	s := &Sandbox{Recorder: simkit.NewRecorder(0), Faults: simkit.NewFaults()}
	var err error
	if s.Ortto, err = orttosim.New(orttosim.Options{NoListener: true, Recorder: s.Recorder, Faults: s.Faults}); err != nil {
		return nil, err
	}
	if s.Apptivo, err = apptivosim.New(apptivosim.Options{NoListener: true, Recorder: s.Recorder, Faults: s.Faults}); err != nil {
		return nil, err
	}
	if s.AppDirect, err = appdirectsim.New(appdirectsim.Options{NoListener: true, Recorder: s.Recorder, Faults: s.Faults}); err != nil {
		return nil, err
	}
	if s.Cordial, err = cordialsim.New(cordialsim.Options{NoListener: true, Recorder: s.Recorder, Faults: s.Faults}); err != nil {
		return nil, err
	}
	s.ln, err = simkit.Listen(addr, simkit.Mux(s.Recorder, s.Faults, s.Ortto, s.Apptivo, s.AppDirect, s.Cordial))
	if err != nil {
		return nil, err
	}
	return s, nil
}

// URL is the base URL of the simulators, without a trailing slash.
func (s *Sandbox) URL() string { return s.ln.URL() }

// Close stops the server.
func (s *Sandbox) Close() { s.ln.Close() }

// Configure points cfg at the simulators with their sandbox credentials,
// for every vendor.
func (s *Sandbox) Configure(cfg *config.Config) {
	ConfigureFor(cfg, s.URL())
}

// ConfigureFor points cfg at simulators served at base (a running
// cmd/vendorsim, say) with their sandbox credentials.
func ConfigureFor(cfg *config.Config, base string) {
	cfg.OrttoAPIKey, cfg.OrttoBaseURL = orttosim.APIKey, base+"/ortto"
	cfg.ApptivoAPIKey, cfg.ApptivoAccessKey, cfg.ApptivoBaseURL = apptivosim.APIKey, apptivosim.AccessKey, base+"/apptivo"
	cfg.AppDirectBaseURL, cfg.AppDirectClientID, cfg.AppDirectClientSecret = base+"/appdirect", appdirectsim.ClientID, appdirectsim.ClientSecret
	cfg.CordialAPIKey, cfg.CordialBaseURL = cordialsim.APIKey, base+"/cordial"
}

// Credentials lists the sandbox credentials, for printing at start. They
// are fixed and public: they unlock only the simulators.
func Credentials() map[string]string {
	return map[string]string{
		"ORTTO_API_KEY":           orttosim.APIKey,
		"APPTIVO_API_KEY":         apptivosim.APIKey,
		"APPTIVO_ACCESS_KEY":      apptivosim.AccessKey,
		"APPDIRECT_CLIENT_ID":     appdirectsim.ClientID,
		"APPDIRECT_CLIENT_SECRET": appdirectsim.ClientSecret,
		"CORDIAL_API_KEY":         cordialsim.APIKey,
	}
}
