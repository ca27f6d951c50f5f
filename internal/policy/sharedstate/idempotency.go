package sharedstate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/switchyard/switchyard/internal/policy/idempotency"
)

// IdempotencyStore is an idempotency.Store in Redis, shared by every
// replica using the same Redis and prefix.
//
// Each key is a Redis hash "<prefix>idem:<key>" with fields state, owner
// and rec (the idempotency.Record as JSON), expiring with the record. Each
// method is one Lua script, so it is atomic across replicas: Redis runs a
// script to the end before any other command. Unlike MemoryStore it has no
// size bound of its own; size Redis for the traffic (see the README), and
// prefer maxmemory-policy noeviction, since an evicted pending key lets a
// retry run the mutation again.
type IdempotencyStore struct {
	client redis.UniversalClient
	prefix string
}

var _ idempotency.Store = (*IdempotencyStore)(nil)

// NewIdempotencyStore returns a store over client (which the caller
// closes) writing keys under prefix ("" for DefaultPrefix).
func NewIdempotencyStore(client redis.UniversalClient, prefix string) *IdempotencyStore {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return &IdempotencyStore{client: client, prefix: prefix}
}

// reserveScript stores the pending record unless the key holds a live one,
// which it returns instead (expired keys are already gone: Redis expires
// them). KEYS[1] key; ARGV owner, record JSON, TTL in ms.
var reserveScript = redis.NewScript(`
local cur = redis.call('HGET', KEYS[1], 'rec')
if cur then
  return cur
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'state', 'pending', 'owner', ARGV[1], 'rec', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return false
`)

// completeScript replaces the record only while it is pending under the
// caller's owner token. ARGV owner, record JSON, TTL in ms.
var completeScript = redis.NewScript(`
local cur = redis.call('HMGET', KEYS[1], 'state', 'owner')
if cur[1] ~= 'pending' or cur[2] ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'state', 'done', 'rec', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`)

// releaseScript deletes the key only while it is pending under owner.
var releaseScript = redis.NewScript(`
local cur = redis.call('HMGET', KEYS[1], 'state', 'owner')
if cur[1] == 'pending' and cur[2] == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

// Reserve implements idempotency.Store.
func (s *IdempotencyStore) Reserve(ctx context.Context, key string, pending idempotency.Record, ttl time.Duration) (*idempotency.Record, bool, error) {
	pending.State = idempotency.StatePending
	raw, err := json.Marshal(pending)
	if err != nil {
		return nil, false, fmt.Errorf("encode idempotency record: %w", err)
	}
	cur, err := reserveScript.Run(ctx, s.client, []string{s.key(key)}, pending.Owner, raw, millis(ttl)).Text()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, true, nil
	case err != nil:
		return nil, false, fmt.Errorf("redis reserve: %w", err)
	}
	var rec idempotency.Record
	if err := json.Unmarshal([]byte(cur), &rec); err != nil {
		return nil, false, fmt.Errorf("decode idempotency record: %w", err)
	}
	return &rec, false, nil
}

// Complete implements idempotency.Store.
func (s *IdempotencyStore) Complete(ctx context.Context, key string, rec idempotency.Record, ttl time.Duration) error {
	rec.State = idempotency.StateDone
	raw, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode idempotency record: %w", err)
	}
	n, err := completeScript.Run(ctx, s.client, []string{s.key(key)}, rec.Owner, raw, millis(ttl)).Int()
	switch {
	case err != nil:
		return fmt.Errorf("redis complete: %w", err)
	case n == 0:
		return idempotency.ErrNotHeld
	}
	return nil
}

// Release implements idempotency.Store.
func (s *IdempotencyStore) Release(ctx context.Context, key, owner string) error {
	if err := releaseScript.Run(ctx, s.client, []string{s.key(key)}, owner).Err(); err != nil {
		return fmt.Errorf("redis release: %w", err)
	}
	return nil
}

func (s *IdempotencyStore) key(k string) string { return s.prefix + "idem:" + k }

// millis is d in whole milliseconds, at least 1: PEXPIRE 0 would delete
// the key at once.
func millis(d time.Duration) int64 { return max(d.Milliseconds(), 1) }
