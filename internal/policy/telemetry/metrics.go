package telemetry

import (
	"container/list"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/internal/policy/idempotency"
)

// durationBuckets span a cached read (milliseconds) to the longest
// request deadline (30 s), in seconds.
var durationBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// Reserved label values.
const (
	labelAnonymous = "anonymous" // an operation without a name
	labelOther     = "other"     // over a cap, or not a well-formed name
	labelUnknown   = "unknown"   // not known at all (never parsed; a call made outside the shared outbound.Client)
)

// maxVendorOperations bounds the distinct operation labels per vendor. The
// clients name a few dozen operations between them; the cap only guards
// against a bug that would put data in a name.
const maxVendorOperations = 64

// maxVendors bounds the vendor label.
const maxVendors = 16

type metrics struct {
	reg *prometheus.Registry

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec

	gqlOperations *prometheus.CounterVec
	gqlDuration   *prometheus.HistogramVec
	opNames       *opLabels

	vendorCalls    *prometheus.CounterVec
	vendorDuration *prometheus.HistogramVec
	vendorAttempts *prometheus.CounterVec
	vendorCache    *prometheus.CounterVec
	vendors        *labelSet
	mu             sync.Mutex
	vendorOps      map[string]*labelSet
}

func newMetrics(reg *prometheus.Registry, opts Options) (*metrics, error) {
	m := &metrics{
		reg:       reg,
		opNames:   newOpLabels(opts.MaxOperationNames, opts.OperationNameRuns),
		vendors:   newLabelSet(maxVendors, vendorName),
		vendorOps: map[string]*labelSet{},
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchyard_http_requests_total",
			Help: "HTTP requests served, by route (a fixed set, else other), method and status code.",
		}, []string{"route", "method", "code"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "switchyard_http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by route and method.",
			Buckets: durationBuckets,
		}, []string{"route", "method"}),
		gqlOperations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchyard_graphql_operations_total",
			Help: "GraphQL operations, by operation name (bounded, established names kept: else anonymous, other, unknown), type and outcome (success, partial, error, rejected).",
		}, []string{"operation", "type", "outcome"}),
		gqlDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "switchyard_graphql_operation_duration_seconds",
			Help:    "Time from receiving a GraphQL operation to its last response, by operation name, type and outcome.",
			Buckets: durationBuckets,
		}, []string{"operation", "type", "outcome"}),
		vendorCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchyard_vendor_calls_total",
			Help: "Vendor calls as the caller saw them (retries and queueing included), by vendor, operation and status (2xx..5xx, timeout, canceled, circuit_open, rate_limited, error).",
		}, []string{"vendor", "operation", "status"}),
		vendorDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "switchyard_vendor_call_duration_seconds",
			Help:    "Duration of vendor calls, reply body included, by vendor, operation and status.",
			Buckets: durationBuckets,
		}, []string{"vendor", "operation", "status"}),
		vendorAttempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchyard_vendor_attempts_total",
			Help: "Requests sent to vendors on the wire (each retry counts), by vendor and status.",
		}, []string{"vendor", "status"}),
		vendorCache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchyard_vendor_cache_total",
			Help: "What the vendor read cache did, by vendor, operation and outcome: hit (no vendor call), miss (the vendor was called), stale (the vendor failed and cached data was served), invalidate (a mutation or invalidateCache dropped the vendor's entries).",
		}, []string{"vendor", "operation", "outcome"}),
	}
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "switchyard_build_info",
		Help:        "Always 1; the version label is the running build.",
		ConstLabels: prometheus.Labels{"version": opts.ServiceVersion},
	})
	build.Set(1)
	lost := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "switchyard_idempotency_reservations_lost_total",
		Help: "Keyed mutations that ran and then found their idempotency reservation gone (the store lost it), so their response was not stored and a retry may have run them again. Should stay 0.",
	}, func() float64 { return float64(idempotency.LostReservations()) })
	unknown := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "switchyard_idempotency_outcome_unknown_total",
		Help: "Keyed retries refused with IDEMPOTENCY_OUTCOME_UNKNOWN because the key's first request never finished (its replica stopped).",
	}, func() float64 { return float64(idempotency.OutcomesUnknown()) })
	m.opNames.onEvict = func(name string) {
		m.gqlOperations.DeletePartialMatch(prometheus.Labels{"operation": name})
		m.gqlDuration.DeletePartialMatch(prometheus.Labels{"operation": name})
	}
	for _, c := range []prometheus.Collector{
		lost, unknown,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		build,
		m.httpRequests, m.httpDuration,
		m.gqlOperations, m.gqlDuration,
		m.vendorCalls, m.vendorDuration, m.vendorAttempts, m.vendorCache,
	} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("telemetry: register metrics: %w", err)
		}
	}
	return m, nil
}

// breakerValue maps outbound's breaker states to the gauge.
func breakerValue(state string) float64 {
	switch state {
	case "closed":
		return 0
	case "half-open":
		return 1
	case "open":
		return 2
	}
	return -1
}

func (m *metrics) observeChain(vendor string, c Chain) error {
	label, _ := m.vendors.label(vendor, true)
	if label != vendor {
		return fmt.Errorf("telemetry: vendor name %q is not a usable label", vendor)
	}
	constLabels := prometheus.Labels{"vendor": vendor}
	breaker := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name:        "switchyard_vendor_breaker_state",
		Help:        "The vendor's circuit breaker: 0 closed, 1 half-open, 2 open.",
		ConstLabels: constLabels,
	}, func() float64 { return breakerValue(c.BreakerState()) })
	dedup := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name:        "switchyard_vendor_dedup_shared_total",
		Help:        "Vendor reads answered from an identical read already in flight instead of a call of their own.",
		ConstLabels: constLabels,
	}, func() float64 { return float64(c.DedupShared()) })
	cols := []prometheus.Collector{breaker, dedup}
	if rl, ok := c.(RateLimitedChain); ok {
		cols = append(cols, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "switchyard_vendor_rate_limit_fallback",
			Help:        "1 while the vendor's rate budget shared by replicas (Redis) is unreachable and this replica keeps its share of the rate alone.",
			ConstLabels: constLabels,
		}, func() float64 {
			if rl.RateLimitMode() == "local-fallback" {
				return 1
			}
			return 0
		}), prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "switchyard_vendor_rate_limit_fallbacks_total",
			Help:        "Switches from the vendor's shared rate budget to this replica's share because the budget was unreachable.",
			ConstLabels: constLabels,
		}, func() float64 { return float64(rl.RateLimitFallbacks()) }))
	}
	for _, col := range cols {
		if err := m.reg.Register(col); err != nil {
			return fmt.Errorf("telemetry: observe %s: %w", vendor, err)
		}
	}
	return nil
}

// ObserveCall implements outbound.Observer.
func (t *Telemetry) ObserveCall(vendor, op, status string, d time.Duration) {
	if t == nil {
		return
	}
	m := t.metrics
	vendor, op = m.vendorLabels(vendor, op)
	status = callStatus(status)
	m.vendorCalls.WithLabelValues(vendor, op, status).Inc()
	m.vendorDuration.WithLabelValues(vendor, op, status).Observe(d.Seconds())
}

// ObserveAttempt implements outbound.Observer.
func (t *Telemetry) ObserveAttempt(vendor, status string) {
	if t == nil {
		return
	}
	vendor, _ = t.metrics.vendors.label(vendor, true)
	t.metrics.vendorAttempts.WithLabelValues(vendor, callStatus(status)).Inc()
}

// ObserveCache implements outbound.CacheObserver.
func (t *Telemetry) ObserveCache(vendor, op, outcome string) {
	if t == nil {
		return
	}
	m := t.metrics
	vendor, op = m.vendorLabels(vendor, op)
	switch outcome {
	case outbound.CacheHit, outbound.CacheMiss, outbound.CacheStale, outbound.CacheInvalidate, outbound.CacheInvalidateFailed:
	default:
		outcome = labelOther
	}
	m.vendorCache.WithLabelValues(vendor, op, outcome).Inc()
}

var (
	_ outbound.Observer      = (*Telemetry)(nil)
	_ outbound.CacheObserver = (*Telemetry)(nil)
)

// callStatuses is the closed set outbound reports.
var callStatuses = map[string]bool{
	outbound.Call1xx: true, outbound.Call2xx: true, outbound.Call3xx: true, outbound.Call4xx: true, outbound.Call5xx: true,
	outbound.CallTimeout: true, outbound.CallCanceled: true, outbound.CallCircuitOpen: true,
	outbound.CallRateLimited: true, outbound.CallError: true,
}

func callStatus(s string) string {
	if callStatuses[s] {
		return s
	}
	return outbound.CallError
}

func (m *metrics) vendorLabels(vendor, op string) (string, string) {
	vendor, _ = m.vendors.label(vendor, true)
	if op == "" {
		return vendor, labelUnknown
	}
	m.mu.Lock()
	ops := m.vendorOps[vendor]
	if ops == nil {
		ops = newLabelSet(maxVendorOperations, vendorOperation)
		m.vendorOps[vendor] = ops
	}
	m.mu.Unlock()
	op, _ = ops.label(op, true)
	return vendor, op
}

var (
	// graphqlName is a GraphQL Name of sane length.
	graphqlName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)
	// vendorName and vendorOperation are what our own code uses ("ortto",
	// "list lists", "customers getAll").
	vendorName      = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
	vendorOperation = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9 _.-]{0,63}$`)
)

// labelSet bounds a label's values: a value is kept when it is well formed
// and either already known or admitted while there is room; anything else
// is "other".
type labelSet struct {
	mu    sync.Mutex
	max   int
	valid *regexp.Regexp
	seen  map[string]struct{}
}

func newLabelSet(max int, valid *regexp.Regexp) *labelSet {
	return &labelSet{max: max, valid: valid, seen: map[string]struct{}{}}
}

// label returns the label for v and whether v is its own label. admit
// says whether v may take one of the free places.
func (s *labelSet) label(v string, admit bool) (string, bool) {
	if !s.valid.MatchString(v) {
		return labelOther, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.seen[v]; ok {
		return v, true
	}
	if !admit || len(s.seen) >= s.max {
		return labelOther, false
	}
	s.seen[v] = struct{}{}
	return v, true
}

// opLabels bounds the GraphQL operation label so that junk names cannot
// take it over. A well-formed name gets its own label when it first runs
// (validated) while there is room. A name that has since succeeded
// established times is established and keeps its label for good; the
// others are kept in least-recently-used order, and when the set is full a
// new name takes the place of the least recently used one that is not
// established, whose series are deleted. A burst of junk names therefore
// only ever displaces other junk (and names too rarely used to be
// established); once every place is held by an established name, new
// names are "other".
type opLabels struct {
	mu          sync.Mutex
	max         int
	established int
	names       map[string]*opName
	probation   *list.List // of string: names not established, least recently used first
	onEvict     func(name string)
}

type opName struct {
	successes int
	elem      *list.Element // in probation; nil once established
}

func newOpLabels(max, established int) *opLabels {
	return &opLabels{max: max, established: established, names: map[string]*opName{}, probation: list.New()}
}

// label returns the label for v. admit says whether v may take a place.
func (s *opLabels) label(v string, admit bool) string {
	if !graphqlName.MatchString(v) {
		return labelOther
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if n, ok := s.names[v]; ok {
		if n.elem != nil {
			s.probation.MoveToBack(n.elem)
		}
		return v
	}
	if !admit {
		return labelOther
	}
	if len(s.names) >= s.max {
		oldest := s.probation.Front()
		if oldest == nil {
			return labelOther
		}
		evicted := s.probation.Remove(oldest).(string)
		delete(s.names, evicted)
		if s.onEvict != nil {
			s.onEvict(evicted)
		}
	}
	s.names[v] = &opName{elem: s.probation.PushBack(v)}
	return v
}

// succeeded notes a successful run of v, establishing it after enough.
func (s *opLabels) succeeded(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.names[v]
	if !ok || n.elem == nil {
		return
	}
	if n.successes++; n.successes >= s.established {
		s.probation.Remove(n.elem)
		n.elem = nil
	}
}
