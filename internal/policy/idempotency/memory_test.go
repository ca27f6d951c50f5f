package idempotency

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeClock is a settable clock for MemoryOptions.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func pendingRec(fp, owner string) Record {
	return Record{Fingerprint: fp, State: StatePending, Owner: owner}
}

func doneRec(fp, owner, body string) Record {
	return Record{Fingerprint: fp, State: StateDone, Owner: owner, Status: 200,
		Header: map[string][]string{"Content-Type": {"application/json"}}, Body: []byte(body)}
}

func TestMemoryStoreContract(t *testing.T) {
	ctx := context.Background()
	s := NewMemoryStore(MemoryOptions{})
	defer s.Close()

	existing, reserved, err := s.Reserve(ctx, "k", pendingRec("fp", "a"), time.Minute)
	require.NoError(t, err)
	require.True(t, reserved)
	require.Nil(t, existing)

	existing, reserved, err = s.Reserve(ctx, "k", pendingRec("fp2", "b"), time.Minute)
	require.NoError(t, err)
	require.False(t, reserved)
	require.Equal(t, StatePending, existing.State)
	require.Equal(t, "fp", existing.Fingerprint, "the first reservation wins")

	require.ErrorIs(t, s.Complete(ctx, "k", doneRec("fp", "b", "x"), time.Hour), ErrNotHeld, "only the owner completes")
	require.ErrorIs(t, s.Complete(ctx, "missing", doneRec("fp", "a", "x"), time.Hour), ErrNotHeld)
	require.NoError(t, s.Release(ctx, "k", "b"), "a stranger's release is a no-op")

	body := []byte(`{"data":1}`)
	rec := doneRec("fp", "a", "")
	rec.Body = body
	require.NoError(t, s.Complete(ctx, "k", rec, time.Hour))
	body[0] = 'X' // the store keeps its own copy
	require.ErrorIs(t, s.Complete(ctx, "k", doneRec("fp", "a", "y"), time.Hour), ErrNotHeld, "a done record cannot be completed again")
	require.NoError(t, s.Release(ctx, "k", "a"), "release after completion is a no-op")

	existing, reserved, err = s.Reserve(ctx, "k", pendingRec("fp", "c"), time.Minute)
	require.NoError(t, err)
	require.False(t, reserved)
	assert.Equal(t, StateDone, existing.State)
	assert.Equal(t, 200, existing.Status)
	assert.Equal(t, `{"data":1}`, string(existing.Body))
	assert.Equal(t, []string{"application/json"}, existing.Header["Content-Type"])

	// Release frees a pending key for the next request.
	_, reserved, err = s.Reserve(ctx, "k2", pendingRec("fp", "a"), time.Minute)
	require.NoError(t, err)
	require.True(t, reserved)
	require.NoError(t, s.Release(ctx, "k2", "a"))
	_, reserved, err = s.Reserve(ctx, "k2", pendingRec("fp", "b"), time.Minute)
	require.NoError(t, err)
	require.True(t, reserved)
}

func TestMemoryStoreExpiresOnRead(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	s := NewMemoryStore(MemoryOptions{Now: clock.Now})
	defer s.Close()

	_, _, err := s.Reserve(ctx, "k", pendingRec("fp", "a"), time.Minute)
	require.NoError(t, err)
	require.NoError(t, s.Complete(ctx, "k", doneRec("fp", "a", "x"), time.Hour))

	clock.Advance(time.Hour - time.Second)
	_, reserved, err := s.Reserve(ctx, "k", pendingRec("fp", "b"), time.Minute)
	require.NoError(t, err)
	require.False(t, reserved, "still live just before the TTL")

	clock.Advance(time.Second)
	_, reserved, err = s.Reserve(ctx, "k", pendingRec("fp", "b"), time.Minute)
	require.NoError(t, err)
	require.True(t, reserved, "expired at the TTL")

	// A reservation expires too, and its owner can then no longer complete.
	clock.Advance(time.Minute)
	require.ErrorIs(t, s.Complete(ctx, "k", doneRec("fp", "b", "x"), time.Hour), ErrNotHeld)
	_, reserved, err = s.Reserve(ctx, "k", pendingRec("fp", "c"), time.Minute)
	require.NoError(t, err)
	require.True(t, reserved)
	require.NoError(t, s.Release(ctx, "k", "b"), "the expired owner's release does not free the new reservation")
	existing, _, err := s.Reserve(ctx, "k", pendingRec("fp", "d"), time.Minute)
	require.NoError(t, err)
	require.NotNil(t, existing)
	require.Equal(t, "c", existing.Owner)
}

func TestMemoryStoreJanitorSweeps(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	s := NewMemoryStore(MemoryOptions{Now: clock.Now, JanitorInterval: 5 * time.Millisecond})
	defer s.Close()

	for _, k := range []string{"a", "b", "c"} {
		_, _, err := s.Reserve(ctx, k, pendingRec("fp", "o"), time.Minute)
		require.NoError(t, err)
	}
	_, _, err := s.Reserve(ctx, "long", pendingRec("fp", "o"), time.Hour)
	require.NoError(t, err)
	require.Equal(t, 4, s.Len())

	clock.Advance(time.Minute)
	require.Eventually(t, func() bool { return s.Len() == 1 }, 5*time.Second, 5*time.Millisecond)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "Close is idempotent")
}

func TestMemoryStoreBounded(t *testing.T) {
	ctx := context.Background()
	t.Run("entries: oldest done evicted, pending kept", func(t *testing.T) {
		s := NewMemoryStore(MemoryOptions{MaxEntries: 3})
		defer s.Close()
		reserve := func(k string) (bool, error) {
			_, reserved, err := s.Reserve(ctx, k, pendingRec("fp", "o-"+k), time.Hour)
			return reserved, err
		}
		for _, k := range []string{"p", "d1", "d2"} {
			ok, err := reserve(k)
			require.NoError(t, err)
			require.True(t, ok)
		}
		require.NoError(t, s.Complete(ctx, "d1", doneRec("fp", "o-d1", "1"), time.Hour))
		require.NoError(t, s.Complete(ctx, "d2", doneRec("fp", "o-d2", "2"), time.Hour))

		ok, err := reserve("n1")
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, 3, s.Len())
		ok, err = reserve("d2")
		require.NoError(t, err)
		require.False(t, ok, "d2 is still there")
		ok, err = reserve("d1") // evicts d2, the only done record left
		require.NoError(t, err)
		require.True(t, ok, "d1, the oldest done record, was evicted")

		_, err = reserve("n2")
		require.ErrorIs(t, err, ErrFull, "only pending records left: none is dropped")
		require.NoError(t, s.Release(ctx, "p", "o-p"))
		ok, err = reserve("n2")
		require.NoError(t, err)
		require.True(t, ok)
	})
	t.Run("bytes", func(t *testing.T) {
		s := NewMemoryStore(MemoryOptions{MaxBytes: 10})
		defer s.Close()
		for _, k := range []string{"a", "b", "c"} {
			_, _, err := s.Reserve(ctx, k, pendingRec("fp", "o"), time.Hour)
			require.NoError(t, err)
			require.NoError(t, s.Complete(ctx, k, doneRec("fp", "o", strings.Repeat(k, 4)), time.Hour))
		}
		require.Equal(t, 2, s.Len(), "12 bytes > 10: the oldest went")
		_, reserved, err := s.Reserve(ctx, "a", pendingRec("fp", "o"), time.Hour)
		require.NoError(t, err)
		require.True(t, reserved)
		existing, _, err := s.Reserve(ctx, "c", pendingRec("fp", "o"), time.Hour)
		require.NoError(t, err)
		require.Equal(t, "cccc", string(existing.Body))
	})
}
