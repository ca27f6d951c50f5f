package e2e

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/base/simkit"
)

const (
	faultVendorTimeout  = 300 * time.Millisecond
	faultRequestTimeout = 2 * time.Second
)

// withFaultTimeouts sets the deadlines the fault table is written for.
func withFaultTimeouts() gatewaytest.Option {
	return func(s *gatewaytest.Setup) {
		gatewaytest.WithClientTimeout(faultVendorTimeout)(s)
		gatewaytest.WithoutRateLimits()(s)
		s.Config.RequestTimeout = faultRequestTimeout
	}
}

// fanOut reads from all four vendors with root fields only.
const fanOut = `{
  accounts(first: 2) { nodes { id } }
  customers(first: 2) { nodes { id } }
  accountLists { id }
  people(refs: [{email: "ada.lovelace@example.com"}]) { id }
}`

var vendorField = map[string]string{"appdirect": "accounts", "apptivo": "customers", "cordial": "accountLists", "ortto": "people"}

// fanOutVendors are the vendors fanOut reads, in order: not the registry,
// which may hold a vendor fanOut does not call.
func fanOutVendors() []string { return slices.Sorted(maps.Keys(vendorField)) }

// For every fault mode and every vendor: the other vendors' data arrives,
// the failing field is null with the right code, the response comes
// within the deadline (plus slack for a loaded machine), and the vendor saw the expected number
// of attempts (reads retried only where a retry can help).
func TestFaultTable(t *testing.T) {
	t.Parallel()
	faults := []struct {
		name     string
		fault    simkit.Fault
		code     string
		attempts int
	}{
		{"latency past the timeout", simkit.Fault{LatencyMs: 1000}, "VENDOR_TIMEOUT", 1},
		{"500", simkit.Fault{Status: 500}, "VENDOR_ERROR", 1},
		{"503 with Retry-After", simkit.Fault{Status: 503, RetryAfterSeconds: 1}, "VENDOR_UNAVAILABLE", 2},
		{"429 with Retry-After", simkit.Fault{Status: 429, RetryAfterSeconds: 1}, "VENDOR_RATE_LIMITED", 2},
		{"connection reset", simkit.Fault{Reset: true}, "VENDOR_UNAVAILABLE", 3},
		{"malformed JSON", simkit.Fault{Malformed: true}, "VENDOR_ERROR", 1},
		{"body stalls halfway", simkit.Fault{StallMs: 1000}, "VENDOR_TIMEOUT", 1},
	}
	for _, f := range faults {
		for vendor, field := range vendorField {
			t.Run(f.name+"/"+vendor, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, withFaultTimeouts())
				warm := e.Query(fanOut, nil) // AppDirect's token is fetched here, before the fault
				require.Empty(t, warm.Errors, warm.Raw)
				e.Sandbox.Recorder.Clear()
				fault := f.fault
				fault.Vendor = vendor
				e.Sandbox.Faults.Set(fault)

				start := time.Now()
				r := e.Query(fanOut, nil)
				elapsed := time.Since(start)

				assert.Equal(t, http.StatusOK, r.Status)
				assert.LessOrEqual(t, elapsed, faultRequestTimeout+500*time.Millisecond, "answered at the deadline, not after")
				require.Len(t, r.Errors, 1, r.Raw)
				assert.Equal(t, f.code, r.Errors[0].Extensions["code"], r.Raw)
				assert.Equal(t, vendor, r.Errors[0].Extensions["vendor"])
				assert.Equal(t, []any{field}, r.Errors[0].Path)
				if f.fault.RetryAfterSeconds > 0 {
					assert.EqualValues(t, f.fault.RetryAfterSeconds, r.Errors[0].Extensions["retryAfterSeconds"], r.Raw)
				}
				var data map[string]any
				r.Into(t, &data)
				for v, other := range vendorField {
					if v == vendor {
						assert.Nil(t, data[other])
					} else {
						assert.NotNil(t, data[other], "%s survives", other)
					}
				}
				// The simulator logs a request when its handler returns,
				// which for a dropped or abandoned call can be just after
				// the gateway answered.
				assert.Eventually(t, func() bool { return len(e.APICalls(vendor)) == f.attempts }, time.Second, 10*time.Millisecond,
					"%s: want %d attempts, got %d", vendor, f.attempts, len(e.APICalls(vendor)))
				time.Sleep(50 * time.Millisecond)
				assert.Len(t, e.APICalls(vendor), f.attempts, "no late extra attempt")
			})
		}
	}
}

// Mutations are never retried: one attempt whatever the failure.
func TestMutationsAreSentOnce(t *testing.T) {
	t.Parallel()
	mutations := map[string]string{
		"ortto":     `mutation { archiveAccounts(input: {inclusionIds: ["106905f9252dad244f055800"]}) { archivedAccounts } }`,
		"apptivo":   `mutation { createCustomer(input: {name: "Once"}) { id } }`,
		"appdirect": `mutation { deleteAccount(input: {accountId: "3c6d9f4b-5e7a-4b12-8d43-d4e5f6a7b804"}) { success } }`,
		"cordial":   `mutation { createAccountList(input: {name: "once"}) { id } }`,
	}
	for _, fault := range []simkit.Fault{{Status: 503}, {Status: 429, RetryAfterSeconds: 1}, {Reset: true}, {Status: 502}} {
		for vendor, m := range mutations {
			t.Run(fmt.Sprintf("%s/%d/reset=%v", vendor, fault.Status, fault.Reset), func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, withFaultTimeouts())
				if vendor == "appdirect" {
					require.Empty(t, e.Query(`{ accounts(first: 1) { nodes { id } } }`, nil).Errors)
				}
				e.Sandbox.Recorder.Clear()
				f := fault // each parallel subtest sets its own copy
				f.Vendor = vendor
				e.Sandbox.Faults.Set(f)
				r := e.Query(m, nil)
				require.Len(t, r.Errors, 1, r.Raw)
				assert.Eventually(t, func() bool { return len(e.APICalls(vendor)) == 1 }, time.Second, 10*time.Millisecond)
				time.Sleep(300 * time.Millisecond)
				assert.Len(t, e.APICalls(vendor), 1, "a mutation is sent exactly once")
			})
		}
	}
}
