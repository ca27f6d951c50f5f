package main

import (
	"runtime/debug"
	"testing"

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
