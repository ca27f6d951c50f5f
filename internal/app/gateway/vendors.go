package gateway

import (
	"fmt"
	"net/http"

	"github.com/switchyard/switchyard/internal/app/config"
	"github.com/switchyard/switchyard/internal/outbound"
	"github.com/switchyard/switchyard/resolvers"
	"github.com/switchyard/switchyard/vendors/appdirect"
	"github.com/switchyard/switchyard/vendors/apptivo"
	"github.com/switchyard/switchyard/vendors/cordial"
	"github.com/switchyard/switchyard/vendors/ortto"
)

// registration is what the gateway needs of one vendor: its descriptor,
// which its outbound chain reads replies with, and how its client is built
// from the configuration on top of that chain (hc).
type registration struct {
	descriptor outbound.Vendor
	client     func(cfg *config.Config, hc *http.Client, c *resolvers.Clients) error
}

// vendors is the one registration list, keyed by vendor name. A vendor
// that is not configured gets no client, and the resolvers answer its
// fields with VENDOR_NOT_CONFIGURED.
var vendors = map[string]registration{
	ortto.Name: {ortto.Vendor, func(cfg *config.Config, hc *http.Client, c *resolvers.Clients) (err error) {
		c.Ortto, err = ortto.New(ortto.Config{APIKey: cfg.OrttoAPIKey, Region: cfg.OrttoRegion, BaseURL: cfg.OrttoBaseURL, BatchSize: cfg.OrttoBatchSize, HTTPClient: hc})
		return err
	}},
	apptivo.Name: {apptivo.Vendor, func(cfg *config.Config, hc *http.Client, c *resolvers.Clients) (err error) {
		c.Apptivo, err = apptivo.New(apptivo.Config{APIKey: cfg.ApptivoAPIKey, AccessKey: cfg.ApptivoAccessKey, BaseURL: cfg.ApptivoBaseURL, HTTPClient: hc})
		return err
	}},
	appdirect.Name: {appdirect.Vendor, func(cfg *config.Config, hc *http.Client, c *resolvers.Clients) (err error) {
		c.AppDirect, err = appdirect.New(appdirect.Config{BaseURL: cfg.AppDirectBaseURL, ClientID: cfg.AppDirectClientID, ClientSecret: cfg.AppDirectClientSecret, GraphQLPath: cfg.AppDirectGraphQLPath, PreviewGraphQLPath: cfg.AppDirectPreviewGraphQLPath, HTTPClient: hc})
		return err
	}},
	cordial.Name: {cordial.Vendor, func(cfg *config.Config, hc *http.Client, c *resolvers.Clients) (err error) {
		c.Cordial, err = cordial.New(cordial.Config{APIKey: cfg.CordialAPIKey, BaseURL: cfg.CordialBaseURL, HTTPClient: hc})
		return err
	}},
}

// buildClients builds the client of every configured vendor.
func buildClients(cfg *config.Config, hcs map[string]*http.Client) (resolvers.Clients, error) {
	var c resolvers.Clients
	for _, v := range config.Vendors {
		reg, ok := vendors[v]
		if !ok {
			return c, fmt.Errorf("vendor %s has no registration", v)
		}
		if !cfg.Configured(v) {
			continue
		}
		if err := reg.client(cfg, hcs[v], &c); err != nil {
			return c, fmt.Errorf("%s: %w", v, err)
		}
	}
	return c, nil
}
