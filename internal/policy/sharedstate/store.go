// Package sharedstate holds the state Switchyard's replicas share: automatic
// persisted queries (APQ) and idempotency keys. By default both live in the
// process (gqlgen's LRU and idempotency.MemoryStore), which is right for a
// single replica. With SWITCHYARD_REDIS_URL set both live in Redis, so a
// query registered on one replica is served by every other, and an
// Idempotency-Key used on one is honoured by all of them.
//
// The vendor read cache (CacheStore) moves to Redis with them; without
// Redis the gateway keeps it in memory (outbound.MemoryCacheStore). So
// does each vendor's rate budget (RateLimiter): without Redis each
// replica keeps its share of the rate.
package sharedstate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/redis/go-redis/v9"

	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/internal/policy/idempotency"
)

// Defaults for Config.
const (
	DefaultPrefix = "switchyard:"
	// DefaultAPQTTL is how long a registered query is kept in Redis after
	// its last registration. A client whose hash has expired is told
	// PersistedQueryNotFound and sends the query again, so a short TTL
	// costs a round trip, not a failure.
	DefaultAPQTTL = 24 * time.Hour
	// DefaultAPQEntries bounds the in-memory APQ cache.
	DefaultAPQEntries = 1000
	// pingTimeout bounds the connection check made by Open.
	pingTimeout = 5 * time.Second
)

// Config selects and tunes the stores. The zero value keeps everything in
// memory with the defaults.
type Config struct {
	// RedisURL switches every store to Redis when set:
	// redis://[user:password@]host:port[/db] (rediss:// for TLS). Empty
	// keeps every store in the process.
	RedisURL string `env:"SWITCHYARD_REDIS_URL"`
	// Prefix is prepended to every Redis key, so that deployments
	// (staging, production) can share one Redis. Default DefaultPrefix.
	Prefix string `env:"SWITCHYARD_REDIS_PREFIX"`
	// APQTTL is how long Redis keeps a registered query. Default
	// DefaultAPQTTL. (The in-memory cache evicts by count instead.)
	APQTTL time.Duration
	// APQEntries bounds the in-memory APQ cache. Default DefaultAPQEntries.
	APQEntries int
	// Memory bounds the in-memory idempotency store.
	Memory idempotency.MemoryOptions
}

// Secrets returns the password in RedisURL, if any, for the logger to
// scrub (logging.New's secrets).
func (c Config) Secrets() []string {
	if c.RedisURL == "" {
		return nil
	}
	opts, err := redis.ParseURL(c.RedisURL)
	if err != nil || opts.Password == "" {
		return nil
	}
	return []string{opts.Password}
}

// String describes c without the Redis password, so that printing a
// Config cannot leak it.
func (c Config) String() string {
	return fmt.Sprintf("store.Config{Redis:%s Prefix:%q APQTTL:%s APQEntries:%d}", c.describeRedis(), c.Prefix, c.APQTTL, c.APQEntries)
}

// GoString is String, for %#v.
func (c Config) GoString() string { return c.String() }

// LogValue keeps the Redis password out of structured logs.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("redis", c.describeRedis()), slog.String("prefix", c.Prefix))
}

// describeRedis names the Redis server without credentials.
func (c Config) describeRedis() string {
	if c.RedisURL == "" {
		return "none"
	}
	opts, err := redis.ParseURL(c.RedisURL)
	if err != nil {
		return "invalid URL"
	}
	scheme := "redis"
	if opts.TLSConfig != nil {
		scheme = "rediss"
	}
	return fmt.Sprintf("%s://%s/%d", scheme, opts.Addr, opts.DB)
}

func (c Config) withDefaults() Config {
	if c.Prefix == "" {
		c.Prefix = DefaultPrefix
	}
	if c.APQTTL <= 0 {
		c.APQTTL = DefaultAPQTTL
	}
	if c.APQEntries <= 0 {
		c.APQEntries = DefaultAPQEntries
	}
	return c
}

// Stores are the shared stores the gateway is built with.
type Stores struct {
	// APQ holds automatic persisted queries, keyed by the query's SHA-256
	// in hex.
	APQ graphql.Cache[string]
	// Idempotency holds idempotency keys.
	Idempotency idempotency.Store
	// Cache holds cached vendor replies when they are shared (Redis); nil
	// leaves the gateway to keep them in memory.
	Cache outbound.CacheStore
	// Generations is each vendor's write generation shared by replicas
	// (Redis, the cache's own generation), so that a read never shares a
	// call in flight that began before another replica's write; nil
	// leaves each replica to fence its reads by its own writes.
	Generations outbound.Generations
	// RateLimiter is the vendors' rate budget shared by replicas (Redis);
	// nil leaves each replica to keep its share.
	RateLimiter outbound.SharedLimiter
	// Shared is true when the stores are in Redis, shared by replicas.
	Shared bool

	client     *redis.Client // nil in memory
	guard      *guard
	durability durabilityCheck

	desc      string
	close     func() error
	closeOnce sync.Once
	closeErr  error
}

// Open builds the stores cfg names. With a Redis URL it connects and pings
// Redis, failing fast (a wrong URL or an unreachable server is a startup
// error, not a surprise at the first request); Close closes the client.
// Errors never contain the URL, which may hold a password.
func Open(ctx context.Context, cfg Config, logger *slog.Logger) (*Stores, error) {
	if logger == nil {
		logger = slog.Default()
	}
	cfg = cfg.withDefaults()
	if cfg.RedisURL == "" {
		mem := idempotency.NewMemoryStore(cfg.Memory)
		return &Stores{
			APQ:         lru.New[string](cfg.APQEntries),
			Idempotency: mem,
			desc:        "in memory (this replica only)",
			close:       mem.Close,
		}, nil
	}
	// go-redis logs pool trouble (failed dials) itself, to stderr by
	// default; route it through the gateway's logger, which is structured
	// and scrubs secrets. The setting is process-wide, as the client's is.
	redis.SetLogger(redisLogger{logger})
	client, err := Connect(ctx, cfg.RedisURL)
	if err != nil {
		return nil, err
	}
	g := newGuard(logger)
	client.AddHook(g)
	cache := NewCacheStore(client, cfg.Prefix)
	st := &Stores{
		APQ:         NewAPQCache(client, APQOptions{Prefix: cfg.Prefix, TTL: cfg.APQTTL, Logger: logger}),
		Idempotency: NewIdempotencyStore(client, cfg.Prefix),
		Cache:       cache,
		Generations: cache,
		RateLimiter: NewRateLimiter(client, cfg.Prefix),
		Shared:      true,
		client:      client,
		guard:       g,
		desc:        fmt.Sprintf("redis %s, key prefix %q (shared by replicas)", cfg.describeRedis(), cfg.Prefix),
		close:       client.Close,
	}
	switch d := st.durability.check(ctx, client); {
	case !d.Survives():
		logger.Warn("redis persistence is off: a Redis restart forgets idempotency keys, so a keyed mutation retried after one may run twice; run Redis with appendonly yes (RELIABILITY.md, Exactly once)", "durability", d.String())
	case !d.ExactlyOnce():
		logger.Info("redis persistence: idempotency keys survive a Redis restart or crash; a host crash may lose the last writes (appendfsync always keeps them too)", "durability", d.String())
	}
	return st, nil
}

// Connect parses a redis:// or rediss:// URL, connects and pings. The
// caller closes the client.
func Connect(ctx context.Context, rawURL string) (*redis.Client, error) {
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		// url.Parse errors quote the input, password and all.
		return nil, errors.New("SWITCHYARD_REDIS_URL is not a valid redis:// or rediss:// URL (the value is not shown: it may hold a password)")
	}
	// Every call bounded: by its context (which go-redis honours only with
	// ContextTimeoutEnabled), else by the I/O timeouts (see IOTimeout).
	opts.ContextTimeoutEnabled = true
	if opts.DialTimeout == 0 {
		opts.DialTimeout = DialTimeout
	}
	if opts.ReadTimeout == 0 {
		opts.ReadTimeout = IOTimeout
	}
	if opts.WriteTimeout == 0 {
		opts.WriteTimeout = IOTimeout
	}
	if opts.PoolTimeout == 0 {
		opts.PoolTimeout = IOTimeout
	}
	if opts.MaxRetries == 0 {
		// One retry (a pooled connection Redis closed while idle), not
		// go-redis's three with backoff: a Redis that is down is the
		// breaker's to judge, at once.
		opts.MaxRetries = 1
	}
	client := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("redis at %s does not answer: %w", opts.Addr, redactErr(err, opts.Password))
	}
	return client, nil
}

// redactErr hides password in err's text. Redis's own errors (WRONGPASS)
// do not echo it, but this keeps that true whatever the error.
func redactErr(err error, password string) error {
	if password == "" || !strings.Contains(err.Error(), password) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), password, "[redacted]"))
}

// Describe says where the stores are, without credentials, for the
// startup log.
func (s *Stores) Describe() string { return s.desc }

// Close releases the stores: the Redis client or the memory store's
// janitor. Safe to call more than once.
func (s *Stores) Close() error {
	if s == nil || s.close == nil {
		return nil
	}
	s.closeOnce.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

// redisLogger adapts slog for go-redis's internal logging.
type redisLogger struct{ l *slog.Logger }

func (r redisLogger) Printf(ctx context.Context, format string, v ...any) {
	r.l.WarnContext(ctx, "redis client: "+fmt.Sprintf(format, v...))
}
