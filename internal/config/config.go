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
	"time"
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

	// RequestTimeout bounds one client request end to end
	// (SWITCHYARD_REQUEST_TIMEOUT, default 10s).
	RequestTimeout time.Duration
	// VendorTimeouts bound one call to each vendor (ORTTO_TIMEOUT,
	// APPTIVO_TIMEOUT, APPDIRECT_TIMEOUT, CORDIAL_TIMEOUT, default 5s).
	VendorTimeouts map[string]time.Duration
	// OrttoBatchSize is the most people per Ortto subscriptions call
	// (ORTTO_BATCH_SIZE, default and maximum 100, Ortto's payload cap).
	OrttoBatchSize int
}

// Defaults for the durations and sizes above.
const (
	DefaultRequestTimeout = 10 * time.Second
	DefaultVendorTimeout  = 5 * time.Second
	MaxOrttoBatchSize     = 100
)

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
	var errs []string
	var err error
	if c.RequestTimeout, err = duration(getenv, "SWITCHYARD_REQUEST_TIMEOUT", DefaultRequestTimeout); err != nil {
		errs = append(errs, err.Error())
	}
	c.VendorTimeouts = map[string]time.Duration{}
	for _, v := range Vendors {
		if c.VendorTimeouts[v], err = duration(getenv, strings.ToUpper(v)+"_TIMEOUT", DefaultVendorTimeout); err != nil {
			errs = append(errs, err.Error())
		}
	}
	c.OrttoBatchSize = MaxOrttoBatchSize
	if b := getenv("ORTTO_BATCH_SIZE"); b != "" {
		n, err := strconv.Atoi(b)
		if err != nil || n < 1 || n > MaxOrttoBatchSize {
			errs = append(errs, fmt.Sprintf("ORTTO_BATCH_SIZE must be 1..%d, got %q", MaxOrttoBatchSize, b))
		}
		c.OrttoBatchSize = n
	}
	if len(errs) > 0 {
		return nil, errors.New(strings.Join(errs, "; "))
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

// duration reads a Go duration such as 300ms from name, or def when unset.
func duration(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s must be a positive Go duration such as 300ms or 5s, got %q", name, v)
	}
	return d, nil
}
