package config

import (
	"time"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// Cache is the vendor read cache (see outbound.CacheOptions): on by
// default, in memory, or in Redis when SWITCHYARD_REDIS_URL is set.
type Cache struct {
	// Enabled is SWITCHYARD_CACHE (default on; off turns the cache off
	// entirely, and the chains are then exactly what they are without it).
	Enabled bool `env:"SWITCHYARD_CACHE"`
	// TTL is how long a vendor reply is served without asking the vendor
	// again (default outbound.DefaultCacheTTL).
	TTL time.Duration `env:"SWITCHYARD_CACHE_TTL"`
	// VendorTTL overrides TTL for one vendor, all its operations included
	// (<VENDOR>_CACHE_TTL; 0 keeps the vendor out of the cache).
	VendorTTL map[string]time.Duration
	// MaxStale is how long past its TTL a reply may still be served while
	// the vendor fails (default outbound.DefaultCacheMaxStale; negative:
	// never, which is what the variable's 0 means, set so by Load).
	MaxStale time.Duration `env:"SWITCHYARD_CACHE_MAX_STALE" min:"0"`
	// MaxBytes bounds the in-memory cache (default
	// outbound.DefaultCacheBytes).
	MaxBytes int64 `env:"SWITCHYARD_CACHE_MAX_BYTES" min:"1048576"`
	// OperationTTLs are the per-operation TTLs each vendor declares
	// (vendorkit.Module.OperationTTLs), used unless its <VENDOR>_CACHE_TTL
	// is set.
	OperationTTLs map[string]map[string]time.Duration
}

// cacheOptions are vendor's outbound cache settings, without a store
// (the gateway supplies it).
func (c *Cache) cacheOptions(vendor string) outbound.CacheOptions {
	o := outbound.CacheOptions{TTL: c.TTL, MaxStale: c.MaxStale, OperationTTL: c.OperationTTLs[vendor]}
	if d, ok := c.VendorTTL[vendor]; ok {
		o.TTL, o.OperationTTL = d, nil
	}
	return o
}

// On reports whether vendor's reads are cached: the cache is enabled and
// the vendor's TTL is not 0.
func (c *Cache) On(vendor string) bool {
	d, set := c.VendorTTL[vendor]
	return c.Enabled && (!set || d > 0)
}

// HTTPMaxAge is the most max-age HTTP caching may announce, 0 for no
// limit beyond the @cacheControl hints: when the operator shortened the
// read cache's TTL (SWITCHYARD_CACHE_TTL below its default, or a
// vendor's <VENDOR>_CACHE_TTL), the shortest of them, so that browsers
// and CDNs do not keep data longer than the gateway itself would.
func (c *Cache) HTTPMaxAge() time.Duration {
	if !c.Enabled {
		return 0
	}
	var limit time.Duration
	if c.TTL < outbound.DefaultCacheTTL {
		limit = c.TTL
	}
	for _, d := range c.VendorTTL {
		if d > 0 && (limit == 0 || d < limit) {
			limit = d
		}
	}
	return limit
}
