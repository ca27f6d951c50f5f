// Command vendorsim serves the simulators of every vendor in the
// registry (internal/app/registry) on one address, each under /<vendor>,
// with the control API under /_sim/ (see docs/vendors.md). Point the gateway, or your own
// tests, at it:
//
//	go run ./cmd/vendorsim -addr 127.0.0.1:9090
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/switchyard/switchyard/internal/app/registry"
	"github.com/switchyard/switchyard/internal/app/sandbox"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9090", "listen address")
	flag.Parse()
	sb, err := sandbox.Start(*addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vendorsim:", err)
		os.Exit(1)
	}
	defer sb.Close()
	base := sb.URL()
	fmt.Printf("vendorsim: simulators at %s (control API %s/_sim/)\n", base, base)
	fmt.Println("Sandbox credentials (they unlock only these simulators). Run the gateway against them with:")
	env := sandbox.Env(base, registry.Simulators(registry.Entries()))
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Printf("  export %s=%s\n", k, env[k])
	}
	fmt.Println("  go run .")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
}
