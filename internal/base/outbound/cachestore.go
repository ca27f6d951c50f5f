package outbound

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/maypok86/otter/v2"
)

// DefaultCacheBytes bounds the in-memory response cache.
const DefaultCacheBytes = 64 << 20

// MemoryCacheStore is the CacheStore of a single replica: entries in
// process memory, bounded by their total size in bytes (least valuable
// first out, otter's W-TinyLFU) and each dropped at its TTL. It uses
// github.com/maypok86/otter/v2, a maintained cache with weight bounds and
// per-entry expiry, rather than a hand-written LRU.
type MemoryCacheStore struct {
	cache *otter.Cache[string, memEntry]
	mu    sync.Mutex
	gens  map[string]uint64
}

type memEntry struct {
	b   []byte
	ttl time.Duration
}

// NewMemoryCacheStore returns a store holding at most maxBytes of replies
// (DefaultCacheBytes when 0 or less).
func NewMemoryCacheStore(maxBytes int64) *MemoryCacheStore {
	if maxBytes <= 0 {
		maxBytes = DefaultCacheBytes
	}
	return &MemoryCacheStore{
		gens: map[string]uint64{},
		cache: otter.Must(&otter.Options[string, memEntry]{
			MaximumWeight: uint64(maxBytes),
			Weigher: func(k string, v memEntry) uint32 {
				return uint32(min(len(k)+len(v.b)+64, 1<<31))
			},
			ExpiryCalculator: otter.ExpiryWritingFunc(func(e otter.Entry[string, memEntry]) time.Duration { return e.Value.ttl }),
		}),
	}
}

func (m *MemoryCacheStore) gen(vendor string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return strconv.FormatUint(m.gens[vendor], 10)
}

// Get implements CacheStore.
func (m *MemoryCacheStore) Get(_ context.Context, vendor, key string) ([]byte, string, bool, error) {
	gen := m.gen(vendor)
	e, ok := m.cache.GetIfPresent(vendor + "\x00" + gen + "\x00" + key)
	if !ok {
		return nil, gen, false, nil
	}
	return e.b, gen, false, nil
}

// Set implements CacheStore.
func (m *MemoryCacheStore) Set(_ context.Context, vendor, gen, key string, entry []byte, ttl time.Duration) error {
	m.cache.Set(vendor+"\x00"+gen+"\x00"+key, memEntry{b: entry, ttl: ttl})
	return nil
}

// Invalidate implements CacheStore.
func (m *MemoryCacheStore) Invalidate(_ context.Context, vendor string) error {
	m.mu.Lock()
	m.gens[vendor]++
	m.mu.Unlock()
	return nil
}

// Close stops the goroutine that drops expired entries; the store must
// not be used after it.
func (m *MemoryCacheStore) Close() error {
	m.cache.StopAllGoroutines()
	return nil
}
