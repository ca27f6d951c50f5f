//go:build tools

// Package tools pins the gqlgen code generator in go.mod, so that
// `go run ./cmd/gqlgen-switchyard` (which calls it) and the simulators'
// `go run github.com/99designs/gqlgen generate` use the same version on
// every machine.
package tools

import (
	_ "github.com/99designs/gqlgen"
)
