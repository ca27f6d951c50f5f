package gateway

import (
	"bytes"
	"net/http"

	"github.com/vektah/gqlparser/v2/formatter"
)

// SDL prints the schema the gateway serves. It is what GET /schema.graphql
// returns and what graph/schema.graphql holds for codegen clients.
func (g *Gateway) SDL() string {
	g.sdlOnce.Do(func() {
		var buf bytes.Buffer
		schema := g.schema.Schema()
		if _, ok := schema.Types["Subscription"]; ok && schema.Subscription == nil {
			// The formatter leaves out a schema block whose roots have
			// the default names, but a reader of the SDL would then take
			// Ortto's Subscription type for the subscription root.
			buf.WriteString("schema {\n\tquery: " + schema.Query.Name + "\n\tmutation: " + schema.Mutation.Name + "\n}\n\n")
		}
		formatter.NewFormatter(&buf, formatter.WithComments()).FormatSchema(schema)
		g.sdl = buf.String()
	})
	return g.sdl
}

func (g *Gateway) serveSDL(w http.ResponseWriter, _ *http.Request) {
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
