package outbound

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// SharedLimiter is a vendor's rate budget shared by every replica of the
// gateway (sharedstate.RateLimiter keeps it in Redis). A vendor's limit
// is per account, not per process: three replicas each sending Ortto its
// 10 req/s send 30, and every one of them earns 429s. With a
// SharedLimiter the limit layer takes each request's token from the one
// budget, after the request's turn has come in its replica's fair queue.
//
// Reserve takes one token from vendor's budget of perSecond requests per
// second with burst: a zero wait means the token is taken and the request
// may go; a positive wait means none was free, and the caller may ask
// again after wait. An error means the budget cannot be reached (Redis is
// down); the layer then falls back to this replica's share of the rate.
type SharedLimiter interface {
	Reserve(ctx context.Context, vendor string, perSecond float64, burst int) (wait time.Duration, err error)
}

// Rate-limit modes, as /readyz reports them per vendor.
const (
	// RateLimitUnlimited: the vendor has no rate limit.
	RateLimitUnlimited = "unlimited"
	// RateLimitLocal: this replica enforces its share of the rate alone
	// (RatePerSecond/Replicas), as configured without Redis.
	RateLimitLocal = "local"
	// RateLimitShared: every replica takes its tokens from one budget.
	RateLimitShared = "shared"
	// RateLimitFallback: the shared budget is unreachable, so this
	// replica enforces its share alone until it answers again.
	RateLimitFallback = "local-fallback"
)

// Shared-budget timings.
var (
	// sharedTimeout bounds one question to the shared budget.
	sharedTimeout = time.Second
	// sharedProbe is how often a replica that fell back asks the shared
	// budget again. In between, requests are paced locally without
	// asking, so an unreachable Redis costs one slow call a period, not
	// one per request.
	sharedProbe = time.Second
)

// sharedBudget is the limit layer's side of a SharedLimiter: it asks it
// for tokens and, while it fails, switches the local limiter to this
// replica's share of the rate, logging each switch once.
type sharedBudget struct {
	limiter   SharedLimiter
	vendor    string
	perSecond float64
	burst     int
	local     *rate.Limiter // the fair queue's, rate full while shared
	full      rate.Limit    // the vendor's whole rate
	share     rate.Limit    // this replica's share, while falling back
	logger    *slog.Logger

	mu        sync.Mutex
	fallback  bool
	nextProbe time.Time

	fallbacks atomic.Int64 // switches to the fallback, for metrics
}

// take asks the shared budget for a token. It returns the wait before
// asking again, or 0 when the request may go: a token was taken, or the
// budget is unreachable and the local limiter (then at this replica's
// share) has paced the request alone.
func (s *sharedBudget) take() time.Duration {
	s.mu.Lock()
	if s.fallback && time.Now().Before(s.nextProbe) {
		s.mu.Unlock()
		return 0
	}
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
	wait, err := s.limiter.Reserve(ctx, s.vendor, s.perSecond, s.burst)
	cancel()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.nextProbe = time.Now().Add(sharedProbe)
		if !s.fallback {
			s.fallback = true
			s.fallbacks.Add(1)
			s.local.SetLimit(s.share)
			s.logger.Warn("shared rate limit unreachable: pacing this replica alone at its share until it answers",
				"vendor", s.vendor, "rate_per_second", float64(s.share), "error", err.Error())
		}
		return 0
	}
	if s.fallback {
		s.fallback = false
		s.local.SetLimit(s.full)
		s.logger.Info("shared rate limit reachable again", "vendor", s.vendor, "rate_per_second", s.perSecond)
	}
	return max(wait, 0)
}

func (s *sharedBudget) mode() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fallback {
		return RateLimitFallback
	}
	return RateLimitShared
}
