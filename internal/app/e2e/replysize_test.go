package e2e

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/app/sandbox"
)

// A vendor that answers with 100 MB costs the client one field error with
// its own code, and the other vendors' fields are data.
func TestHugeVendorReplyIsAFieldError(t *testing.T) {
	t.Parallel()
	sb, err := sandbox.Start("")
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	target, err := url.Parse(sb.URL())
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/cordial/v2/accountlists" {
			proxy.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		chunk := []byte("[" + strings.Repeat(`{"id":1,"name":"x"},`, 3000))
		for range (100 << 20) / len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	t.Cleanup(huge.Close)
	e := &env{gatewaytest.StartOn(t, sb, func(s *gatewaytest.Setup) {
		require.NoError(t, s.Config.Apply(map[string]string{"CORDIAL_BASE_URL": huge.URL + "/cordial"}))
	})}

	r := e.Query(`{ accountLists { id } person(ref: {email: "ada.lovelace@example.com"}) { id } }`, nil)
	assert.Equal(t, []string{"VENDOR_REPLY_TOO_LARGE"}, r.Codes(), r.Raw)
	assert.Contains(t, r.Raw, `"vendor":"cordial"`)
	assert.Contains(t, string(r.Data), `"person":{"id"`, "the other vendor's field is data")
}
