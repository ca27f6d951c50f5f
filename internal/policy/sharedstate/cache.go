package sharedstate

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// CacheStore is the vendor read cache in Redis (outbound.CacheStore),
// shared by every replica: a reply one replica fetched is served by all,
// and a mutation on one replica invalidates the vendor's entries on all.
//
// Each vendor has a generation counter, <prefix>cache:<vendor>:gen;
// entries live under <prefix>cache:<vendor>:<generation>:<key>, where key
// is already a SHA-256 (no credential or URL is in a key). Invalidate is
// one INCR: every older entry becomes unreachable at once and expires on
// its own TTL. Get reads the generation and the entry in one script, so a
// lookup is one round trip.
type CacheStore struct {
	client redis.UniversalClient
	prefix string
}

// NewCacheStore returns the cache store on client, its keys under prefix.
func NewCacheStore(client redis.UniversalClient, prefix string) *CacheStore {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return &CacheStore{client: client, prefix: prefix + "cache:"}
}

var _ outbound.CacheStore = (*CacheStore)(nil)

// cacheGet returns {generation, entry or nil}.
var cacheGet = redis.NewScript(`
local g = redis.call('GET', KEYS[1]) or '0'
return {g, redis.call('GET', ARGV[1] .. g .. ':' .. ARGV[2])}
`)

func (s *CacheStore) genKey(vendor string) string { return s.prefix + vendor + ":gen" }

// Get implements outbound.CacheStore.
func (s *CacheStore) Get(ctx context.Context, vendor, key string) ([]byte, string, error) {
	res, err := cacheGet.Run(ctx, s.client, []string{s.genKey(vendor)}, s.prefix+vendor+":", key).Slice()
	if err != nil {
		return nil, "", err
	}
	if len(res) < 1 {
		return nil, "", errors.New("cache script: short reply")
	}
	gen, _ := res[0].(string)
	if len(res) < 2 || res[1] == nil {
		return nil, gen, nil
	}
	entry, _ := res[1].(string)
	return []byte(entry), gen, nil
}

// cacheSet stores the entry only while its generation is still the
// vendor's current one: a reply fetched across another replica's write
// is never written at all (it would be unreachable, but would take
// memory until its TTL).
var cacheSet = redis.NewScript(`
if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 1
`)

// Set implements outbound.CacheStore.
func (s *CacheStore) Set(ctx context.Context, vendor, gen, key string, entry []byte, ttl time.Duration) error {
	return cacheSet.Run(ctx, s.client, []string{s.genKey(vendor), s.prefix + vendor + ":" + gen + ":" + key}, gen, entry, ttl.Milliseconds()).Err()
}

// Invalidate implements outbound.CacheStore.
func (s *CacheStore) Invalidate(ctx context.Context, vendor string) error {
	return s.client.Incr(ctx, s.genKey(vendor)).Err()
}

var _ outbound.Generations = (*CacheStore)(nil)

// Current implements outbound.Generations: the generation Get reads, for
// dedup on a chain that does not cache the vendor.
func (s *CacheStore) Current(ctx context.Context, vendor string) (string, error) {
	g, err := s.client.Get(ctx, s.genKey(vendor)).Result()
	if errors.Is(err, redis.Nil) {
		return "0", nil
	}
	return g, err
}

// Advance implements outbound.Generations: the same move as Invalidate,
// so that a write fences reads on every replica whether or not they cache
// the vendor.
func (s *CacheStore) Advance(ctx context.Context, vendor string) error {
	return s.Invalidate(ctx, vendor)
}
