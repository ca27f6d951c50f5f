// Package redistest starts a throwaway redis-server on loopback for tests,
// skipping the test when redis-server is not installed, so that `go test
// ./...` passes on a machine without Redis while CI (which installs it)
// runs every Redis test.
package redistest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// startTimeout bounds how long a redis-server may take to answer PING.
const startTimeout = 10 * time.Second

// Server is a running redis-server, stopped when the test ends.
type Server struct {
	// Addr is host:port on loopback.
	Addr string
	// URL is redis://Addr/0, as SWITCHYARD_REDIS_URL takes it.
	URL string

	t    testing.TB
	bin  string
	dir  string
	port int
	opts Options
	mu   sync.Mutex
	cmd  *exec.Cmd
	stop func()
}

// Options are the persistence settings of a test Redis. The zero value
// is persistence off, as Start runs it.
type Options struct {
	// AOF turns on the append-only file, with Fsync as appendfsync
	// ("always", "everysec" or "no"; default "everysec", Redis's own).
	AOF   bool
	Fsync string
}

// Start runs redis-server on a free loopback port with persistence off and
// its working directory in t.TempDir(), and stops it when t ends. It calls
// t.Skip when redis-server is not on PATH.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartWith(t, Options{})
}

// StartWith is Start with the persistence opts.
func StartWith(t testing.TB, opts Options) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not on PATH; install it (Debian: apt-get install -y redis-server) to run the Redis tests")
	}
	// The port is picked by listening on :0 and closing, so another process
	// may take it before redis-server binds; try a few times.
	var lastErr error
	for range 3 {
		port, err := freePort()
		if err != nil {
			lastErr = err
			continue
		}
		s := &Server{t: t, bin: bin, dir: t.TempDir(), port: port, opts: opts}
		s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		s.URL = "redis://" + s.Addr + "/0"
		if lastErr = s.start(); lastErr == nil {
			t.Cleanup(s.Kill)
			return s
		}
	}
	t.Fatalf("start redis-server: %v", lastErr)
	return nil
}

func (s *Server) start() error {
	aof, fsync := "no", s.opts.Fsync
	if s.opts.AOF {
		aof = "yes"
	}
	if fsync == "" {
		fsync = "everysec"
	}
	var out syncBuffer
	cmd := exec.Command(s.bin,
		"--bind", "127.0.0.1",
		"--port", strconv.Itoa(s.port),
		"--save", "",
		"--appendonly", aof,
		"--appendfsync", fsync,
		"--dir", s.dir,
		"--daemonize", "no",
		"--protected-mode", "yes",
	)
	cmd.Dir = s.dir
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return err
	}
	// exited is closed, and waitErr set, when the process has exited.
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGCONT) // a frozen server must be able to die
		_ = cmd.Process.Kill()
		<-exited
	}
	if err := waitReady(s.Addr, exited, func() error { return waitErr }); err != nil {
		stop()
		return fmt.Errorf("%w; redis-server output:\n%s", err, out.String())
	}
	s.mu.Lock()
	s.cmd, s.stop = cmd, stop
	s.mu.Unlock()
	return nil
}

func (s *Server) signal(sig syscall.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		_ = s.cmd.Process.Signal(sig)
	}
}

// Freeze stops the server with SIGSTOP: connections stay open and nothing
// answers, as a Redis stuck in a long command or a paused VM.
func (s *Server) Freeze() { s.signal(syscall.SIGSTOP) }

// Thaw resumes a frozen server.
func (s *Server) Thaw() { s.signal(syscall.SIGCONT) }

// Kill ends the server at once (SIGKILL: no shutdown, no final fsync).
func (s *Server) Kill() {
	s.mu.Lock()
	stop := s.stop
	s.stop, s.cmd = nil, nil
	s.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// Restart kills the server and starts it again on the same port and
// directory, so that what it persisted (with AOF) is loaded back.
func (s *Server) Restart() {
	s.t.Helper()
	s.Kill()
	if err := s.start(); err != nil {
		s.t.Fatalf("restart redis-server: %v", err)
	}
}

// Client returns a client of s, closed when t ends.
func (s *Server) Client(t testing.TB) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: s.Addr})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls addr with PING until it answers, the process exits, or
// startTimeout passes.
func waitReady(addr string, exited <-chan struct{}, waitErr func() error) error {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second})
	defer c.Close()
	deadline := time.Now().Add(startTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("redis-server exited: %v", waitErr())
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redis-server on %s did not answer within %s: %w", addr, startTimeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
