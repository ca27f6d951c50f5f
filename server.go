// Command switchyard is a GraphQL gateway over Ortto, Apptivo, AppDirect
// and Cordial. With no vendor credentials in the environment it starts the
// built-in vendor simulators and serves a sandbox (see README.md).
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/KimMachineGun/automemlimit/memlimit"

	"github.com/switchyard/switchyard/internal/app/config"
	"github.com/switchyard/switchyard/internal/app/gateway"
	"github.com/switchyard/switchyard/internal/app/sandbox"
	"github.com/switchyard/switchyard/internal/app/serve"
	"github.com/switchyard/switchyard/internal/policy/auth"
	"github.com/switchyard/switchyard/internal/policy/logging"
	"github.com/switchyard/switchyard/internal/policy/sharedstate"
	"github.com/switchyard/switchyard/internal/policy/telemetry"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		os.Exit(healthcheck(os.Args[2:], os.Getenv, os.Stderr))
	}
	info, ok := debug.ReadBuildInfo()
	gateway.Version = buildVersion(gateway.Version, info, ok)
	// Until the configuration is read, log as the environment says.
	// run replaces it with one that also knows every credential, so the
	// last error goes through the default logger, whichever it is then.
	slog.SetDefault(logging.New(config.Production(os.Getenv), os.Stderr))
	if err := run(); err != nil {
		slog.Error("switchyard stopped", "error", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return err
	}
	tuneGC(cfg)
	var sb *sandbox.Sandbox
	if cfg.Sandbox {
		if sb, err = sandbox.Start(""); err != nil {
			return fmt.Errorf("start sandbox simulators: %w", err)
		}
		defer sb.Close()
		// Every vendor, with the simulators' credentials.
		if err := sb.Configure(cfg); err != nil {
			return err
		}
	}
	// Every credential the process holds is registered with the logger,
	// the one place secrets are scrubbed from log lines.
	logger := logging.New(cfg.Production, os.Stderr, cfg.Secrets()...)
	slog.SetDefault(logger)
	tuneMemory(logger)
	if cfg.Sandbox {
		logger.Info("sandbox mode: no vendor is configured, so every vendor is Switchyard's built-in simulator with demo data; set vendor credentials to use real vendors (see README)",
			"simulators", sb.URL(), "control_api", sb.URL()+"/_sim/")
	}
	authn, err := auth.New(cfg.Auth, auth.WithLogger(logger), auth.WithProduction(cfg.Production))
	if err != nil {
		return err
	}
	if authn.Open() {
		logger.Warn("client authentication: " + authn.Describe())
	} else {
		logger.Info("client authentication: " + authn.Describe())
	}
	manifest, err := cfg.Persisted.LoadManifest()
	if err != nil {
		return err
	}
	if manifest != nil {
		logger.Info("persisted query manifest loaded", "operations", manifest.Len(), "safelist", cfg.Persisted.Only)
	}
	// The stores outlive the gateway: deferred first, closed last, after
	// the requests in flight finish.
	stores, err := sharedstate.Open(context.Background(), cfg.Stores, logger)
	if err != nil {
		return err
	}
	defer stores.Close()
	logger.Info("shared state (persisted queries, idempotency keys): " + stores.Describe())
	tel, err := telemetry.New(context.Background(), telemetry.Options{ServiceVersion: gateway.Version, Logger: logger})
	if err != nil {
		return err
	}
	defer func() { // after srv.Shutdown and gw.Close, so the last spans are flushed
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := tel.Shutdown(ctx); err != nil {
			logger.Warn("flushing traces at shutdown", "error", err)
		}
	}()
	logger.Info("telemetry", "metrics", "/metrics", "trace_export", tel.Exporting())
	gw, err := gateway.New(cfg, gateway.Options{
		Telemetry: tel,
		Auth:      authn, Simulated: cfg.Sandbox, Logger: logger,
		APQCache: stores.APQ, Idempotency: stores.Idempotency, CacheStore: stores.Cache, Generations: stores.Generations, Stores: stores,
		RateLimiter: stores.RateLimiter,
		Manifest:    manifest, PersistedOnly: cfg.Persisted.Only,
	})
	if err != nil {
		return err
	}
	defer gw.Close()
	ln, err := net.Listen("tcp", fmt.Sprintf(":%d", cfg.Port))
	if err != nil {
		return err
	}
	srv := serve.NewServer(serve.OptionsFrom(cfg), gw)
	if cfg.Server.AdminAddr != "" {
		aln, err := net.Listen("tcp", cfg.Server.AdminAddr)
		if err != nil {
			return fmt.Errorf("admin listener: %w", err)
		}
		admin := serve.NewServer(serve.AdminOptions(), gw.Admin())
		defer admin.Close()
		go func() { _ = admin.Serve(aln) }()
		logger.Info("admin listener", "addr", aln.Addr().String(), "routes", "/healthz /readyz /metrics /debug/pprof/")
	}
	logger.Info("switchyard listening", "graphiql", fmt.Sprintf("http://localhost:%d/", cfg.Port), "endpoint", "/query", "sandbox", cfg.Sandbox)

	// The keys file and the manifest are read again on SIGHUP and when
	// they change, without a restart; a bad file keeps the old one.
	watchCtx, stopWatch := context.WithCancel(context.Background())
	defer stopWatch()
	go gw.WatchFiles(watchCtx, cfg.Server.ReloadInterval)
	hangups := make(chan os.Signal, 1)
	signal.Notify(hangups, syscall.SIGHUP)
	defer signal.Stop(hangups)
	go reloadOnHangup(watchCtx, logger, hangups, gw.Reload)

	// Room for the second signal that cuts the drain short.
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case sig := <-signals:
		return drain(logger, srv, gw, cfg.Server, sig, signals)
	}
}

// reloadOnHangup calls reload for each SIGHUP until ctx ends: the
// conventional "read your configuration again" of a Unix daemon, which
// is how an operator applies a rotated key at once (kill -HUP, or
// Kubernetes' exec of it) instead of waiting for the next poll.
func reloadOnHangup(ctx context.Context, logger *slog.Logger, hangups <-chan os.Signal, reload func() error) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-hangups:
			logger.Info("SIGHUP: reloading the API keys file and the persisted query manifest")
			_ = reload() // each failure is logged with its file; the old one stays in use
		}
	}
}

// drain stops the server the way a replica behind a load balancer must.
// On SIGTERM (what Kubernetes and Docker send) /readyz answers 503 and
// keep-alive connections close after their next response, while every
// request is still served, for opts.DrainDelay: long enough for the
// readiness probe to fail and the load balancers to drop this replica, so
// that no client is sent to a closed port. Then the listener closes and
// the requests in flight get opts.ShutdownTimeout to finish. SIGINT
// (Ctrl-C at a terminal) and a second signal during the delay skip it.
func drain(logger *slog.Logger, srv *serve.Server, gw *gateway.Gateway, opts config.Server, sig os.Signal, more <-chan os.Signal) error {
	gw.Drain()
	srv.SetKeepAlivesEnabled(false)
	if sig == syscall.SIGTERM && opts.DrainDelay > 0 {
		logger.Info("draining: /readyz answers 503 while requests are still served", "signal", sig.String(), "delay", opts.DrainDelay.String())
		delay := time.NewTimer(opts.DrainDelay)
		select {
		case <-delay.C:
		case s := <-more:
			delay.Stop()
			logger.Info("second signal: closing the listener now", "signal", s.String())
		}
	}
	logger.Info("shutting down: finishing requests in flight", "timeout", opts.ShutdownTimeout.String())
	ctx, cancel := context.WithTimeout(context.Background(), opts.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("requests still in flight after SWITCHYARD_SHUTDOWN_TIMEOUT (%s): %w", opts.ShutdownTimeout, err)
	}
	return nil
}

// memoryShare is the part of the container's memory limit given to the Go
// runtime as its soft limit (automemlimit's default): the rest is room for
// what the runtime does not count (the binary, thread stacks outside Go,
// the kernel's share of sockets), so that the collector works harder
// before the kernel's OOM killer would.
const memoryShare = 0.9

// memoryLimit decides the Go runtime's soft memory limit. GOMEMLIMIT set
// by the operator wins (the runtime has applied it already); otherwise
// memoryShare of the cgroup's memory limit, so that with GOGC=400 the heap
// cannot grow to 5 × what is live past the container's memory. It returns
// 0 to leave the runtime as it is, and why, for the log.
func memoryLimit(getenv func(string) string, cgroup memlimit.Provider) (int64, string) {
	if v := getenv("GOMEMLIMIT"); v != "" {
		return 0, "GOMEMLIMIT=" + v + " from the environment"
	}
	limit, err := memlimit.ApplyRatio(cgroup, memoryShare)()
	switch {
	case errors.Is(err, memlimit.ErrNoLimit):
		return 0, "no cgroup memory limit: none set"
	case err != nil:
		return 0, "no cgroup memory limit found (" + err.Error() + "): none set"
	case limit == 0 || limit > math.MaxInt64:
		return 0, "the cgroup memory limit is unusable: none set"
	}
	return int64(limit), fmt.Sprintf("%.0f %% of the cgroup's memory limit", memoryShare*100)
}

// tuneMemory applies memoryLimit with the container's cgroup.
func tuneMemory(logger *slog.Logger) {
	limit, why := memoryLimit(os.Getenv, memlimit.FromCgroup)
	if limit > 0 {
		debug.SetMemoryLimit(limit)
		logger.Info("memory limit", "GOMEMLIMIT_bytes", limit, "source", why)
		return
	}
	logger.Info("memory limit", "source", why)
}

// tuneGC sets the garbage collector's target (config.DefaultGCPercent)
// unless the operator chose one with GOGC, which the runtime has then
// already applied.
func tuneGC(cfg *config.Config) {
	if cfg.GCPercent > 0 {
		debug.SetGCPercent(cfg.GCPercent)
	}
}
