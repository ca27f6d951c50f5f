package outbound_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// TestCallBudget: a request's context carries a budget of vendor calls
// that the chain spends call by call, across vendors, and refuses past,
// without calling the vendor. A retried call is one call.
func TestCallBudget(t *testing.T) {
	v := newVendor(t, func(w http.ResponseWriter, _ *http.Request, attempt int) {
		if attempt == 1 {
			w.WriteHeader(http.StatusServiceUnavailable) // one retry, same call
		}
	})
	a := newChain(t, outbound.ChainOptions{Vendor: "acme", NoDedup: true})
	b := newChain(t, outbound.ChainOptions{Vendor: "other", NoDedup: true})

	cases := []struct {
		name    string
		budget  int
		allowed int
	}{
		{"a budget of three", 3, 3},
		{"a budget of one", 1, 1},
		{"no budget", 0, 6},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v.attempts.Store(1) // past the first, failing attempt after the first case
			ledger := &outbound.Calls{}
			ledger.SetBudget(tc.budget)
			ctx := outbound.WithHooks(context.Background(), outbound.Hooks{Ledger: ledger})
			var refused []*outbound.Error
			for i := range 6 {
				chain := a
				if i%2 == 1 {
					chain = b
				}
				if e := call(t, ctx, chain, "GET", v.URL+"/"+strconv.Itoa(i), ""); e != nil {
					refused = append(refused, e)
				}
			}
			require.Len(t, refused, 6-tc.allowed)
			for _, e := range refused {
				assert.Equal(t, outbound.KindBudgetExceeded, e.Kind)
				assert.False(t, e.Retryable)
				assert.Zero(t, e.HTTPStatus)
				assert.Contains(t, e.Error(), "vendor calls")
			}
			if tc.budget > 0 {
				assert.Equal(t, 6, ledger.Spent(), "refused calls are counted too")
				assert.Equal(t, map[string]int{"acme": 3, "other": 3}, ledger.Asked(), "and were asked for")
			}
		})
	}

	t.Run("retries are not calls", func(t *testing.T) {
		v.attempts.Store(0)
		ledger := &outbound.Calls{}
		ledger.SetBudget(1)
		ctx := outbound.WithHooks(context.Background(), outbound.Hooks{Ledger: ledger})
		require.Nil(t, call(t, ctx, a, "GET", v.URL, ""))
		assert.Equal(t, 2, v.count(), "503 then 200")
		assert.Equal(t, 1, ledger.Spent())
	})
}
