// Package fifthvendorprobe is copied, with the fake echo vendor, into a
// copy of the repository by TestAFifthVendorServesAFieldEndToEnd
// (internal/app/gateway): it serves the echo field through the gateway,
// the sandbox and echo's simulator, as a client would see it.
package fifthvendorprobe

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/vendors/echo/echosim"
)

func TestEchoFieldEndToEnd(t *testing.T) {
	e := gatewaytest.Start(t, gatewaytest.WithCache(time.Minute))

	r := e.Query(`query($m: String!) { echo(message: $m) { message servedBy } }`, map[string]any{"m": "hello from the fifth vendor"})
	require.Empty(t, r.Errors, r.Raw)
	assert.JSONEq(t, `{"echo":{"message":"hello from the fifth vendor","servedBy":"`+echosim.ServedBy+`"}}`, string(r.Data))
	calls := e.APICalls("echo")
	require.Len(t, calls, 1, "one call to echo's simulator")
	assert.Equal(t, "/v1/echo", calls[0].Path)

	r = e.Query(`{ echo(message: "") { message } }`, nil)
	assert.Equal(t, []string{"BAD_USER_INPUT"}, r.Codes(), r.Raw)

	r = e.Query(`{ gateway { vendors { name configured simulated } } }`, nil)
	require.Empty(t, r.Errors, r.Raw)
	assert.Contains(t, string(r.Data), `{"name":"echo","configured":true,"simulated":true}`)

	r = e.Query(`mutation { invalidateCache(vendor: ECHO) { vendor invalidated } }`, nil)
	require.Empty(t, r.Errors, r.Raw)
	assert.JSONEq(t, `{"invalidateCache":{"vendor":"echo","invalidated":true}}`, string(r.Data), "its Vendor enum value reaches its chain")
}
