// Package vendorkit is the contract between a vendor package and the
// gateway: each vendors/<name> package exports one Module value carrying
// everything the gateway needs of it (its descriptor, its configuration
// variables and the rule that says it is configured, its constructor, its
// cache TTLs, its rate limit and the cost of each of its schema fields),
// and the gateway's registry (internal/app/registry) lists those values,
// as database/sql lists drivers and Caddy lists modules, but in one
// explicit list rather than through init side effects, so that reading
// one file shows every vendor a build carries.
//
// Config, sandbox, gateway, the query limits, the cost plan, telemetry
// and GraphiQL iterate that list; none of them names a vendor. The
// simulator a vendor ships is paired with its Module in the registry line
// (a vendor client never imports its simulator; see ARCHITECTURE.md).
//
// The package sits beside internal/base/outbound, under everything that uses
// it, and imports nothing of ours but outbound.
package vendorkit

import (
	"net/http"
	"time"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// Module is everything the gateway needs of one vendor.
type Module struct {
	// Vendor is the descriptor its outbound chain reads replies with.
	// Vendor.Name names the vendor everywhere: errors, metrics, spans, the
	// prefix of its variables (upper-cased, then "_"), the simulator's path.
	Vendor outbound.Vendor
	// Config returns a fresh configuration holding the vendor's defaults:
	// a pointer to a struct whose exported fields tagged `env:"NAME"` are
	// its variables, read below the prefix <NAME>_ by the gateway's one
	// parser (internal/app/config), `env:"NAME,secret"` marking a
	// credential (scrubbed from logs, never echoed in errors).
	Config func() Config
	// RateLimit is the vendor's documented requests per second, the
	// default of <NAME>_RATE_LIMIT; 0 when it publishes none.
	RateLimit float64
	// OperationTTLs are per-operation read-cache TTLs, keyed by the
	// operation names its client gives NewRequest, used unless
	// <NAME>_CACHE_TTL is set.
	OperationTTLs map[string]time.Duration
	// Examples are the GraphiQL tabs that show the vendor's fields.
	Examples []Example
}

// Name is the vendor's name, Vendor.Name.
func (m Module) Name() string { return m.Vendor.Name }

// Config is one vendor's parsed configuration.
type Config interface {
	// Configured reports whether the vendor has the credentials it needs:
	// a vendor that is not configured gets no client, and its fields
	// answer VENDOR_NOT_CONFIGURED.
	Configured() bool
	// Check refuses a partial configuration (some credentials of a set
	// without the others), naming the variables, never their values.
	Check() error
	// NewClient builds the vendor's client over hc, the vendor's outbound
	// chain. It fails on a configuration the vendor would refuse, so that
	// a mistake shows at start-up.
	NewClient(hc *http.Client) (any, error)
	// Costs are the costs of the schema fields that call this vendor,
	// keyed "Type.field", under this configuration (a batch size changes
	// how many calls a list takes). Every schema field that may call a
	// vendor has exactly one entry in some vendor's Costs; the gateway
	// refuses to start otherwise.
	Costs() map[string]Cost
}

// Example is one GraphiQL tab.
type Example struct {
	// Name is the tab's title and the name of its one operation.
	Name, Query string
	// Variables is a JSON object, or "".
	Variables string
}
