package gateway

import (
	"fmt"
	"net/http"

	"github.com/switchyard/switchyard/internal/app/config"
	"github.com/switchyard/switchyard/resolvers"
)

// buildClients builds the client of every configured vendor of cfg's
// modules over its outbound chain (hcs, by name). A vendor that is not
// configured gets no client, and the resolvers answer its fields with
// VENDOR_NOT_CONFIGURED.
func buildClients(cfg *config.Config, hcs map[string]*http.Client) (resolvers.Clients, error) {
	clients := map[string]any{}
	for _, m := range cfg.Modules {
		v := m.Name()
		if !cfg.Configured(v) {
			continue
		}
		c, err := cfg.VendorConfig[v].NewClient(hcs[v])
		if err != nil {
			return resolvers.Clients{}, fmt.Errorf("%s: %w", v, err)
		}
		clients[v] = c
	}
	return resolvers.NewClients(clients), nil
}
