package e2e

import (
	"encoding/base64"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/vendors/appdirect/appdirectsim"
	"github.com/switchyard/switchyard/vendors/apptivo/apptivosim"
	"github.com/switchyard/switchyard/vendors/cordial/cordialsim"
	"github.com/switchyard/switchyard/vendors/ortto/orttosim"
)

// unredactedBearer is a bearer token in a response that was not replaced:
// AppDirect's access token is obtained at run time, so the test cannot
// name it, only check that every bearer value the echo carried is gone.
var unredactedBearer = regexp.MustCompile(`Bearer (?:[^R\s"\\]|R[^E])`)

// A vendor (or a proxy in front of it) that echoes the request it got in
// its error body sends the gateway's credentials back; none of them may
// reach a GraphQL client, in any form they travelled: raw keys, Basic
// values, the OAuth client secret and the access token obtained at run
// time.
func TestEchoedVendorCredentialsNeverReachTheClient(t *testing.T) {
	t.Parallel()
	credentials := []string{
		orttosim.APIKey, apptivosim.APIKey, apptivosim.AccessKey, cordialsim.APIKey,
		appdirectsim.ClientSecret,
		base64.StdEncoding.EncodeToString([]byte(cordialsim.APIKey + ":")),
		base64.StdEncoding.EncodeToString([]byte(appdirectsim.ClientID + ":" + appdirectsim.ClientSecret)),
	}
	for vendor, field := range vendorField {
		t.Run(vendor, func(t *testing.T) {
			e := newEnv(t)
			warm := e.Query(fanOut, nil) // AppDirect's token is fetched before the fault
			require.Empty(t, warm.Errors, warm.Raw)
			e.Sandbox.Faults.Set(simkit.Fault{Vendor: vendor, Echo: true})

			r := e.Query(fanOut, nil)
			require.Len(t, r.Errors, 1, r.Raw)
			assert.Equal(t, []any{field}, r.Errors[0].Path)
			assert.Contains(t, r.Raw, "REDACTED", "the echo reached the client, scrubbed")
			for _, c := range credentials {
				assert.NotContains(t, r.Raw, c)
			}
			assert.False(t, unredactedBearer.MatchString(r.Raw), "a bearer token reached the client: %s", r.Raw)
			assert.NotContains(t, e.Logs.String(), orttosim.APIKey)
		})
	}
}
