package outbound_test

import (
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// TestSecretsScrubbedInEveryEncoding (issue 18, item 5): a vendor that
// echoed its request JSON-escaped, URL-encoded, base64, hex or upper-cased
// showed the Ortto key and the AppDirect token to the client, since only
// the raw value and its query encoding were scrubbed.
func TestSecretsScrubbedInEveryEncoding(t *testing.T) {
	const key = "sk/ortto+Key=0123456789&abc"
	const token = "appdirect-access-token-0123456789"
	s := outbound.NewSecrets(key)
	s.AddRotating(token)
	b64 := base64.StdEncoding.EncodeToString
	for _, v := range []string{key, token} {
		echoes := map[string]string{
			"raw":               v,
			"json \\/":          strings.ReplaceAll(v, "/", `\/`),
			"json \\u0026":      strings.ReplaceAll(v, "&", `\u0026`),
			"query":             url.QueryEscape(v),
			"path":              url.PathEscape(v),
			"base64":            b64([]byte(v)),
			"base64url":         base64.RawURLEncoding.EncodeToString([]byte(v)),
			"base64 inside":     b64([]byte(`{"apiKey":"` + v + `"}`)),
			"basic auth":        b64([]byte("user:" + v)),
			"hex":               hex.EncodeToString([]byte(v)),
			"hex upper":         strings.ToUpper(hex.EncodeToString([]byte(v))),
			"upper":             strings.ToUpper(v),
			"lower":             strings.ToLower(v),
			"query upper-cased": strings.ToUpper(url.QueryEscape(v)),
		}
		for name, echo := range echoes {
			text := `{"error":"bad request","echo":"` + echo + `","more":"after"}`
			got := s.Replace(text)
			assert.NotContains(t, got, echo, "%s of %s", name, v)
			assert.True(t, s.In(text), name)
			assert.Contains(t, got, "REDACTED", name)
			assert.Contains(t, got, `"more":"after"`, "%s: the rest of the text stays", name)
		}
	}
	assert.Equal(t, "nothing secret here: REDACTED is a word", s.Replace("nothing secret here: REDACTED is a word"))
}
