// Package config reads Switchyard's configuration from the environment and
// decides between the sandbox and real vendors. It holds no behaviour
// beyond that decision, so that the rules (never mix simulated and real
// vendors, never sandbox in production) live in one place and are tested.
package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Vendor names, used as keys everywhere (metrics, errors, simulators).
const (
	Ortto     = "ortto"
	Apptivo   = "apptivo"
	AppDirect = "appdirect"
	Cordial   = "cordial"
)

// Vendors lists every vendor in a stable order.
var Vendors = []string{Ortto, Apptivo, AppDirect, Cordial}

// Config is the whole gateway configuration.
type Config struct {
	Port       int
	Production bool // SWITCHYARD_ENV=production
	Sandbox    bool // decided by Load: no vendor configured, or SWITCHYARD_SANDBOX=1

	OrttoAPIKey, OrttoRegion, OrttoBaseURL   string
	ApptivoAPIKey, ApptivoAccessKey          string
	ApptivoBaseURL                           string
	AppDirectBaseURL                         string
	AppDirectClientID, AppDirectClientSecret string
	CordialAPIKey, CordialBaseURL            string
}

// Configured reports whether vendor has credentials.
func (c *Config) Configured(vendor string) bool {
	switch vendor {
	case Ortto:
		return c.OrttoAPIKey != ""
	case Apptivo:
		return c.ApptivoAPIKey != "" && c.ApptivoAccessKey != ""
	case AppDirect:
		return c.AppDirectBaseURL != "" && c.AppDirectClientID != "" && c.AppDirectClientSecret != ""
	case Cordial:
		return c.CordialAPIKey != ""
	}
	return false
}

// Load reads the configuration through getenv (os.Getenv in production,
// a map in tests).
func Load(getenv func(string) string) (*Config, error) {
	c := &Config{
		Port:                  8080,
		Production:            strings.EqualFold(getenv("SWITCHYARD_ENV"), "production"),
		OrttoAPIKey:           getenv("ORTTO_API_KEY"),
		OrttoRegion:           getenv("ORTTO_REGION"),
		OrttoBaseURL:          getenv("ORTTO_BASE_URL"),
		ApptivoAPIKey:         getenv("APPTIVO_API_KEY"),
		ApptivoAccessKey:      getenv("APPTIVO_ACCESS_KEY"),
		ApptivoBaseURL:        getenv("APPTIVO_BASE_URL"),
		AppDirectBaseURL:      getenv("APPDIRECT_BASE_URL"),
		AppDirectClientID:     getenv("APPDIRECT_CLIENT_ID"),
		AppDirectClientSecret: getenv("APPDIRECT_CLIENT_SECRET"),
		CordialAPIKey:         getenv("CORDIAL_API_KEY"),
		CordialBaseURL:        getenv("CORDIAL_BASE_URL"),
	}
	if p := getenv("PORT"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 65535 {
			return nil, fmt.Errorf("PORT must be a port number, got %q", p)
		}
		c.Port = n
	}
	var partial []string
	if (c.ApptivoAPIKey == "") != (c.ApptivoAccessKey == "") {
		partial = append(partial, "apptivo needs both APPTIVO_API_KEY and APPTIVO_ACCESS_KEY")
	}
	adSet := 0
	for _, v := range []string{c.AppDirectBaseURL, c.AppDirectClientID, c.AppDirectClientSecret} {
		if v != "" {
			adSet++
		}
	}
	if adSet != 0 && adSet != 3 {
		partial = append(partial, "appdirect needs APPDIRECT_BASE_URL, APPDIRECT_CLIENT_ID and APPDIRECT_CLIENT_SECRET")
	}
	if len(partial) > 0 {
		return nil, errors.New("incomplete vendor configuration: " + strings.Join(partial, "; "))
	}
	any := false
	for _, v := range Vendors {
		any = any || c.Configured(v)
	}
	forced := getenv("SWITCHYARD_SANDBOX")
	switch {
	case forced == "1" || strings.EqualFold(forced, "true"):
		c.Sandbox = true
	case !any:
		c.Sandbox = true
	}
	if c.Sandbox && c.Production {
		return nil, errors.New("SWITCHYARD_ENV=production refuses to start in sandbox mode: configure vendor credentials (see README)")
	}
	return c, nil
}
