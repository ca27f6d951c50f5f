package outboundtest

import (
	"bytes"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Reply is one answer of a Server.
type Reply struct {
	Status     int
	RetryAfter string // sent as is when not empty
	Body       []byte
	// Truncate promises more body than is sent: the client sees the
	// connection close mid-body, a transport error.
	Truncate bool
	// ContentType defaults to application/json.
	ContentType string
}

// Route turns the current reply into the one a request gets, and says
// whether its body counts among the bodies Sent reports. A vendor whose
// server echoes the request (its URL, its key) rewrites the body here.
type Route func(r *http.Request, current Reply) (send Reply, record bool)

// Server is an httptest server answering every request with the reply of
// the current fuzz input. Fuzz inputs run one at a time within a process;
// the lock is for the server's goroutines.
type Server struct {
	// URL is the server's base URL.
	URL string
	// Client reaches the server and gives up after 5 s, so a hung call
	// fails its input instead of stalling the fuzzer.
	Client *http.Client

	route Route
	mu    sync.Mutex
	reply Reply
	sent  [][]byte
}

// NewServer starts a Server closed at the end of tb. With a nil route
// every request gets the current reply as it is, and every body sent
// counts.
func NewServer(tb testing.TB, route Route) *Server {
	s := &Server{route: route}
	ts := httptest.NewServer(s)
	tb.Cleanup(ts.Close)
	s.URL = ts.URL
	s.Client = ts.Client()
	// Short: a truncated reply (Content-Length longer than the body) waits
	// for the timeout, and one input may make several calls; a long wait
	// per input starves the fuzzer (and trips -fuzztime's deadline).
	s.Client.Timeout = 250 * time.Millisecond
	return s
}

// Answer makes the fuzzed reply the server's answer until the next call
// and forgets the bodies sent so far. It returns the status the server
// answers with: Status(code), a 1xx moved to 2xx, since an interim reply is
// not one a handler can end with.
func (s *Server) Answer(code uint16, retryAfter string, body []byte, truncate bool) int {
	status := Status(code)
	if status < 200 {
		status += 100
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reply = Reply{Status: status, RetryAfter: retryAfter, Body: body, Truncate: truncate}
	s.sent = nil
	return status
}

// Sent is the bodies sent and counted since Answer, joined by newlines:
// all the text the vendor could have put into an error.
func (s *Server) Sent() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Join(s.sent, []byte("\n"))
}

// ServeHTTP answers r with the current reply, through the route if any.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	reply, record := s.reply, true
	if s.route != nil {
		reply, record = s.route(r, reply)
	}
	if record {
		s.sent = append(s.sent, reply.Body)
	}
	s.mu.Unlock()
	if reply.RetryAfter != "" {
		w.Header()["Retry-After"] = []string{reply.RetryAfter}
	}
	if reply.ContentType == "" {
		reply.ContentType = "application/json"
	}
	w.Header().Set("Content-Type", reply.ContentType)
	if reply.Truncate {
		w.Header().Set("Content-Length", strconv.Itoa(len(reply.Body)+8))
	}
	w.WriteHeader(reply.Status)
	_, _ = w.Write(reply.Body)
}

// Fixtures calls add with every file whose name ends in ext below dir of
// the shared recorded replies (shared/fixtures/<dir> beside the repository,
// as seen from a vendor's package directory, where go test runs; dir is
// slash-separated, e.g. "acme/vcr"). A missing folder adds nothing: the
// fixtures are optional seeds.
func Fixtures(dir, ext string, add func(raw []byte)) {
	root := filepath.Join("..", "..", "..", "shared", "fixtures", filepath.FromSlash(dir))
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ext) {
			return nil
		}
		if raw, err := os.ReadFile(path); err == nil {
			add(raw)
		}
		return nil
	})
}
