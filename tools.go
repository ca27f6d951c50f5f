//go:build tools

// Package tools pins the gqlgen code generator in go.mod, so that
// `go run github.com/99designs/gqlgen generate` uses the same version on
// every machine.
package tools

import (
	_ "github.com/99designs/gqlgen"
)
