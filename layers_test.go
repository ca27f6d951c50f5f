package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/switchyard/switchyard"

// TestImportsPointDown holds the package map of ARCHITECTURE.md, drawn
// by the folders: every import of our own packages points down, from the
// program's top (internal/app, cmd) through resolvers and graph and the
// request-side policies (internal/policy) to the vendors, and from the
// vendors only to what they build on (internal/base: outbound and
// vendorkit for clients, simkit for simulators), which builds on nothing
// above it. Test files are exempt: an end-to-end test may start the whole
// gateway from any package.
func TestImportsPointDown(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...").Output()
	require.NoError(t, err)
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(strings.TrimPrefix(fields[0], module), "/")
		for _, imp := range fields[1:] {
			if imp != module && !strings.HasPrefix(imp, module+"/") {
				continue
			}
			dep := strings.TrimPrefix(imp, module+"/")
			checked++
			if why := forbidden(pkg, dep); why != "" {
				t.Errorf("%s imports %s: %s", pkg, dep, why)
			}
		}
	}
	assert.Greater(t, checked, 50, "go list found too few imports to check")
}

// forbidden says why pkg may not import dep, or "" when it may.
func forbidden(pkg, dep string) string {
	under := func(p, dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }
	vendor := func(p string) string { // "vendors/ortto" for anything under it
		parts := strings.SplitN(p, "/", 3)
		if len(parts) < 2 || parts[0] != "vendors" {
			return ""
		}
		return parts[0] + "/" + parts[1]
	}
	switch {
	case vendor(pkg) != "" && strings.Contains(strings.TrimPrefix(pkg, vendor(pkg)), "sim"):
		if !under(dep, "internal/base/simkit") && !under(dep, pkg) {
			return "a simulator builds only on internal/base/simkit, never on the gateway or a client"
		}
	case vendor(pkg) != "":
		if dep != "internal/base/outbound" && dep != "internal/base/vendorkit" && !under(dep, vendor(pkg)) {
			return "a vendor client builds only on internal/base/outbound and internal/base/vendorkit"
		}
		if under(dep, vendor(pkg)) && strings.Contains(dep, "sim") {
			return "a vendor client never imports its simulator"
		}
	case pkg == "internal/base/vendorkit":
		if dep != "internal/base/outbound" {
			return "the vendor contract builds only on internal/base/outbound"
		}
	case under(pkg, "internal/base"):
		if !under(dep, "internal/base") {
			return "what vendors build on builds on nothing above it"
		}
	case under(pkg, "internal/app"), under(pkg, "cmd"), pkg == "":
		// The top may import anything below it.
	case under(pkg, "resolvers"):
		if under(dep, "internal/app") || under(dep, "cmd") {
			return "resolvers sit below the HTTP wiring"
		}
	case under(pkg, "graph"):
		if !under(dep, "graph") {
			return "graph holds the schema and its generated code only"
		}
	case under(pkg, "internal/policy"):
		if !under(dep, "internal/policy") && !under(dep, "internal/base") && !under(dep, "graph") {
			return "the request-side policies build only on each other, internal/base and graph"
		}
	default:
		return "every package lives in a folder of the package map (ARCHITECTURE.md)"
	}
	return ""
}
