package cordialsim

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/switchyard/switchyard/internal/base/simkit"
)

// APIKey is the sandbox API key the simulator accepts by default.
const APIKey = "sandbox-cordial-key"

// name is the simulator's mount prefix and fault key.
const name = "cordial"

// Options configures a simulator.
type Options struct {
	Addr       string           // listen address, default "127.0.0.1:0"
	NoListener bool             // build the handler only (for mounting under a prefix by simkit.Mux)
	Recorder   *simkit.Recorder // optional; nil = a private one
	Faults     *simkit.Faults   // optional; nil = a private one
	Empty      bool             // start with no demo data
	// APIKey is the Basic-auth username accepted; default APIKey.
	APIKey string
}

// Server is a running Cordial simulator.
type Server struct {
	*simkit.Host
	key   string
	store *store
}

var _ simkit.Vendor = (*Server)(nil)

// New builds a simulator and, unless opts.NoListener, starts serving it on
// loopback.
func New(opts Options) (*Server, error) {
	s := &Server{key: opts.APIKey, store: newStore(!opts.Empty)}
	if s.key == "" {
		s.key = APIKey
	}
	host, err := simkit.StartHost(name, simkit.HostOptions{Addr: opts.Addr, NoListener: opts.NoListener, Recorder: opts.Recorder, Faults: opts.Faults}, faultBody, http.HandlerFunc(s.serve))
	if err != nil {
		return nil, err
	}
	s.Host = host
	return s, nil
}

// State returns {"accountlists":[...]}.
func (s *Server) State() ([]byte, error) { return s.store.state() }

// SetState replaces the whole state; a malformed document is rejected and
// leaves the state unchanged.
func (s *Server) SetState(doc []byte) error { return s.store.setState(doc) }

// Reset restores the demo data.
func (s *Server) Reset() { s.store.reset() }

// faultBody is Cordial's error body for an injected status.
func faultBody(status, retryAfterSeconds int, message string) []byte {
	if message == "" {
		message = "simulated fault"
	}
	b, _ := json.Marshal(errorBody{Error: true, ErrorKey: "SIMULATED_FAULT", Message: message})
	return b
}

// errorBody is Cordial's documented error shape.
type errorBody struct {
	Error    bool   `json:"error"`
	ErrorKey string `json:"errorKey"`
	Message  string `json:"message"`
}

func writeError(w http.ResponseWriter, status int, key, msg string) {
	simkit.WriteJSON(w, status, errorBody{Error: true, ErrorKey: key, Message: msg})
}

// 404 bodies differ by route, as in the spec.
func listNotExist(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, "ACCOUNT_LISTS_NOT_FOUND", "List does not exist")
}

func listNotFound(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, "GENERIC_ERROR_KEY", "List is not found")
}

func recordNotFound(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, "RECORD_NOT_FOUND", "record not found")
}

// ruleError writes the 422 for a create/update rule violation.
func ruleError(w http.ResponseWriter, err error) {
	writeError(w, http.StatusUnprocessableEntity, "GENERIC_ERROR_KEY", ruleMessage(err))
}

func (s *Server) authorized(r *http.Request) bool {
	user, _, ok := r.BasicAuth()
	return ok && subtle.ConstantTimeCompare([]byte(user), []byte(s.key)) == 1
}

const collection = "/v2/accountlists"

// serve authenticates, checks the body's media type and routes.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", "Basic")
		simkit.WriteJSON(w, http.StatusUnauthorized, map[string]string{"error": "Access Denied: Authentication Failure"})
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "INVALID_JSON_PROVIDED", "Invalid JSON provided")
		return
	}
	if len(body) > 0 && !supportedMediaType(r.Header.Get("Content-Type")) {
		writeError(w, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "Unsupported media type. Use application/json or application/x-www-form-urlencoded")
		return
	}

	path := r.URL.Path
	var rawID, sub string
	switch {
	case path == collection:
	case strings.HasPrefix(path, collection+"/"):
		parts := strings.Split(strings.TrimPrefix(path, collection+"/"), "/")
		if len(parts) > 2 || len(parts) == 2 && parts[1] != "count" && parts[1] != "clear" {
			notFoundPath(w, path)
			return
		}
		rawID = parts[0]
		if len(parts) == 2 {
			sub = parts[1]
		}
	default:
		notFoundPath(w, path)
		return
	}

	allowedQuery := []string{}
	if path == collection && r.Method == http.MethodGet {
		allowedQuery = []string{"name"}
	}
	if !checkQuery(w, r, allowedQuery...) {
		return
	}

	// An id that is not a positive integer can name no list; it is answered
	// like an unknown id (id 0 is never assigned).
	id, _ := strconv.ParseInt(rawID, 10, 64)

	switch {
	case path == collection && r.Method == http.MethodGet:
		s.lists(w, r)
	case path == collection && r.Method == http.MethodPost:
		s.create(w, r, body)
	case path == collection:
		methodNotAllowed(w, "GET, POST")
	case sub == "" && r.Method == http.MethodGet:
		s.get(w, id)
	case sub == "" && r.Method == http.MethodPut:
		s.update(w, r, id, body)
	case sub == "" && r.Method == http.MethodDelete:
		s.remove(w, id)
	case sub == "":
		methodNotAllowed(w, "GET, PUT, DELETE")
	case sub == "count" && r.Method == http.MethodGet:
		s.count(w, id)
	case sub == "count":
		methodNotAllowed(w, "GET")
	case sub == "clear" && r.Method == http.MethodPut:
		s.clear(w, id)
	default:
		methodNotAllowed(w, "PUT")
	}
}

func supportedMediaType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || mt == "application/x-www-form-urlencoded")
}

func notFoundPath(w http.ResponseWriter, path string) {
	simkit.WriteJSON(w, http.StatusNotFound, map[string]string{"error": "'" + path + "' is not found."})
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	writeError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "Method Not Allowed")
}

// listInput is a parsed POST/PUT body; nil fields were absent.
type listInput struct {
	id       *int64
	name     *string
	enhanced *bool
}

// Body keys each write takes. POST: the document's and the spec's
// parameters (name, enhanced). PUT: the document's (id, name, enhanced);
// the spec's body schema (List) has only name and enhanced, and the id is
// in the path, so id is accepted but not required, and when given must be
// the path's id. Any other key is refused (see unknownKeyError).
var (
	createKeys = []string{"name", "enhanced"}
	updateKeys = []string{"id", "name", "enhanced"}
)

// unknownKeyError is a body key the endpoint does not take. Cordial
// refuses those, live, with 422 and {"error":true,"messages":
// {"validationErrors":{"<key>":["key <key> is not part of the schema for
// this resource"]}}} (recorded: fixtures/cordial/vcr/Cordial_Contacts/
// _create/has_the_correct_payload.yml); the simulator answers the same, so
// a misspelled enhanced is not silently ignored.
type unknownKeyError struct{ key string }

func (e unknownKeyError) Error() string { return "unknown key " + e.key }

// validationError is a field-level refusal in Cordial's recorded
// validationErrors shape.
type validationError struct{ key, msg string }

func (e validationError) Error() string { return e.key + ": " + e.msg }

func writeValidation(w http.ResponseWriter, key, msg string) {
	simkit.WriteJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": true,
		"messages": map[string]any{"validationErrors": map[string][]string{key: {msg}}}})
}

// errBadJSON and errBadField separate a body that is not JSON (400) from
// one with a field of the wrong type (422).
var (
	errBadJSON  = errors.New("invalid json")
	errBadField = errors.New("bad field")
)

// parseInput reads a JSON or form body, refusing keys outside allowed.
func parseInput(r *http.Request, body []byte, allowed []string) (listInput, error) {
	var in listInput
	if len(body) == 0 {
		return in, nil
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	raw := map[string]json.RawMessage{}
	if mt == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return in, errBadField
		}
		for k := range form {
			v := form.Get(k)
			if k == "enhanced" {
				b, err := strconv.ParseBool(v)
				if err != nil {
					return in, errBadField
				}
				v = strconv.FormatBool(b)
			} else if k != "id" {
				q, _ := json.Marshal(v)
				v = string(q)
			}
			raw[k] = json.RawMessage(v)
		}
	} else if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		return in, errBadJSON
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !slices.Contains(allowed, k) {
			return in, unknownKeyError{k}
		}
	}
	if v, ok := raw["id"]; ok && string(v) != "null" {
		var id int64
		if err := json.Unmarshal(v, &id); err != nil {
			return in, validationError{"id", "The id must be an integer."}
		}
		in.id = &id
	}
	if v, ok := raw["name"]; ok && string(v) != "null" {
		var n string
		if err := json.Unmarshal(v, &n); err != nil {
			return in, errBadField
		}
		in.name = &n
	}
	if v, ok := raw["enhanced"]; ok && string(v) != "null" {
		var b bool
		if err := json.Unmarshal(v, &b); err != nil {
			return in, errBadField
		}
		in.enhanced = &b
	}
	return in, nil
}

// inputError writes the reply for a parseInput failure.
func inputError(w http.ResponseWriter, err error) {
	var uk unknownKeyError
	var ve validationError
	switch {
	case errors.Is(err, errBadJSON):
		writeError(w, http.StatusBadRequest, "INVALID_JSON_PROVIDED", "Invalid JSON provided")
	case errors.As(err, &uk):
		writeValidation(w, uk.key, "key "+uk.key+" is not part of the schema for this resource")
	case errors.As(err, &ve):
		writeValidation(w, ve.key, ve.msg)
	default:
		writeError(w, http.StatusUnprocessableEntity, "VALIDATION_ERROR", "name must be a string and enhanced a boolean")
	}
}

// checkQuery refuses query parameters the route does not document: only
// GET /v2/accountlists takes one (name).
func checkQuery(w http.ResponseWriter, r *http.Request, allowed ...string) bool {
	for k := range r.URL.Query() {
		if !slices.Contains(allowed, k) {
			writeValidation(w, k, "key "+k+" is not part of the schema for this resource")
			return false
		}
	}
	return true
}

// successID is ListCreationSuccess, in the spec's key order.
type successID struct {
	Success bool  `json:"success"`
	ID      int64 `json:"id"`
}

func (s *Server) lists(w http.ResponseWriter, r *http.Request) {
	out := []show{}
	for _, l := range s.store.all(r.URL.Query().Get("name")) {
		out = append(out, l.show())
	}
	simkit.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) create(w http.ResponseWriter, r *http.Request, body []byte) {
	in, err := parseInput(r, body, createKeys)
	if err != nil {
		inputError(w, err)
		return
	}
	if in.name == nil {
		ruleError(w, errInvalidName)
		return
	}
	enhanced := in.enhanced != nil && *in.enhanced
	l, err := s.store.create(*in.name, enhanced)
	if err != nil {
		ruleError(w, err)
		return
	}
	simkit.WriteJSON(w, http.StatusOK, successID{Success: true, ID: l.ID})
}

func (s *Server) get(w http.ResponseWriter, id int64) {
	l, err := s.store.get(id)
	if err != nil {
		listNotExist(w)
		return
	}
	simkit.WriteJSON(w, http.StatusOK, l.show())
}

func (s *Server) count(w http.ResponseWriter, id int64) {
	l, err := s.store.get(id)
	if err != nil {
		listNotExist(w)
		return
	}
	simkit.WriteJSON(w, http.StatusOK, l)
}

func (s *Server) update(w http.ResponseWriter, r *http.Request, id int64, body []byte) {
	if _, err := s.store.get(id); err != nil {
		listNotFound(w)
		return
	}
	in, err := parseInput(r, body, updateKeys)
	if err != nil {
		inputError(w, err)
		return
	}
	if in.id != nil && *in.id != id {
		writeValidation(w, "id", "The id must be the id of the list in the path.")
		return
	}
	l, err := s.store.update(id, in.name, in.enhanced)
	switch {
	case errors.Is(err, errNotFound): // deleted since the check above
		listNotFound(w)
	case err != nil:
		ruleError(w, err)
	default:
		simkit.WriteJSON(w, http.StatusOK, []show{l.show()})
	}
}

func (s *Server) clear(w http.ResponseWriter, id int64) {
	if err := s.store.clear(id); err != nil {
		listNotExist(w)
		return
	}
	simkit.WriteJSON(w, http.StatusOK, successID{Success: true, ID: id})
}

func (s *Server) remove(w http.ResponseWriter, id int64) {
	if err := s.store.remove(id); err != nil {
		recordNotFound(w)
		return
	}
	simkit.WriteJSON(w, http.StatusOK, map[string]bool{"success": true})
}
