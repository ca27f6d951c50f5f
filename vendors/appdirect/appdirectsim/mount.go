package appdirectsim

import "github.com/switchyard/switchyard/internal/base/simkit"

// Mount offers this simulator to the sandbox (see simkit.Mount).
var Mount = simkit.Mount{
	Name: Name,
	New: func(rec *simkit.Recorder, faults *simkit.Faults) (simkit.Vendor, error) {
		return New(Options{NoListener: true, Recorder: rec, Faults: faults})
	},
	Credentials: map[string]string{"APPDIRECT_CLIENT_ID": ClientID, "APPDIRECT_CLIENT_SECRET": ClientSecret},
}
