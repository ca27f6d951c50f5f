//go:build pprof

package main

// Built only with -tags pprof (bench/stack.sh passes it when PPROF=1):
// registers net/http/pprof on the default mux, which the admin listener
// (SWITCHYARD_ADMIN_ADDR) then serves under /debug/pprof/, and
// serves net/http/pprof on loopback port 6060, so BENCHMARKS.md's profiles
// are taken from the gateway under the same load the benchmark applies,
// never from a production build.

import (
	"log/slog"
	"net/http"
	_ "net/http/pprof"
)

func init() {
	go func() {
		slog.Info("pprof listening", "addr", "127.0.0.1:6060")
		if err := http.ListenAndServe("127.0.0.1:6060", nil); err != nil {
			slog.Error("pprof stopped", "error", err)
		}
	}()
}
