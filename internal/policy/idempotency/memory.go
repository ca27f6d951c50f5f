package idempotency

import (
	"container/list"
	"context"
	"slices"
	"sync"
	"time"
)

// Defaults for MemoryOptions.
const (
	DefaultMaxEntries      = 10_000
	DefaultMaxBytes        = 64 << 20
	DefaultJanitorInterval = time.Minute
)

// MemoryOptions bound a MemoryStore. Zero values take the defaults.
type MemoryOptions struct {
	// MaxEntries bounds the number of records, pending and done. When it is
	// reached the oldest done records are evicted; pending ones never are.
	MaxEntries int
	// MaxBytes bounds the stored response bodies, evicting the oldest done
	// records first.
	MaxBytes int64
	// JanitorInterval is how often expired records are swept. Expired
	// records are also ignored (and dropped) whenever they are read.
	JanitorInterval time.Duration
	// Now is the clock; tests set it to move time forward.
	Now func() time.Time
}

// MemoryStore is the in-process Store: a map under a mutex with TTL expiry
// and a size bound. It does not survive a restart and is not shared between
// replicas; a deployment with more than one replica needs a shared Store.
type MemoryStore struct {
	opts MemoryOptions

	mu      sync.Mutex
	entries map[string]*memEntry
	done    *list.List // *memEntry of done records, oldest completion first
	bytes   int64

	stop      chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup
}

type memEntry struct {
	key     string
	rec     Record
	expires time.Time
	elem    *list.Element // in done; nil while pending
}

// NewMemoryStore starts a MemoryStore and its janitor; Close stops it.
func NewMemoryStore(opts MemoryOptions) *MemoryStore {
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = DefaultMaxEntries
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.JanitorInterval <= 0 {
		opts.JanitorInterval = DefaultJanitorInterval
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &MemoryStore{
		opts:    opts,
		entries: map[string]*memEntry{},
		done:    list.New(),
		stop:    make(chan struct{}),
	}
	s.wg.Add(1)
	go s.janitor()
	return s
}

// Close stops the janitor. The store stays usable; it is safe to call more
// than once.
func (s *MemoryStore) Close() error {
	s.closeOnce.Do(func() { close(s.stop) })
	s.wg.Wait()
	return nil
}

// Len is the number of records held, expired ones not yet swept included.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries)
}

// Reserve implements Store.
func (s *MemoryStore) Reserve(_ context.Context, key string, pending Record, ttl time.Duration) (*Record, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	if e := s.live(key, now); e != nil {
		rec := e.rec
		return &rec, false, nil
	}
	if len(s.entries) >= s.opts.MaxEntries {
		s.sweep(now)
		for len(s.entries) >= s.opts.MaxEntries && s.done.Len() > 0 {
			s.remove(s.done.Front().Value.(*memEntry))
		}
		if len(s.entries) >= s.opts.MaxEntries {
			return nil, false, ErrFull
		}
	}
	pending.State = StatePending
	s.entries[key] = &memEntry{key: key, rec: pending, expires: now.Add(ttl)}
	return nil, true, nil
}

// Complete implements Store.
func (s *MemoryStore) Complete(_ context.Context, key string, rec Record, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	e := s.live(key, now)
	if e == nil || e.rec.State != StatePending || e.rec.Owner != rec.Owner {
		return ErrNotHeld
	}
	// The store owns its copy: the caller's buffers may be reused.
	rec.State = StateDone
	rec.Body = slices.Clone(rec.Body)
	rec.Header = cloneHeader(rec.Header)
	e.rec = rec
	e.expires = now.Add(ttl)
	e.elem = s.done.PushBack(e)
	s.bytes += int64(len(rec.Body))
	for s.bytes > s.opts.MaxBytes && s.done.Front() != e.elem {
		s.remove(s.done.Front().Value.(*memEntry))
	}
	return nil
}

// Release implements Store.
func (s *MemoryStore) Release(_ context.Context, key, owner string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.entries[key]; e != nil && e.rec.State == StatePending && e.rec.Owner == owner {
		s.remove(e)
	}
	return nil
}

// live returns key's record unless it is missing or expired, dropping an
// expired one. s.mu must be held.
func (s *MemoryStore) live(key string, now time.Time) *memEntry {
	e := s.entries[key]
	if e == nil {
		return nil
	}
	if !now.Before(e.expires) {
		s.remove(e)
		return nil
	}
	return e
}

// sweep drops every expired record. s.mu must be held.
func (s *MemoryStore) sweep(now time.Time) {
	for _, e := range s.entries {
		if !now.Before(e.expires) {
			s.remove(e)
		}
	}
}

// remove drops e. s.mu must be held.
func (s *MemoryStore) remove(e *memEntry) {
	delete(s.entries, e.key)
	if e.elem != nil {
		s.done.Remove(e.elem)
		e.elem = nil
		s.bytes -= int64(len(e.rec.Body))
	}
}

func (s *MemoryStore) janitor() {
	defer s.wg.Done()
	t := time.NewTicker(s.opts.JanitorInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.mu.Lock()
			s.sweep(s.opts.Now())
			s.mu.Unlock()
		}
	}
}

func cloneHeader(h map[string][]string) map[string][]string {
	if h == nil {
		return nil
	}
	c := make(map[string][]string, len(h))
	for k, v := range h {
		c[k] = slices.Clone(v)
	}
	return c
}
