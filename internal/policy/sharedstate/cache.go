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

// cacheGet returns {generation, writes in flight, entry or nil}. Writes
// in flight are members of <vendor>:writing, a sorted set scored by when
// each mark expires (a replica that died mid-write leaves one that ends
// on its own); expired ones are dropped first, by Redis's clock.
var cacheGet = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local g = redis.call('GET', KEYS[1]) or '0'
return {g, redis.call('ZCARD', KEYS[2]), redis.call('GET', ARGV[1] .. g .. ':' .. ARGV[2])}
`)

func (s *CacheStore) genKey(vendor string) string     { return s.prefix + vendor + ":gen" }
func (s *CacheStore) writingKey(vendor string) string { return s.prefix + vendor + ":writing" }

// Get implements outbound.CacheStore.
func (s *CacheStore) Get(ctx context.Context, vendor, key string) ([]byte, string, bool, error) {
	res, err := cacheGet.Run(ctx, s.client, []string{s.genKey(vendor), s.writingKey(vendor)}, s.prefix+vendor+":", key).Slice()
	if err != nil {
		return nil, "", false, err
	}
	if len(res) < 2 {
		return nil, "", false, errors.New("cache script: short reply")
	}
	gen, _ := res[0].(string)
	writing, _ := res[1].(int64)
	if len(res) < 3 || res[2] == nil {
		return nil, gen, writing > 0, nil
	}
	entry, _ := res[2].(string)
	return []byte(entry), gen, writing > 0, nil
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

// currentScript is cacheGet without the entry.
var currentScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
return {redis.call('GET', KEYS[1]) or '0', redis.call('ZCARD', KEYS[2])}
`)

// Current implements outbound.Generations: the generation and the writes
// in flight Get reads, for a chain that does not cache the vendor.
func (s *CacheStore) Current(ctx context.Context, vendor string) (string, bool, error) {
	res, err := currentScript.Run(ctx, s.client, []string{s.genKey(vendor), s.writingKey(vendor)}).Slice()
	if err != nil {
		return "", false, err
	}
	if len(res) < 2 {
		return "", false, errors.New("generation script: short reply")
	}
	gen, _ := res[0].(string)
	writing, _ := res[1].(int64)
	return gen, writing > 0, nil
}

// beginScript moves the generation on and marks the write in flight until
// it ends or its mark expires. ARGV id, mark's TTL in ms.
var beginScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
return 1
`)

// endScript clears the write's mark and moves the generation on.
var endScript = redis.NewScript(`
redis.call('ZREM', KEYS[2], ARGV[1])
return redis.call('INCR', KEYS[1])
`)

// BeginWrite implements outbound.Generations.
func (s *CacheStore) BeginWrite(ctx context.Context, vendor, id string, ttl time.Duration) error {
	return beginScript.Run(ctx, s.client, []string{s.genKey(vendor), s.writingKey(vendor)}, id, max(ttl.Milliseconds(), 1)).Err()
}

// EndWrite implements outbound.Generations.
func (s *CacheStore) EndWrite(ctx context.Context, vendor, id string) error {
	return endScript.Run(ctx, s.client, []string{s.genKey(vendor), s.writingKey(vendor)}, id).Err()
}
