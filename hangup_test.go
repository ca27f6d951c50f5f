package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Each SIGHUP reloads once, and the loop ends with its context.
func TestReloadOnHangup(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	hangups := make(chan os.Signal)
	reloads := make(chan struct{}, 2)
	done := make(chan struct{})
	go func() {
		defer close(done)
		reloadOnHangup(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), hangups, func() error {
			reloads <- struct{}{}
			return nil
		})
	}()
	hangups <- syscall.SIGHUP
	<-reloads
	hangups <- syscall.SIGHUP
	<-reloads
	cancel()
	<-done
	assert.Empty(t, reloads, "one reload per signal")
}
