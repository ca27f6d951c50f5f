package e2e

import (
	"flag"
	"os"
	"testing"
)

// TestMain runs up to 8 tests at once unless -parallel says otherwise:
// the end-to-end tests mostly wait (on simulated vendor latency, faults,
// deadlines), so the default of GOMAXPROCS (2 on the project's machines)
// left the package waiting for half a minute on a mostly idle CPU.
func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		_ = flag.Set("test.parallel", "8")
	}
	os.Exit(m.Run())
}
