package appdirectsim

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/switchyard/switchyard/internal/base/simkit"
)

// Name is the simulator's vendor name: its path prefix under simkit.Mux
// and its fault key.
const Name = "appdirect"

// Options configures a simulator.
type Options struct {
	Addr       string           // listen address, default "127.0.0.1:0"
	NoListener bool             // build the handler only (for mounting under a prefix by simkit.Mux)
	Recorder   *simkit.Recorder // optional; nil = a private one
	Faults     *simkit.Faults   // optional; nil = a private one
	Empty      bool             // start with no demo data

	// ClientID and ClientSecret are the OAuth2 client credentials the token
	// endpoint accepts; empty means the sandbox constants.
	ClientID     string
	ClientSecret string
	// TokenTTL is the lifetime of issued access tokens (expires_in);
	// zero means AppDirect's 43199 s.
	TokenTTL time.Duration
}

// Server is a stateful AppDirect simulator: OAuth2 token endpoint, REST
// companies and the GraphQL accounts API over one store.
type Server struct {
	*simkit.Host
	store  *store
	tokens *tokenIssuer
}

// New builds the simulator and, unless opts.NoListener, starts serving it
// on loopback.
func New(opts Options) (*Server, error) {
	if opts.ClientID == "" {
		opts.ClientID = ClientID
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = ClientSecret
	}
	s := &Server{
		store:  newStore(opts.Empty),
		tokens: newTokenIssuer(opts.ClientID, opts.ClientSecret, opts.TokenTTL),
	}
	host, err := simkit.StartHost(Name, simkit.HostOptions{Addr: opts.Addr, NoListener: opts.NoListener, Recorder: opts.Recorder, Faults: opts.Faults}, faultBody, s.routes())
	if err != nil {
		return nil, err
	}
	s.Host = host
	return s, nil
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/oauth2/token", s.handleToken)
	mux.HandleFunc("/api/account/v2/companies", methods(s.requireBearer(s.handleCompanies), http.MethodGet))
	mux.HandleFunc("/api/account/v2/companies/{key}", methods(s.requireBearer(s.handleCompany), http.MethodGet))
	mux.HandleFunc("/api/graphql", methods(s.requireBearer(newGraphQLHandler(s.store, false).ServeHTTP), http.MethodPost))
	mux.HandleFunc("/api/graphql/preview", methods(s.requireBearer(newGraphQLHandler(s.store, true).ServeHTTP), http.MethodPost))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "No resource found at "+r.URL.Path)
	})
	return mux
}

// methods answers 405 with the vendor's error body for any other method,
// instead of ServeMux's plain-text one.
func methods(h http.HandlerFunc, allowed ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for _, m := range allowed {
			if r.Method == m || (m == http.MethodGet && r.Method == http.MethodHead) {
				h(w, r)
				return
			}
		}
		writeMethodNotAllowed(w, allowed...)
	}
}

// apiError is the REST error body. Inference: AppDirect's documented error
// section was not available; {code, message} is what its v2 APIs are seen
// to send.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	simkit.WriteJSON(w, status, apiError{Code: code, Message: msg})
}

func writeMethodNotAllowed(w http.ResponseWriter, allowed ...string) {
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	writeError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "Request method not supported")
}

// faultBody renders an injected failure the way AppDirect would: the
// Spring OAuth2 body for 401, {code, message} for everything else.
func faultBody(status, retryAfterSeconds int, message string) []byte {
	if status == http.StatusUnauthorized {
		if message == "" {
			message = "Invalid access token"
		}
		b, _ := json.Marshal(oauthError{"invalid_token", message})
		return b
	}
	text := http.StatusText(status)
	if text == "" {
		text = "Error"
	}
	msg := text
	if retryAfterSeconds > 0 {
		msg += "; retry after " + strconv.Itoa(retryAfterSeconds) + " seconds"
	}
	if message != "" {
		msg = message
	}
	b, _ := json.Marshal(apiError{Code: strings.ToUpper(strings.ReplaceAll(text, " ", "_")), Message: msg})
	return b
}

// State returns every account, in AppDirect's GraphQL field names plus
// the simulator-only memberships and activeSubscriptions counts.
func (s *Server) State() ([]byte, error) { return s.store.state() }

// SetState replaces every account with those in doc (same shape as State).
func (s *Server) SetState(doc []byte) error { return s.store.setState(doc) }

// Reset restores the demo accounts.
func (s *Server) Reset() { s.store.reset() }

var _ simkit.Vendor = (*Server)(nil)
