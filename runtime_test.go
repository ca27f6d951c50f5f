package main

import (
	"errors"
	"os/exec"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/KimMachineGun/automemlimit/memlimit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/config"
)

// TestGCTarget checks the README's promise: GOGC=400 unless the
// environment sets GOGC, whose value the runtime applied and tuneGC must
// leave alone.
func TestGCTarget(t *testing.T) {
	orig := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(orig) })

	cases := []struct {
		name string
		env  map[string]string
		want int
	}{
		{"GOGC unset: the gateway's default", map[string]string{}, config.DefaultGCPercent},
		{"GOGC=150 is the operator's", map[string]string{"GOGC": "150"}, 100},
		{"GOGC=off is the operator's", map[string]string{"GOGC": "off"}, 100},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			debug.SetGCPercent(100) // what the runtime made of the environment, in this test
			cfg, err := config.Load(func(k string) string { return tc.env[k] })
			require.NoError(t, err)
			tuneGC(cfg)
			assert.Equal(t, tc.want, debug.SetGCPercent(100))
		})
	}
}

// TestProfilerOnlyWithItsTag: net/http/pprof (pprof.go) is in a build made
// with -tags pprof for bench/profile.sh, never in the gateway as built by
// go build or go run.
func TestProfilerOnlyWithItsTag(t *testing.T) {
	deps := func(args ...string) string {
		out, err := exec.Command("go", append([]string{"list", "-deps"}, append(args, ".")...)...).Output()
		require.NoError(t, err)
		return string(out)
	}
	assert.NotContains(t, strings.Fields(deps()), "net/http/pprof")
	assert.Contains(t, strings.Fields(deps("-tags", "pprof")), "net/http/pprof", "the tag no longer brings the profiler in: fix bench/profile.sh")
}

// TestMemoryLimit: the soft memory limit follows the container's cgroup
// unless the operator set GOMEMLIMIT, and stays unset where no limit is
// found (a developer's machine, a cgroup without memory.max).
func TestMemoryLimit(t *testing.T) {
	const gib = 1 << 30
	cases := []struct {
		name   string
		env    map[string]string
		cgroup memlimit.Provider
		want   int64
		why    string
	}{
		{"a 512 MiB container", nil, memlimit.Limit(512 << 20), int64(512<<20) * 9 / 10, "90 % of the cgroup"},
		{"GOMEMLIMIT wins over the cgroup", map[string]string{"GOMEMLIMIT": "300MiB"}, memlimit.Limit(gib), 0, "GOMEMLIMIT=300MiB"},
		{"GOMEMLIMIT=off is the operator's too", map[string]string{"GOMEMLIMIT": "off"}, memlimit.Limit(gib), 0, "GOMEMLIMIT=off"},
		{"no limit in the cgroup", nil, func() (uint64, error) { return 0, memlimit.ErrNoLimit }, 0, "no cgroup memory limit"},
		{"no cgroup at all", nil, func() (uint64, error) { return 0, errors.New("cgroup not found") }, 0, "cgroup not found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, why := memoryLimit(func(k string) string { return tc.env[k] }, tc.cgroup)
			assert.Equal(t, tc.want, got)
			assert.Contains(t, why, tc.why)
		})
	}
}
