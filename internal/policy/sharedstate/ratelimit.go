package sharedstate

import (
	"context"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// RateLimiter is outbound.SharedLimiter in Redis: one rate budget per
// vendor for every replica, so that replicas sharing a vendor account
// send it its published rate between them, not that rate each.
//
// It is go-redis's redis_rate (GCRA in one Lua script, on Redis's clock,
// so the replicas' clocks do not matter) rather than a script of our own:
// the algorithm is subtle at the edges (burst, refill, expiry), and the
// library is maintained alongside the client we already use. Its keys are
// rate:<prefix>ratelimit:<vendor>; redis_rate puts its own "rate:" first,
// and each expires once its bucket is full again.
type RateLimiter struct {
	limiter *redis_rate.Limiter
	prefix  string
}

// NewRateLimiter returns the shared rate budget on client, keyed under
// prefix.
func NewRateLimiter(client redis.UniversalClient, prefix string) *RateLimiter {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return &RateLimiter{limiter: redis_rate.NewLimiter(client), prefix: prefix + "ratelimit:"}
}

var _ outbound.SharedLimiter = (*RateLimiter)(nil)

// Reserve implements outbound.SharedLimiter: it takes a token if one is
// free, and otherwise says when the next one will be.
func (r *RateLimiter) Reserve(ctx context.Context, vendor string, perSecond float64, burst int) (time.Duration, error) {
	res, err := r.limiter.Allow(ctx, r.prefix+vendor, limitOf(perSecond, burst))
	if err != nil {
		return 0, err
	}
	if res.Allowed > 0 {
		return 0, nil
	}
	// A refusal always has a wait; a clock edge must not read as a grant.
	return max(res.RetryAfter, time.Millisecond), nil
}

// limitOf is perSecond with burst as a redis_rate limit. Its rates are
// whole events per period, so a fractional rate (2.5 req/s) is one event
// per 1/perSecond: the GCRA depends only on that interval and the burst.
func limitOf(perSecond float64, burst int) redis_rate.Limit {
	return redis_rate.Limit{Rate: 1, Burst: max(burst, 1), Period: time.Duration(float64(time.Second) / perSecond)}
}
