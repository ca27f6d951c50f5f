// Package idempotency makes GraphQL mutations safe to retry. A client that
// sends an Idempotency-Key header with a mutation gets, for the same key and
// the same request within the TTL, the stored response of the first run
// instead of a second vendor call; the same key with a different request is
// refused with CONFLICT.
//
// The keys live behind Store so that replicas can share them: MemoryStore is
// the in-process default, and sharedstate.IdempotencyStore keeps them in
// Redis with one atomic script per method.
package idempotency

import (
	"context"
	"errors"
	"time"
)

// State says whether a record is a reservation held by a running request or
// a finished response that can be replayed.
type State string

// The states a Record can be in.
const (
	StatePending State = "pending"
	StateDone    State = "done"
)

// Record is what a Store keeps per key. It is plain data (JSON- and
// gob-friendly) so that a shared store can serialise it.
type Record struct {
	// Fingerprint identifies the request (operation, query, variables) the
	// key was first used with.
	Fingerprint string `json:"fingerprint"`
	State       State  `json:"state"`
	// Owner is a random token naming the request that holds a pending
	// record, so that a request whose reservation expired and was taken
	// over cannot complete or release its successor's reservation.
	Owner string `json:"owner,omitempty"`
	// Status, Header and Body are the stored response (StateDone only).
	// Header holds only headers safe to replay (see replayHeaders).
	Status  int                 `json:"status,omitempty"`
	Header  map[string][]string `json:"header,omitempty"`
	Body    []byte              `json:"body,omitempty"`
	Created time.Time           `json:"created"`
	// Lease is when the owner of a pending record is presumed dead: its
	// request's deadline plus a margin. The record itself lives for the
	// whole TTL, so a reservation whose owner died is never mistaken for a
	// free key: a retry after Lease is told the outcome is unknown.
	Lease time.Time `json:"lease,omitzero"`
}

// Store keeps idempotency records. Every method must be atomic with respect
// to the others for the same key, across every replica sharing the store.
// Keys passed in are already scoped and hashed (hex SHA-256), so a store may
// use them as they are, with a prefix of its own.
//
// sharedstate.IdempotencyStore is the Redis implementation: a hash per
// key (state, owner, record), each method one script, so that Complete
// and Release act only on the pending record their owner reserved.
type Store interface {
	// Reserve stores pending (State StatePending, with Fingerprint, Owner
	// and Created set) under key for ttl unless a live record exists. It
	// returns reserved true when it stored pending, or the existing record
	// (pending or done, whatever its fingerprint) and reserved false.
	Reserve(ctx context.Context, key string, pending Record, ttl time.Duration) (existing *Record, reserved bool, err error)
	// Complete replaces the pending record held by rec.Owner with rec (State
	// StateDone) for ttl. It returns ErrNotHeld, storing nothing, when key is
	// no longer pending under rec.Owner (its reservation expired).
	Complete(ctx context.Context, key string, rec Record, ttl time.Duration) error
	// Release deletes key if it is still pending under owner, so that the
	// client can retry; otherwise it does nothing.
	Release(ctx context.Context, key, owner string) error
}

// ErrNotHeld is returned by Complete when the caller's reservation is gone.
var ErrNotHeld = errors.New("idempotency key is not reserved by this request")

// ErrFull is returned by Reserve when a bounded store holds only pending
// records and cannot make room without dropping a reservation.
var ErrFull = errors.New("idempotency store is full")
