package main

import "runtime/debug"

// buildVersion is the version the binary reports (/healthz, the gateway
// query field, switchyard_build_info): the value a linker flag set
// (-X .../internal/app/gateway.Version=..., as the Dockerfile does with
// its VERSION argument), else what the Go toolchain stamped in the build
// info: the module version of `go install ...@v1.2.3`, or the VCS
// revision of a build in a git checkout (with -dirty for uncommitted
// changes); dev when there is neither.
func buildVersion(linked string, info *debug.BuildInfo, ok bool) string {
	if linked != "" && linked != "dev" {
		return linked
	}
	if !ok || info == nil {
		return "dev"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if rev == "" {
		return "dev"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	return rev + dirty
}
