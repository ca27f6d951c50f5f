// Package goclient is an example Go client of Switchyard, generated with
// genqlient from the published SDL (graph/schema.graphql) and the
// operations in operations.graphql. Its test runs every operation against
// an in-process sandbox, so a schema change that breaks a generated client
// fails `go test ./...`.
//
// Regenerate after changing the SDL or the operations:
//
//	cd examples/goclient && go generate
package goclient

//go:generate go run github.com/Khan/genqlient
