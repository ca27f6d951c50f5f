package sharedstate

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Durability is what Redis keeps of idempotency keys across its own
// restart, read from the server (INFO persistence, CONFIG GET appendfsync).
type Durability struct {
	// AOF is appendonly yes: every write is logged and replayed at start.
	AOF bool `json:"aof"`
	// Fsync is appendfsync: "always" (a write is on disk before Redis
	// answers it), "everysec" (up to a second of writes lost on a crash;
	// none on a clean restart) or "no"; "unknown" where CONFIG is refused
	// (managed Redis).
	Fsync string `json:"appendfsync"`
}

// Survives reports whether acknowledged keys survive a restart or crash
// of Redis itself: with AOF, Redis writes each command to the file
// (the OS's cache) before it replies, whatever appendfsync says.
func (d Durability) Survives() bool { return d.AOF }

// ExactlyOnce reports whether no acknowledged key can be lost even when
// the host crashes: AOF with appendfsync always (everysec may lose the
// last second, no the last ~30 s, of writes).
func (d Durability) ExactlyOnce() bool { return d.AOF && d.Fsync == "always" }

// String names the level for logs and /readyz.
func (d Durability) String() string {
	switch {
	case d.ExactlyOnce():
		return "aof-always"
	case d.AOF:
		return "aof-" + d.Fsync
	default:
		return "none"
	}
}

// durabilityCheck asks Redis for its persistence settings, at start-up
// and again at most every durabilityRecheck when /readyz asks (a Redis
// restarted with another configuration shows up there).
type durabilityCheck struct {
	mu      sync.Mutex
	d       Durability
	checked time.Time
}

const durabilityRecheck = 30 * time.Second

func (c *durabilityCheck) check(ctx context.Context, client *redis.Client) Durability {
	ctx, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
	defer cancel()
	d := Durability{Fsync: "unknown"}
	if info, err := client.Info(ctx, "persistence").Result(); err == nil {
		d.AOF = strings.Contains(info, "aof_enabled:1")
	} else {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.d // no answer: keep what was last known
	}
	if v, err := client.ConfigGet(ctx, "appendfsync").Result(); err == nil && v["appendfsync"] != "" {
		d.Fsync = v["appendfsync"]
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.d, c.checked = d, time.Now()
	return d
}

func (c *durabilityCheck) get(ctx context.Context, client *redis.Client) Durability {
	c.mu.Lock()
	stale := time.Since(c.checked) > durabilityRecheck
	d := c.d
	c.mu.Unlock()
	if stale {
		return c.check(ctx, client)
	}
	return d
}

// Health is the shared state's part of /readyz.
type Health struct {
	// Store is "memory" (this replica only) or "redis".
	Store string `json:"store"`
	// Breaker is the Redis breaker: "closed", "open" (failing fast) or
	// "half-open".
	Breaker string `json:"breaker,omitempty"`
	// Durability is what Redis keeps of idempotency keys ("aof-always":
	// everything, even on a host crash; "aof-everysec": everything on a
	// Redis restart or crash, the last second on a host crash; "none":
	// nothing; see Durability).
	Durability string `json:"durability,omitempty"`
	// Degraded says why the shared state is not fully serving; empty when
	// it is.
	Degraded []string `json:"degraded,omitempty"`
}

// Health reports the stores' state for /readyz, asking Redis at most
// 250 ms (nothing while the breaker is open).
func (s *Stores) Health(ctx context.Context) Health {
	if s == nil || s.client == nil {
		return Health{Store: "memory"}
	}
	h := Health{Store: "redis", Breaker: s.guard.State()}
	if h.Breaker != "closed" {
		h.Degraded = append(h.Degraded, "redis unreachable: the read cache is bypassed, rate budgets fall back to this replica's share and keyed mutations answer 503 SHARED_STATE_UNAVAILABLE")
	}
	d := s.durability.get(ctx, s.client)
	h.Durability = d.String()
	if !d.Survives() {
		h.Degraded = append(h.Degraded, "redis persistence is off: a Redis restart forgets idempotency keys, so a keyed mutation retried after one may run twice")
	}
	return h
}
