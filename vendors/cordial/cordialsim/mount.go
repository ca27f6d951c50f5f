package cordialsim

import "github.com/switchyard/switchyard/internal/base/simkit"

// Mount offers this simulator to the sandbox (see simkit.Mount).
var Mount = simkit.Mount{
	Name: name,
	New: func(rec *simkit.Recorder, faults *simkit.Faults) (simkit.Vendor, error) {
		return New(Options{NoListener: true, Recorder: rec, Faults: faults})
	},
	Credentials: map[string]string{"CORDIAL_API_KEY": APIKey},
}
