package outbound_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/vendors/apptivo"
)

// apptivoReply answers with HTTP 200 and body, the way Apptivo reports
// failures.
func apptivoReply(body string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}
}

// TestRetryReadsTheDescriptorsVerdictIn2xx: a vendor that reports its
// rate limit inside a 200 (Apptivo) gets its reads retried, because the
// chain asks the descriptor's Check, the same one the client uses; a 200
// FAILURE that is not transient, a mutation, and a descriptor without
// ErrorsIn2xx are not retried.
func TestRetryReadsTheDescriptorsVerdictIn2xx(t *testing.T) {
	limited := apptivoReply(`{"status":"FAILURE","reason":"Rate limit exceeded"}`)
	notFound := apptivoReply(`{"status":"FAILURE","reason":"Customer not found"}`)
	ok := apptivoReply(`{"status":"SUCCESS","customer":{"customerId":1}}`)
	noIn2xx := apptivo.Vendor
	noIn2xx.ErrorsIn2xx = false
	cases := []struct {
		name    string
		method  string
		desc    outbound.Vendor
		replies []func(http.ResponseWriter)
		want    int
	}{
		{name: "rate-limited read retried", method: http.MethodGet, desc: apptivo.Vendor, replies: []func(http.ResponseWriter){limited, ok}, want: 2},
		{name: "rate-limited read retried until attempts run out", method: http.MethodGet, desc: apptivo.Vendor, replies: []func(http.ResponseWriter){limited}, want: 3},
		{name: "not-found read not retried", method: http.MethodGet, desc: apptivo.Vendor, replies: []func(http.ResponseWriter){notFound, ok}, want: 1},
		{name: "rate-limited mutation sent once", method: http.MethodPost, desc: apptivo.Vendor, replies: []func(http.ResponseWriter){limited, ok}, want: 1},
		{name: "2xx unread without ErrorsIn2xx", method: http.MethodGet, desc: noIn2xx, replies: []func(http.ResponseWriter){limited, ok}, want: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := newVendor(t, func(w http.ResponseWriter, _ *http.Request, n int) {
				tc.replies[min(n, len(tc.replies))-1](w)
			})
			c := newChain(t, outbound.ChainOptions{Descriptor: tc.desc, NoDedup: true})
			req, err := http.NewRequestWithContext(context.Background(), tc.method, v.URL, nil)
			require.NoError(t, err)
			resp, err := c.Client().Do(req)
			require.NoError(t, err)
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			assert.Equal(t, tc.want, v.count(), "attempts")
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.True(t, strings.HasPrefix(string(body), `{"status":`), "the last reply comes back whole: %s", body)
		})
	}
}

// TestRetryHandsBackLongRepliesWhole: a 2xx the chain reads for a vendor
// with ErrorsIn2xx, longer than any error document, reaches the client
// whole: what was read for the verdict, then the rest.
func TestRetryHandsBackLongRepliesWhole(t *testing.T) {
	long := `{"status":"SUCCESS","data":"` + strings.Repeat("x", 1<<20) + `"}`
	v := newVendor(t, func(w http.ResponseWriter, _ *http.Request, _ int) { apptivoReply(long)(w) })
	c := newChain(t, outbound.ChainOptions{Descriptor: apptivo.Vendor, NoDedup: true})
	resp, err := c.Client().Get(v.URL)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, 1, v.count())
	assert.Equal(t, long, string(body))
}
