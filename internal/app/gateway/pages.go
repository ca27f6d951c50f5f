package gateway

import (
	"net/http"

	"github.com/switchyard/switchyard/graph/sdl"
	"github.com/switchyard/switchyard/internal/policy/errcode"
	"github.com/switchyard/switchyard/internal/policy/querylimits"
)

// SDL prints the client schema the gateway serves: the executable schema
// without the federation machinery a router reads from _service (see
// graph/sdl). It is what GET /schema.graphql returns and what
// graph/schema.graphql holds for codegen clients.
func (g *Gateway) SDL() string {
	g.sdlOnce.Do(func() { g.sdl = sdl.ClientSDL(g.schema.Schema()) })
	return g.sdl
}

// serveSDL publishes the schema only where introspection is on: the SDL
// is the same information, and a production gateway keeps both to itself.
func (g *Gateway) serveSDL(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"errors": []map[string]any{{
			"message": "the schema is read with GET", "extensions": map[string]any{"code": errcode.BadRequest},
		}}})
		return
	}
	if !g.introspection {
		writeJSON(w, http.StatusNotFound, map[string]any{"errors": []map[string]any{{
			"message":    "the schema is not published: introspection is disabled on this gateway",
			"extensions": map[string]any{"code": querylimits.IntrospectionDisabled},
		}}})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(g.SDL()))
}

// DefaultQuery is what GraphiQL opens with: one query across all four
// vendors, resolved concurrently.
const DefaultQuery = `# Switchyard: one query, four vendors, resolved concurrently.
query Overview {
  accounts(first: 3) {            # AppDirect (GraphQL, only these fields are forwarded)
    totalCount
    nodes { id name status }
  }
  customers(first: 3) {           # Apptivo
    nodes {
      name
      primaryEmail
      person {                    # Ortto, batched into one call
        subscriptions { audienceName subscribed }
      }
    }
  }
  accountLists {                  # Cordial
    id
    name
    contactCount
  }
}
`
