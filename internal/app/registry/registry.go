// Package registry is the one list of the vendors this build carries:
// each line pairs a vendor's module (vendorkit.Module: descriptor,
// variables, constructor, TTLs, costs) with its simulator's mount
// (simkit.Mount), which the vendor package may not import. Config,
// sandbox, gateway, query limits, cost plan, telemetry and GraphiQL read
// this list; none of them names a vendor. Adding a vendor is one line
// here (see ARCHITECTURE.md, "Adding a vendor").
//
// An explicit list rather than init-time registration (database/sql's
// sql.Register, Caddy's RegisterModule): what a build serves is read in
// one place, a test can hand the gateway another list, and importing a
// package never changes the gateway.
package registry

import (
	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/internal/base/vendorkit"
	"github.com/switchyard/switchyard/vendors/appdirect"
	"github.com/switchyard/switchyard/vendors/appdirect/appdirectsim"
	"github.com/switchyard/switchyard/vendors/apptivo"
	"github.com/switchyard/switchyard/vendors/apptivo/apptivosim"
	"github.com/switchyard/switchyard/vendors/cordial"
	"github.com/switchyard/switchyard/vendors/cordial/cordialsim"
	"github.com/switchyard/switchyard/vendors/ortto"
	"github.com/switchyard/switchyard/vendors/ortto/orttosim"
)

// Entry is one vendor: its module and its simulator.
type Entry struct {
	Module    vendorkit.Module
	Simulator simkit.Mount
}

// vendors is the registry, in the order vendors are listed everywhere
// (config, /readyz, the gateway field, GraphiQL tabs).
var vendors = []Entry{
	{ortto.Module, orttosim.Mount},
	{apptivo.Module, apptivosim.Mount},
	{appdirect.Module, appdirectsim.Mount},
	{cordial.Module, cordialsim.Mount},
}

// Entries returns a copy of the registry; a test may extend it.
func Entries() []Entry { return append([]Entry(nil), vendors...) }

// Modules returns the modules of entries.
func Modules(entries []Entry) []vendorkit.Module {
	out := make([]vendorkit.Module, len(entries))
	for i, e := range entries {
		out[i] = e.Module
	}
	return out
}

// Simulators returns the simulator mounts of entries.
func Simulators(entries []Entry) []simkit.Mount {
	out := make([]simkit.Mount, len(entries))
	for i, e := range entries {
		out[i] = e.Simulator
	}
	return out
}
