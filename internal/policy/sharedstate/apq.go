package sharedstate

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/redis/go-redis/v9"
)

// APQOptions tune an APQCache. Zero values take the defaults.
type APQOptions struct {
	// Prefix is prepended to every key ("<prefix>apq:<hash>"). Default
	// DefaultPrefix.
	Prefix string
	// TTL is how long a query is kept after it was last registered.
	// Default DefaultAPQTTL.
	TTL    time.Duration
	Logger *slog.Logger
}

// APQCache is a graphql.Cache[string] in Redis for gqlgen's
// extension.AutomaticPersistedQuery: hash to query text, with a TTL.
//
// A cache may forget, so Redis failures are not request failures: a failed
// Get is a miss (the client is told PersistedQueryNotFound and sends the
// query in full) and a failed Add is logged and dropped (the request runs
// with the text it sent). Neither logs the query text.
type APQCache struct {
	client redis.UniversalClient
	opts   APQOptions
}

var _ graphql.Cache[string] = (*APQCache)(nil)

// NewAPQCache returns an APQCache over client, which the caller closes.
func NewAPQCache(client redis.UniversalClient, opts APQOptions) *APQCache {
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if opts.TTL <= 0 {
		opts.TTL = DefaultAPQTTL
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &APQCache{client: client, opts: opts}
}

// Get returns the query registered under hash. Anything that is not a hex
// SHA-256 (the client chooses the string) is a miss without a Redis call.
func (c *APQCache) Get(ctx context.Context, hash string) (string, bool) {
	if !isSHA256Hex(hash) {
		return "", false
	}
	q, err := c.client.Get(ctx, c.key(hash)).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return "", false
	case err != nil:
		c.opts.Logger.WarnContext(ctx, "apq cache unavailable; treated as a miss", "op", "get", "hash", hash[:12], "err", err)
		return "", false
	}
	return q, true
}

// Add registers query under hash for the TTL. gqlgen calls it only after
// checking that hash is the query's SHA-256.
func (c *APQCache) Add(ctx context.Context, hash, query string) {
	if !isSHA256Hex(hash) {
		return
	}
	// The registration outlives the request that makes it: a client that
	// hangs up after sending must not leave it half done.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), pingTimeout)
	defer cancel()
	if err := c.client.Set(ctx, c.key(hash), query, c.opts.TTL).Err(); err != nil {
		c.opts.Logger.WarnContext(ctx, "apq cache unavailable; query not registered", "op", "add", "hash", hash[:12], "err", err)
	}
}

func (c *APQCache) key(hash string) string { return c.opts.Prefix + "apq:" + hash }

// isSHA256Hex reports whether s is 64 lower- or upper-case hex digits.
func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := range len(s) {
		switch c := s[i]; {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
		default:
			return false
		}
	}
	return true
}
