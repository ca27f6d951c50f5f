package gateway_test

import (
	"bytes"
	"crypto/sha256"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fifthVendorDir holds the fake vendor "echo" as the files a developer
// would add, at their paths in the repository: its package (client,
// module, simulator), its schema file, its resolvers and mapping. Go
// ignores testdata directories, so none of it is built here.
const fifthVendorDir = "testdata/fifthvendor"

// fifthVendorProbe is the test the copy runs: it is not part of the
// vendor, and not counted among the files the vendor touches.
const fifthVendorProbe = "internal/app/fifthvendorprobe"

// echoOutsideItsPackage are the hand-written files the fake vendor adds
// or changes outside vendors/echo: ARCHITECTURE.md's "Adding a vendor".
var echoOutsideItsPackage = []string{
	"graph/echo.graphqls",
	"internal/app/registry/registry.go",
	"resolvers/echo.resolvers.go",
	"resolvers/echo_map.go",
}

// TestAFifthVendorServesAFieldEndToEnd adds a fifth vendor to a copy of
// the repository exactly as ARCHITECTURE.md says (its package, schema
// file, resolvers, mapping and one registry line), runs gqlgen generate
// there and serves the vendor's field through the gateway and its
// simulator. It checks that the vendor touched at most four hand-written
// files outside its package (generated files aside) and that the field
// answers with the simulator's data.
//
// The copy is built with -trimpath, so the build cache serves every
// package whose sources did not change (all but the generated executor,
// the resolvers and what imports them) from earlier runs in any
// directory, and the generated ones from the previous run.
func TestAFifthVendorServesAFieldEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the fifth-vendor build (copies the repository, runs gqlgen generate and go test in the copy)")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH: cannot build the copy with the fifth vendor")
	}
	t.Parallel()

	root, err := filepath.Abs("../../..")
	require.NoError(t, err)
	require.FileExists(t, filepath.Join(root, "go.mod"))
	dst := t.TempDir()
	t0 := time.Now()
	before := copyModule(t, root, dst)

	// The vendor's files, as a developer would add them.
	overlay := filepath.FromSlash(fifthVendorDir)
	require.NoError(t, filepath.WalkDir(overlay, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(overlay, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return writeFile(filepath.Join(dst, rel), b)
	}))
	// The one registry line (and its imports).
	regPath := filepath.Join(dst, "internal/app/registry/registry.go")
	reg, err := os.ReadFile(regPath)
	require.NoError(t, err)
	src := string(reg)
	const list = "var vendors = []Entry{\n"
	require.Contains(t, src, list, "registry.go no longer has its list: update this test")
	require.Contains(t, src, "import (\n")
	at := strings.Index(src, list) + len(list)
	end := at + strings.Index(src[at:], "\n}\n") + 1
	src = src[:end] + "\t{echo.Module, echosim.Mount},\n" + src[end:]
	src = strings.Replace(src, "import (\n", "import (\n\t\"github.com/switchyard/switchyard/vendors/echo\"\n\t\"github.com/switchyard/switchyard/vendors/echo/echosim\"\n", 1)
	require.NoError(t, os.WriteFile(regPath, []byte(src), 0o644))

	// -trimpath keeps the copy's directory out of the build cache keys.
	env := append(os.Environ(), "GOFLAGS=-trimpath -buildvcs=false", "GOWORK=off")
	run := func(args ...string) {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), goBin, args...)
		cmd.Dir, cmd.Env = dst, env
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go %s in the copy:\n%s", strings.Join(args, " "), out)
	}
	tCopy := time.Since(t0)
	run("run", "github.com/99designs/gqlgen", "generate")
	tGen := time.Since(t0)

	// (a) Outside vendors/echo, at most four hand-written files changed.
	var outside, generated []string
	after := hashTree(t, dst)
	for p, sum := range after {
		if before[p] == sum || strings.HasPrefix(p, "vendors/echo/") || strings.HasPrefix(p, fifthVendorProbe+"/") {
			continue
		}
		if isGenerated(t, filepath.Join(dst, p)) {
			generated = append(generated, p)
			continue
		}
		outside = append(outside, p)
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			outside = append(outside, p+" (deleted)")
		}
	}
	slices.Sort(outside)
	slices.Sort(generated)
	t.Logf("hand-written files outside vendors/echo: %v; regenerated: %v", outside, generated)
	assert.LessOrEqual(t, len(outside), 4, "a fifth vendor touches at most four files outside its package")
	assert.Equal(t, echoOutsideItsPackage, outside, "the files of ARCHITECTURE.md's \"Adding a vendor\", and no other")
	assert.Contains(t, generated, "graph/generated/generated.go", "gqlgen generate read the echo schema")

	// (b) The echo field answers with the simulator's data.
	t0 = time.Now()
	run("test", "-count=1", "-vet=off", "./"+fifthVendorProbe)
	t.Logf("copy %s, gqlgen generate %s, go test in the copy %s", tCopy.Round(time.Millisecond), tGen.Round(time.Millisecond), time.Since(t0).Round(time.Millisecond))
}

// copyModule copies the module at root into dst and returns the hash of
// each file copied, by slash path: the files git tracks or would track
// (not ignored build outputs), or, without git, every file but .git,
// node_modules and nested modules.
func copyModule(t *testing.T, root, dst string) map[string][32]byte {
	t.Helper()
	sums := map[string][32]byte{}
	add := func(rel string) error {
		b, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			return err
		}
		sums[filepath.ToSlash(rel)] = sha256.Sum256(b)
		return writeFile(filepath.Join(dst, rel), b)
	}
	cmd := exec.CommandContext(t.Context(), "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	if out, err := cmd.Output(); err == nil {
		for _, rel := range strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00") {
			if fi, err := os.Lstat(filepath.Join(root, rel)); err != nil || !fi.Mode().IsRegular() || inNestedModule(root, rel) {
				continue // deleted in the work tree, a symlink, or another module
			}
			require.NoError(t, add(rel))
		}
		return sums
	}
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		if d.IsDir() {
			if rel != "." && skipDir(p, d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		return add(rel)
	}))
	return sums
}

// inNestedModule reports whether rel lies below a directory of its own
// go.mod, which the copy's build never reads.
func inNestedModule(root, rel string) bool {
	for dir := filepath.Dir(rel); dir != "." && dir != "/"; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(root, dir, "go.mod")); err == nil {
			return true
		}
	}
	return false
}

func skipDir(p, name string) bool {
	if name == ".git" || name == "node_modules" {
		return true
	}
	_, err := os.Stat(filepath.Join(p, "go.mod"))
	return err == nil
}

// hashTree is the hash of every file under dir, by slash path.
func hashTree(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	sums := map[string][32]byte{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		sums[filepath.ToSlash(rel)] = sha256.Sum256(b)
		return err
	}))
	return sums
}

func writeFile(p string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, b, 0o644)
}

// generatedHeader is Go's convention for a generated file
// (https://go.dev/s/generatedcode); gqlgen's follow-schema resolver
// files do not carry it: they are hand-written.
var generatedHeader = regexp.MustCompile(`(?m)^// Code generated .* DO NOT EDIT\.$`)

func isGenerated(t *testing.T, p string) bool {
	t.Helper()
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	if i := bytes.Index(b, []byte("\npackage ")); i >= 0 {
		b = b[:i]
	}
	return generatedHeader.Match(b)
}
