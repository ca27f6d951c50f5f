package gateway_test

import (
	"testing"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
)

// env is gatewaytest.Env with this package's own helpers as methods.
type env struct{ *gatewaytest.Env }

func newEnv(t testing.TB, opts ...gatewaytest.Option) *env {
	t.Helper()
	return &env{gatewaytest.Start(t, opts...)}
}
