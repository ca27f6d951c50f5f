package outbound

import (
	"context"
	"errors"
	"math"
	"net/http"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limitTransport keeps the gateway inside a vendor's limits: at most
// MaxConcurrent requests in flight and at most RatePerSecond sent. A
// request over either limit waits its turn instead of earning a 429; one
// that could not get its turn before its deadline is refused at once,
// without reaching the vendor, so that the caller learns early and the
// vendor's quota is not spent on a call nobody will wait for.
//
// Turns are fair between clients (see WithClient): waiting requests queue
// per client and the clients with requests waiting are served round-robin,
// one request each per round, not first come first served. Otherwise one
// client's large operation, queued first, holds the vendor for everyone:
// fifty Ortto calls at 10 req/s keep a one-call query from another client
// waiting five seconds. The layer knows clients only as opaque strings.
//
// With a SharedLimiter (ChainOptions.Shared) the rate is one budget for
// every replica: once a request's turn comes in this replica's queue, the
// pump takes its token from the shared budget before granting the turn,
// so the turns still go round-robin. Requests whose deadline would pass
// before the shared budget's next token are refused at once, as above.
// While the shared budget is unreachable, and when there is none, this
// replica keeps RatePerSecond/Replicas alone.
type limitTransport struct {
	next   http.RoundTripper
	vendor string
	q      *fairQueue
}

func newLimitTransport(next http.RoundTripper, opts ChainOptions) http.RoundTripper {
	q := &fairQueue{queues: map[string][]*turn{}, wake: make(chan struct{}, 1)}
	if opts.MaxConcurrent > 0 {
		q.maxInFlight = opts.MaxConcurrent
	}
	if opts.RatePerSecond > 0 && !math.IsInf(opts.RatePerSecond, 1) {
		share := rate.Limit(opts.RatePerSecond / float64(max(opts.Replicas, 1)))
		q.limiter = rate.NewLimiter(share, opts.Burst)
		if opts.Shared != nil {
			// While the budget is shared, the local limiter only keeps
			// this replica under the whole rate.
			q.limiter.SetLimit(rate.Limit(opts.RatePerSecond))
			q.shared = &sharedBudget{
				limiter: opts.Shared, vendor: opts.Vendor,
				perSecond: opts.RatePerSecond, burst: opts.Burst,
				local: q.limiter, full: rate.Limit(opts.RatePerSecond), share: share,
				logger: opts.Logger,
			}
		}
	}
	if q.maxInFlight == 0 && q.limiter == nil {
		return next
	}
	return &limitTransport{next: next, vendor: opts.Vendor, q: q}
}

// mode is the rate limit's mode for /readyz: one of the RateLimit
// constants.
func (t *limitTransport) mode() string {
	switch {
	case t == nil || t.q.limiter == nil:
		return RateLimitUnlimited
	case t.q.shared == nil:
		return RateLimitLocal
	}
	return t.q.shared.mode()
}

func clientOf(ctx context.Context) string { return HooksFrom(ctx).Client }

// RoundTrip implements http.RoundTripper.
func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	release, err := t.q.acquire(req.Context())
	if err != nil {
		return nil, t.queueError(req.Context(), err)
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		release()
		return nil, err
	}
	// The request is in flight until its body is done with.
	resp.Body = onBodyDone(resp.Body, func(error) { release() })
	return resp, nil
}

// tooLate is acquire's refusal of a request whose turn cannot come before
// its deadline: the earliest it could come is after wait.
type tooLate struct{ wait time.Duration }

func (e tooLate) Error() string { return "turn would come after the deadline" }

func (t *limitTransport) queueError(ctx context.Context, err error) error {
	var late tooLate
	switch {
	case errors.As(err, &late):
		return &Error{
			Vendor:     t.vendor,
			Kind:       KindRateLimited,
			Message:    "client-side rate limit",
			Retryable:  true,
			RetryAfter: late.wait,
		}
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		// The vendor was never called, so the caller should not read it
		// as the vendor being slow.
		return &Error{
			Vendor:    t.vendor,
			Kind:      KindTimeout,
			Message:   "deadline passed while queued behind the client-side limits",
			Retryable: true,
			Err:       context.DeadlineExceeded,
		}
	}
	return err
}

// fairQueue hands out turns to send a request: a concurrency slot (held
// until release) and a rate token. A request that finds no one waiting
// and both available goes at once; otherwise it queues under its client
// and a pump goroutine, running only while someone waits, grants turns as
// slots and tokens come, to the waiting clients in round-robin order.
type fairQueue struct {
	maxInFlight int           // 0: unlimited
	limiter     *rate.Limiter // nil: unlimited
	shared      *sharedBudget // nil: the limiter is the whole budget

	mu       sync.Mutex
	inFlight int
	queues   map[string][]*turn // per client, oldest first
	ring     []string           // clients with turns waiting, in serving order
	next     int                // index in ring of the client served next
	waiting  int
	pumping  bool
	wake     chan struct{} // a slot was freed or a waiter left
}

type turn struct {
	client   string
	deadline time.Time     // zero: none
	ready    chan struct{} // closed when granted or refused
	granted  bool
	refused  error // set before ready is closed when the turn is refused
}

func (q *fairQueue) acquire(ctx context.Context) (release func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	q.mu.Lock()
	// With a shared budget every turn goes through the pump, which asks
	// it outside mu.
	if q.waiting == 0 && q.shared == nil && q.slotFree() && (q.limiter == nil || q.limiter.Allow()) {
		q.inFlight++
		q.mu.Unlock()
		return q.releaser(), nil
	}
	client := clientOf(ctx)
	if wait := q.soonest(len(q.queues[client])); wait > 0 {
		if dl, ok := ctx.Deadline(); ok && time.Now().Add(wait).After(dl) {
			q.mu.Unlock()
			return nil, tooLate{wait: wait}
		}
	}
	t := &turn{client: client, ready: make(chan struct{})}
	t.deadline, _ = ctx.Deadline()
	if len(q.queues[client]) == 0 {
		q.ring = append(q.ring, client)
	}
	q.queues[client] = append(q.queues[client], t)
	q.waiting++
	if !q.pumping {
		q.pumping = true
		go q.pump()
	}
	q.mu.Unlock()

	select {
	case <-t.ready:
		if t.refused != nil {
			return nil, t.refused
		}
		return q.releaser(), nil
	case <-ctx.Done():
	}
	q.mu.Lock()
	if t.refused != nil {
		q.mu.Unlock()
		return nil, t.refused
	}
	if t.granted { // granted as the context ended: give the slot back
		q.mu.Unlock()
		q.releaser()()
		return nil, ctx.Err()
	}
	q.remove(t)
	q.mu.Unlock()
	q.nudge()
	return nil, ctx.Err()
}

// soonest is the least wait for a request with ahead of its own client's
// requests queued before it: each of them needs a token first, whatever
// other clients do. Called with mu held.
func (q *fairQueue) soonest(ahead int) time.Duration {
	if q.limiter == nil {
		return 0
	}
	need := float64(ahead+1) - q.limiter.Tokens()
	if need <= 0 {
		return 0
	}
	return time.Duration(need / float64(q.limiter.Limit()) * float64(time.Second))
}

func (q *fairQueue) slotFree() bool { return q.maxInFlight == 0 || q.inFlight < q.maxInFlight }

func (q *fairQueue) releaser() func() {
	return sync.OnceFunc(func() {
		q.mu.Lock()
		q.inFlight--
		q.mu.Unlock()
		q.nudge()
	})
}

func (q *fairQueue) nudge() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// pump grants turns while anyone waits: it waits for a free slot, then
// for a token, and gives the turn to the next client in the ring.
func (q *fairQueue) pump() {
	for {
		q.mu.Lock()
		if q.waiting == 0 {
			q.pumping = false
			q.mu.Unlock()
			return
		}
		if !q.slotFree() {
			q.mu.Unlock()
			<-q.wake
			continue
		}
		q.mu.Unlock()

		var r *rate.Reservation
		if q.limiter != nil {
			r = q.limiter.Reserve()
			if !q.sleep(r.Delay()) || !q.takeShared() {
				r.Cancel() // everyone left: give the token back
				continue
			}
		}
		q.mu.Lock()
		if !q.slotFree() { // taken meanwhile: keep the token for the next turn
			q.mu.Unlock()
			if r != nil {
				r.Cancel()
			}
			continue
		}
		t := q.popNext()
		if t == nil {
			q.mu.Unlock()
			if r != nil {
				r.Cancel()
			}
			continue
		}
		t.granted = true
		q.inFlight++
		close(t.ready)
		q.mu.Unlock()
	}
}

// takeShared waits for a token from the shared budget, if there is one,
// refusing meanwhile the turns whose deadline would pass before it
// comes. It returns false if every waiter left first.
func (q *fairQueue) takeShared() bool {
	if q.shared == nil {
		return true
	}
	for {
		wait := q.shared.take()
		if wait <= 0 {
			return true
		}
		q.mu.Lock()
		q.refuseBefore(time.Now().Add(wait), wait)
		q.mu.Unlock()
		if !q.sleep(wait) {
			return false
		}
	}
}

// refuseBefore refuses every waiting turn whose deadline comes before
// at: its turn cannot come in time, the earliest being after wait.
// Called with mu held.
func (q *fairQueue) refuseBefore(at time.Time, wait time.Duration) {
	var late []*turn
	for _, ts := range q.queues {
		for _, t := range ts {
			if !t.deadline.IsZero() && t.deadline.Before(at) {
				late = append(late, t)
			}
		}
	}
	for _, t := range late {
		q.remove(t)
		t.refused = tooLate{wait: wait}
		close(t.ready)
	}
	if len(late) > 0 {
		q.nudge() // the pump's sleep learns if no one is left
	}
}

// sleep waits d, or less if every waiter leaves meanwhile (false).
func (q *fairQueue) sleep(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		select {
		case <-timer.C:
			return true
		case <-q.wake:
			q.mu.Lock()
			none := q.waiting == 0
			q.mu.Unlock()
			if none {
				return false
			}
		}
	}
}

// popNext takes the oldest turn of the client whose round it is. Called
// with mu held.
func (q *fairQueue) popNext() *turn {
	if len(q.ring) == 0 {
		return nil
	}
	if q.next >= len(q.ring) {
		q.next = 0
	}
	c := q.ring[q.next]
	t := q.queues[c][0]
	if rest := q.queues[c][1:]; len(rest) > 0 {
		q.queues[c] = rest
		q.next++
	} else {
		delete(q.queues, c)
		q.ring = slices.Delete(q.ring, q.next, q.next+1) // next now names the following client
	}
	q.waiting--
	return t
}

// remove takes t, whose caller gave up, out of its queue. Called with mu
// held.
func (q *fairQueue) remove(t *turn) {
	ts := q.queues[t.client]
	i := slices.Index(ts, t)
	if i < 0 {
		return
	}
	q.waiting--
	if ts = slices.Delete(ts, i, i+1); len(ts) > 0 {
		q.queues[t.client] = ts
		return
	}
	delete(q.queues, t.client)
	if j := slices.Index(q.ring, t.client); j >= 0 {
		q.ring = slices.Delete(q.ring, j, j+1)
		if j < q.next {
			q.next--
		}
	}
}
