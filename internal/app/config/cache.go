package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/switchyard/switchyard/internal/outbound"
	"github.com/switchyard/switchyard/vendors/apptivo"
)

// Cache is the vendor read cache (see outbound.CacheOptions): on by
// default, in memory, or in Redis when SWITCHYARD_REDIS_URL is set.
type Cache struct {
	// Enabled is SWITCHYARD_CACHE (default on; 0 turns the cache off
	// entirely, and the chains are then exactly what they are without it).
	Enabled bool
	// TTL is how long a vendor reply is served without asking the vendor
	// again (SWITCHYARD_CACHE_TTL, default outbound.DefaultCacheTTL).
	TTL time.Duration
	// VendorTTL overrides TTL for one vendor, all its operations included
	// (<VENDOR>_CACHE_TTL; 0 keeps the vendor out of the cache).
	VendorTTL map[string]time.Duration
	// MaxStale is how long past its TTL a reply may still be served while
	// the vendor fails (SWITCHYARD_CACHE_MAX_STALE, default
	// outbound.DefaultCacheMaxStale; negative: never, which is what the
	// variable's 0 means).
	MaxStale time.Duration
	// MaxBytes bounds the in-memory cache (SWITCHYARD_CACHE_MAX_BYTES,
	// default outbound.DefaultCacheBytes).
	MaxBytes int64
}

// DefaultOperationTTLs are the per-operation TTLs a vendor gets unless
// its <VENDOR>_CACHE_TTL is set: Apptivo's field configuration (statuses,
// categories, industries) changes by hand in its admin UI, rarely.
var DefaultOperationTTLs = map[string]map[string]time.Duration{
	apptivo.Name: {"get config data": 10 * time.Minute},
}

// cacheOptions are vendor's outbound cache settings, without a store
// (the gateway supplies it).
func (c *Cache) cacheOptions(vendor string) outbound.CacheOptions {
	o := outbound.CacheOptions{TTL: c.TTL, MaxStale: c.MaxStale, OperationTTL: DefaultOperationTTLs[vendor]}
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

func loadCache(getenv func(string) string) (Cache, []string) {
	c := Cache{Enabled: true, VendorTTL: map[string]time.Duration{}, MaxBytes: outbound.DefaultCacheBytes}
	var errs []string
	var err error
	if c.Enabled, err = onOff(getenv, "SWITCHYARD_CACHE", true); err != nil {
		errs = append(errs, err.Error())
	}
	if c.TTL, err = duration(getenv, "SWITCHYARD_CACHE_TTL", outbound.DefaultCacheTTL); err != nil {
		errs = append(errs, err.Error())
	}
	if c.MaxStale, err = durationOrZero(getenv, "SWITCHYARD_CACHE_MAX_STALE", outbound.DefaultCacheMaxStale); err != nil {
		errs = append(errs, err.Error())
	} else if c.MaxStale == 0 {
		// "0: never" (README). The chain reads a zero MaxStale as its
		// default hour, and a negative one as none.
		c.MaxStale = -1
	}
	for _, v := range Vendors {
		name := strings.ToUpper(v) + "_CACHE_TTL"
		if getenv(name) == "" {
			continue
		}
		if c.VendorTTL[v], err = durationOrZero(getenv, name, 0); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if v := strings.TrimSpace(getenv("SWITCHYARD_CACHE_MAX_BYTES")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1<<20 {
			errs = append(errs, fmt.Sprintf("SWITCHYARD_CACHE_MAX_BYTES must be a number of bytes, at least 1048576, got %q", v))
		}
		c.MaxBytes = n
	}
	return c, errs
}

// durationOrZero is duration that also accepts 0.
func durationOrZero(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	if strings.TrimSpace(getenv(name)) == "0" {
		return 0, nil
	}
	return duration(getenv, name, def)
}
