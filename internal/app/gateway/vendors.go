package gateway

import (
	"fmt"
	"net/http"

	"github.com/switchyard/switchyard/internal/app/config"
	"github.com/switchyard/switchyard/resolvers"
	"github.com/switchyard/switchyard/vendors/appdirect"
	"github.com/switchyard/switchyard/vendors/apptivo"
	"github.com/switchyard/switchyard/vendors/cordial"
	"github.com/switchyard/switchyard/vendors/ortto"
)

// vendorClients is the one registration list: for each vendor, how its
// client is built from the configuration on top of the vendor's outbound
// chain (hc). A vendor that is not configured gets no client, and the
// resolvers answer its fields with VENDOR_NOT_CONFIGURED.
var vendorClients = map[string]func(cfg *config.Config, hc *http.Client, c *resolvers.Clients) error{
	ortto.Name: func(cfg *config.Config, hc *http.Client, c *resolvers.Clients) (err error) {
		c.Ortto, err = ortto.New(ortto.Config{APIKey: cfg.OrttoAPIKey, Region: cfg.OrttoRegion, BaseURL: cfg.OrttoBaseURL, BatchSize: cfg.OrttoBatchSize, HTTPClient: hc})
		return err
	},
	apptivo.Name: func(cfg *config.Config, hc *http.Client, c *resolvers.Clients) (err error) {
		c.Apptivo, err = apptivo.New(apptivo.Config{APIKey: cfg.ApptivoAPIKey, AccessKey: cfg.ApptivoAccessKey, BaseURL: cfg.ApptivoBaseURL, HTTPClient: hc})
		return err
	},
	appdirect.Name: func(cfg *config.Config, hc *http.Client, c *resolvers.Clients) (err error) {
		c.AppDirect, err = appdirect.New(appdirect.Config{BaseURL: cfg.AppDirectBaseURL, ClientID: cfg.AppDirectClientID, ClientSecret: cfg.AppDirectClientSecret, HTTPClient: hc})
		return err
	},
	cordial.Name: func(cfg *config.Config, hc *http.Client, c *resolvers.Clients) (err error) {
		c.Cordial, err = cordial.New(cordial.Config{APIKey: cfg.CordialAPIKey, BaseURL: cfg.CordialBaseURL, HTTPClient: hc})
		return err
	},
}

// buildClients builds the client of every configured vendor.
func buildClients(cfg *config.Config, hcs map[string]*http.Client) (resolvers.Clients, error) {
	var c resolvers.Clients
	for _, v := range config.Vendors {
		build, ok := vendorClients[v]
		if !ok {
			return c, fmt.Errorf("vendor %s has no client registration", v)
		}
		if !cfg.Configured(v) {
			continue
		}
		if err := build(cfg, hcs[v], &c); err != nil {
			return c, fmt.Errorf("%s: %w", v, err)
		}
	}
	return c, nil
}
