// Package persisted serves persisted queries.
//
// By default clients may use automatic persisted queries (APQ, gqlgen's
// extension.AutomaticPersistedQuery, the protocol of Apollo Client's
// persisted-queries link): a client sends a query's SHA-256 alone in
// extensions.persistedQuery; a gateway that does not know the hash answers
// PERSISTED_QUERY_NOT_FOUND and the client sends hash and query once, which
// registers the query in a cache that replicas share (internal/store).
//
// A manifest of the operations the clients ship (see Manifest) can be
// loaded beside APQ, making each servable by its id from the start. With
// Only set the manifest becomes a safelist: the gateway runs nothing else,
// refusing any other query, by hash or by text, with
// PERSISTED_QUERY_NOT_ALLOWED, and registers nothing.
package persisted

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	gqlerrcode "github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Error codes (extensions.code).
const (
	// CodeNotAllowed refuses, in safelist mode, an operation that is not
	// in the manifest. It is a request error, like a validation failure:
	// gqlgen answers it with 400 under application/graphql-response+json
	// and 422 under application/json (which the gateway's guard turns into
	// the 200 GraphQL over HTTP asks for), with no data.
	CodeNotAllowed = "PERSISTED_QUERY_NOT_ALLOWED"
	// CodeNotFound is gqlgen's answer to a hash it does not know: the
	// client sends the query with the hash to register it.
	CodeNotFound = "PERSISTED_QUERY_NOT_FOUND"
)

// DefaultMaxQueryBytes bounds the queries APQ registers. A larger query
// still runs; it is just sent in full every time. Registration happens
// before a query is validated, so without a bound any client could fill
// the shared cache with large documents.
const DefaultMaxQueryBytes = 64 << 10

func init() {
	// gqlgen picks the HTTP status from the error kind: protocol errors
	// are 400s, like a parse or validation failure.
	gqlerrcode.RegisterErrorType(CodeNotAllowed, gqlerrcode.KindProtocol)
}

// Config is what the environment says about persisted queries (the env
// tags name the variables internal/app/config fills it from).
type Config struct {
	// Only runs nothing but the manifest's operations.
	Only bool `env:"SWITCHYARD_PERSISTED_ONLY"`
	// ManifestPath is the manifest file (see Manifest); required with Only.
	ManifestPath string `env:"SWITCHYARD_PERSISTED_MANIFEST"`
}

// Validate refuses Only without a manifest: it would refuse every query.
func (c Config) Validate() error {
	if c.Only && c.ManifestPath == "" {
		return errors.New("SWITCHYARD_PERSISTED_ONLY needs SWITCHYARD_PERSISTED_MANIFEST, the manifest of the operations to allow")
	}
	return nil
}

// LoadManifest reads the manifest c names; nil, nil when it names none.
func (c Config) LoadManifest() (*Manifest, error) {
	if c.ManifestPath == "" {
		return nil, nil
	}
	return LoadManifest(c.ManifestPath)
}

// Options configure New.
type Options struct {
	// Cache holds APQ registrations (store.Stores.APQ); nil turns APQ
	// registration off (manifest ids are still served).
	Cache graphql.Cache[string]
	// Manifest lists the operations known ahead; may be nil unless Only.
	Manifest *Manifest
	// Only runs nothing but the manifest's operations.
	Only bool
	// MaxQueryBytes bounds the queries APQ registers. Default
	// DefaultMaxQueryBytes.
	MaxQueryBytes int
}

// Queries resolves and polices persisted queries for one gateway. Its
// manifest can be replaced while it serves (SetManifest).
type Queries struct {
	opts     Options
	manifest atomic.Pointer[Manifest]
	cache    graphql.Cache[string] // manifest, then opts.Cache
}

// New checks opts. It fails when Only is set without a manifest.
func New(opts Options) (*Queries, error) {
	if opts.Only && opts.Manifest == nil {
		return nil, errors.New("persisted queries: safelist mode needs a manifest")
	}
	if opts.MaxQueryBytes <= 0 {
		opts.MaxQueryBytes = DefaultMaxQueryBytes
	}
	q := &Queries{opts: opts}
	q.manifest.Store(opts.Manifest)
	q.cache = layered{manifest: q.Manifest, store: opts.Cache, maxBytes: opts.MaxQueryBytes}
	return q, nil
}

// Manifest is the manifest now served; nil when there is none.
func (q *Queries) Manifest() *Manifest { return q.manifest.Load() }

// SetManifest serves m from the next request on, for a manifest reloaded
// without a restart: ids it adds are served (and, in safelist mode,
// allowed), ids it drops are not. It refuses nil in safelist mode, which
// would refuse every query.
func (q *Queries) SetManifest(m *Manifest) error {
	if m == nil && q.opts.Only {
		return errors.New("persisted queries: safelist mode needs a manifest")
	}
	q.manifest.Store(m)
	return nil
}

// Install adds the extension to srv: gqlgen's APQ over the manifest and
// the cache, or, with Only, the safelist (and no APQ, so that nothing can
// be registered). Install it before any other extension that reads the
// query text from the request parameters, since it may fill that text in.
func (q *Queries) Install(srv *handler.Server) {
	if q.opts.Only {
		srv.Use(Safelist{Manifest: q.Manifest(), current: q.Manifest})
		return
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: q.cache})
}

// Lookup returns the query text a persisted-query hash stands for, as the
// extension Install added will resolve it. Pass it as
// idempotency.Options.PersistedQuery, so that a mutation sent by hash is
// guarded like one sent in full.
func (q *Queries) Lookup(ctx context.Context, hash string) (string, bool) {
	if q.opts.Only {
		return q.Manifest().Lookup(hash)
	}
	return q.cache.Get(ctx, hash)
}

// Describe says what is on, for the startup log.
func (q *Queries) Describe() string {
	n := 0
	if m := q.Manifest(); m != nil {
		n = m.Len()
	}
	switch {
	case q.opts.Only:
		return fmt.Sprintf("safelist: only the %d operations of the manifest run; automatic persisted queries cannot register others", n)
	case q.opts.Cache == nil:
		return fmt.Sprintf("persisted queries: the %d operations of the manifest by id; automatic persisted queries off", n)
	case n > 0:
		return fmt.Sprintf("automatic persisted queries on, plus the %d operations of the manifest by id", n)
	default:
		return "automatic persisted queries on"
	}
}

// layered is the APQ cache: the manifest first (its ids need not be
// SHA-256s), then the shared store, which registers queries up to a size.
type layered struct {
	manifest func() *Manifest // the manifest now served
	store    graphql.Cache[string]
	maxBytes int
}

func (l layered) Get(ctx context.Context, hash string) (string, bool) {
	if m := l.manifest(); m != nil {
		if q, ok := m.Lookup(hash); ok {
			return q, true
		}
	}
	if l.store == nil {
		return "", false
	}
	return l.store.Get(ctx, hash)
}

func (l layered) Add(ctx context.Context, hash, query string) {
	if l.store == nil || len(query) > l.maxBytes {
		return
	}
	if m := l.manifest(); m != nil {
		if _, ok := m.Lookup(hash); ok {
			return
		}
	}
	l.store.Add(ctx, hash, query)
}

// Safelist is the gqlgen extension of safelist mode: it runs an operation
// only when its text is in Manifest, or when it is sent by an id (in
// extensions.persistedQuery.sha256Hash) that Manifest holds, filling the
// text in. Anything else is refused with PERSISTED_QUERY_NOT_ALLOWED before
// it is parsed.
type Safelist struct {
	Manifest *Manifest
	// current, when set, is the manifest now served (Queries.Manifest),
	// which a reload replaces; Manifest is then the one at start.
	current func() *Manifest
}

// manifest is the manifest to police requests with.
func (s Safelist) manifest() *Manifest {
	if s.current != nil {
		if m := s.current(); m != nil {
			return m
		}
	}
	return s.Manifest
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = Safelist{}

// ExtensionName implements graphql.HandlerExtension.
func (Safelist) ExtensionName() string { return "SwitchyardPersistedOnly" }

// Validate implements graphql.HandlerExtension.
func (s Safelist) Validate(graphql.ExecutableSchema) error {
	if s.Manifest == nil {
		return errors.New("persisted.Safelist needs a manifest")
	}
	return nil
}

// MutateOperationParameters implements graphql.OperationParameterMutator.
func (s Safelist) MutateOperationParameters(_ context.Context, raw *graphql.RawParams) *gqlerror.Error {
	m := s.manifest()
	if raw.Query != "" {
		if !m.Allows(raw.Query) {
			return notAllowed("this operation is not in the persisted query manifest, and only those may run")
		}
		return nil
	}
	id, ok := persistedID(raw.Extensions)
	if !ok {
		// No query and no id: nothing would run, and gqlgen says so.
		return nil
	}
	q, found := m.Lookup(id)
	if !found {
		return notAllowed("this persisted query id is not in the manifest, and only its operations may run")
	}
	raw.Query = q
	return nil
}

// persistedID is extensions.persistedQuery.sha256Hash; ok is false when
// the request has no persistedQuery extension or no string hash in it.
func persistedID(ext map[string]any) (string, bool) {
	pq, _ := ext["persistedQuery"].(map[string]any)
	id, _ := pq["sha256Hash"].(string)
	return id, id != ""
}

func notAllowed(msg string) *gqlerror.Error {
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": CodeNotAllowed}}
}
