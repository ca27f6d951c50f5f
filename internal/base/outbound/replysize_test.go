package outbound_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// hugeVendor answers every request with size bytes of a JSON string,
// announced (Content-Length) or streamed (chunked), and counts what it
// managed to send.
func hugeVendor(t *testing.T, size int64, announce bool) (*httptest.Server, *atomic.Int64, *atomic.Int32) {
	var sent atomic.Int64
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if announce {
			w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
		}
		chunk := make([]byte, 64<<10)
		for i := range chunk {
			chunk[i] = 'x'
		}
		for left := size; left > 0; {
			n := min(left, int64(len(chunk)))
			m, err := w.Write(chunk[:n])
			sent.Add(int64(m))
			if err != nil {
				return
			}
			left -= n
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &sent, &calls
}

func readVia(c *http.Client, url string) (int, error) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return len(b), err
}

// A reply past the vendor's bound fails with KindReplyTooLarge, not
// retried; one announced larger is refused before its body is read.
func TestReplyLargerThanTheBoundFails(t *testing.T) {
	const max = 64 << 10
	for _, tc := range []struct {
		name     string
		size     int64
		announce bool
		ok       bool
	}{
		{"exactly the bound", max, true, true},
		{"exactly the bound, streamed", max, false, true},
		{"announced larger", 100 << 20, true, false},
		{"streamed larger", 100 << 20, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, sent, calls := hugeVendor(t, tc.size, tc.announce)
			c := newChain(t, outbound.ChainOptions{MaxReplyBytes: max}).Client()
			n, err := readVia(c, srv.URL)
			if tc.ok {
				require.NoError(t, err)
				assert.EqualValues(t, max, n)
				return
			}
			var e *outbound.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, outbound.KindReplyTooLarge, e.Kind)
			assert.Contains(t, e.Error(), strconv.Itoa(max))
			assert.EqualValues(t, 1, calls.Load(), "not retried: the vendor would send it again")
			assert.Less(t, sent.Load(), int64(10<<20), "the gateway stopped reading long before the end")
		})
	}
}

// Five concurrent 100 MB replies through a chain with the defaults (cache
// and dedup on, as the gateway runs it) allocate a bounded amount, not
// 100 MB each: the bound holds while the reply is read, in every layer.
// On adb9586 each layer that reads a body whole held up to 16 MiB (twice
// that in growth), per request.
func TestConcurrentHugeRepliesAllocateLittle(t *testing.T) {
	if raceDetector {
		t.Skip("the race detector multiplies allocations; the ceiling is checked without it (go test ./...)")
	}
	srv, _, _ := hugeVendor(t, 100<<20, false)
	c := newChain(t, outbound.ChainOptions{Cache: outbound.CacheOptions{Store: memStore(t)}}).Client()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+"/?i="+strconv.Itoa(i), nil)
			resp, err := c.Do(req)
			if err == nil {
				_, err = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			var e *outbound.Error
			assert.ErrorAs(t, err, &e)
		}()
	}
	wg.Wait()
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %d MiB for 5 replies of 100 MiB", allocated>>20)
	assert.Less(t, allocated, uint64(5*4*outbound.DefaultMaxReplyBytes), "at most a few copies of the 4 MiB bound per reply")
}
