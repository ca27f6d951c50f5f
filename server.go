// Command switchyard is a GraphQL gateway over Ortto, Apptivo, AppDirect
// and Cordial. With no vendor credentials in the environment it starts the
// built-in vendor simulators and serves a sandbox (see README.md).
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/switchyard/switchyard/internal/app/config"
	"github.com/switchyard/switchyard/internal/app/gateway"
	"github.com/switchyard/switchyard/internal/app/sandbox"
	"github.com/switchyard/switchyard/internal/app/serve"
	"github.com/switchyard/switchyard/internal/auth"
	"github.com/switchyard/switchyard/internal/logging"
	"github.com/switchyard/switchyard/internal/sharedstate"
	"github.com/switchyard/switchyard/internal/telemetry"
)

func main() {
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
	if cfg.Sandbox {
		logger.Info("sandbox mode: no vendor is configured, so every vendor is Switchyard's built-in simulator with demo data; set vendor credentials to use real vendors (see README)",
			"simulators", sb.URL(), "control_api", sb.URL()+"/_sim/")
	}
	authn, err := auth.New(cfg.Auth, auth.WithLogger(logger))
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
	logger.Info("switchyard listening", "graphiql", fmt.Sprintf("http://localhost:%d/", cfg.Port), "endpoint", "/query", "sandbox", cfg.Sandbox)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// tuneGC sets the garbage collector's target (config.DefaultGCPercent)
// unless the operator chose one with GOGC, which the runtime has then
// already applied.
func tuneGC(cfg *config.Config) {
	if cfg.GCPercent > 0 {
		debug.SetGCPercent(cfg.GCPercent)
	}
}
