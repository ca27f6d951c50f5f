//go:build tools

package goclient

// Keeps the genqlient generator (not just its runtime package) in go.mod,
// so that `go run github.com/Khan/genqlient` uses the pinned version.
import _ "github.com/Khan/genqlient"
