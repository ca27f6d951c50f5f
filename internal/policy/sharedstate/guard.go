package sharedstate

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sony/gobreaker/v2"
)

// Timeouts of every Redis call (Connect sets them unless the URL does).
// Each store bounds its own calls more tightly through the context (the
// read cache 250 ms, the shared rate budget 1 s); these bound the rest and
// are what makes those contexts count at all: go-redis ignores a
// context's deadline on a connection unless ContextTimeoutEnabled is set,
// and then waits its 3 s ReadTimeout, retried, so a frozen Redis held a
// cached read 5 s and an Ortto read 10 s.
const (
	DialTimeout = time.Second
	IOTimeout   = time.Second
	// BreakerFailures consecutive failed Redis calls (no answer, a refused
	// or broken connection) open the breaker for BreakerOpen: every call
	// then fails at once, so a Redis that is down or frozen costs a
	// request nothing but the fallback each store has (the vendor for the
	// cache, this replica's share for the rate budget, 503 for keyed
	// mutations), until one probe finds it back.
	BreakerFailures = 5
	BreakerOpen     = 5 * time.Second
)

// ErrUnavailable is what every Redis call returns while the breaker is
// open.
var ErrUnavailable = errors.New("shared state (redis) is unavailable: failing fast")

// guard is the breaker around one Redis client, as a go-redis hook, so
// that every store on the client shares it.
type guard struct {
	cb *gobreaker.TwoStepCircuitBreaker[struct{}]
}

func newGuard(logger *slog.Logger, open time.Duration) *guard {
	return &guard{cb: gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        "redis",
		MaxRequests: 1,
		Timeout:     open,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= BreakerFailures },
		// An answer of any kind (a value, nil, an error reply) is Redis
		// working; only no answer counts against it.
		IsSuccessful: func(err error) bool { return !unreachable(err) },
		OnStateChange: func(_ string, from, to gobreaker.State) {
			if to == gobreaker.StateOpen {
				logger.Error("shared state (redis) breaker opened: failing fast until it answers again", "from", from.String())
				return
			}
			logger.Info("shared state (redis) breaker", "from", from.String(), "to", to.String())
		},
	})}
}

// State is "closed", "open" or "half-open".
func (g *guard) State() string { return g.cb.State().String() }

func (g *guard) DialHook(next redis.DialHook) redis.DialHook { return next }

func (g *guard) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if connSetup[cmd.Name()] {
			// Sent by go-redis inside another command, on a new
			// connection: that command is the one judged.
			return next(ctx, cmd)
		}
		done, err := g.cb.Allow()
		if err != nil {
			cmd.SetErr(ErrUnavailable)
			return ErrUnavailable
		}
		start := time.Now()
		err = next(ctx, cmd)
		done(judged(err, time.Since(start)))
		return err
	}
}

// minJudged is the least time a call must have had before its running
// out of time counts against Redis. Redis answers in well under a
// millisecond; a caller whose own deadline left it less than this (a
// duplicate request polling for an Idempotency-Key near its deadline)
// says nothing about Redis, and must not open the breaker for everyone.
const minJudged = 100 * time.Millisecond

// judged is err as the breaker should count it: a deadline that ended a
// call sooner than minJudged is not Redis's failure.
func judged(err error, took time.Duration) error {
	if err != nil && errors.Is(err, context.DeadlineExceeded) && took < minJudged {
		return nil
	}
	return err
}

func (g *guard) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if allSetup(cmds) {
			return next(ctx, cmds)
		}
		done, err := g.cb.Allow()
		if err != nil {
			for _, c := range cmds {
				c.SetErr(ErrUnavailable)
			}
			return ErrUnavailable
		}
		start := time.Now()
		err = next(ctx, cmds)
		done(judged(err, time.Since(start)))
		return err
	}
}

// connSetup are the commands go-redis sends to set up a connection, from
// within the command that needed it. Guarding them too would count one
// failure twice and, half-open, refuse the probe's own handshake.
var connSetup = map[string]bool{"hello": true, "auth": true, "select": true, "client": true, "readonly": true}

// allSetup reports whether a pipeline is connection set-up only (go-redis
// pipelines CLIENT SETINFO and SELECT on a new connection).
func allSetup(cmds []redis.Cmder) bool {
	for _, c := range cmds {
		if !connSetup[c.Name()] {
			return false
		}
	}
	return len(cmds) > 0
}

// unreachable reports whether err means Redis did not answer (as opposed
// to an answer: a value, redis.Nil, or a Redis error reply).
func unreachable(err error) bool {
	if err == nil || errors.Is(err, redis.Nil) {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	if errors.Is(err, context.Canceled) {
		return false // the caller gave up; says nothing of Redis
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var re redis.Error
	return !errors.As(err, &re)
}
