package config_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/config"
	"github.com/switchyard/switchyard/vendors/appdirect"
	"github.com/switchyard/switchyard/vendors/apptivo"
	"github.com/switchyard/switchyard/vendors/cordial"
	"github.com/switchyard/switchyard/vendors/ortto"
)

// landing says where one variable must land: env is what the case sets
// (the variable itself plus anything it needs to be accepted), got reads
// the place it must reach and want is what must be there.
type landing struct {
	env  map[string]string
	got  func(*config.Config) any
	want any
}

// perVendor expands a <VENDOR>_ variable into one case per vendor.
func perVendor(suffix, value string, got func(*config.Config, string) any, want any) map[string]landing {
	out := map[string]landing{}
	for _, v := range config.Vendors {
		name := strings.ToUpper(v) + suffix
		out[name] = landing{env: map[string]string{name: value}, got: func(c *config.Config) any { return got(c, v) }, want: want}
	}
	return out
}

const jwtSecret = "0123456789abcdef0123456789abcdef"

// TestEveryDocumentedVariableLands sets each variable the README names,
// one at a time, and checks the field (or the outbound chain option) it
// must reach, and that the value differs from what Load gives without it.
// A variable documented without a case here, or a case for a variable the
// README does not mention, fails the test, so the README and Load cannot
// drift apart. OTEL_* variables are the OpenTelemetry SDK's own, read by
// internal/policy/telemetry, and are not Switchyard's to list.
func TestEveryDocumentedVariableLands(t *testing.T) {
	cases := map[string]landing{
		"PORT":                    {env: map[string]string{"PORT": "9191"}, got: func(c *config.Config) any { return c.Port }, want: 9191},
		"SWITCHYARD_ENV":          {env: map[string]string{"SWITCHYARD_ENV": "production", "ORTTO_API_KEY": "k", "SWITCHYARD_JWT_SECRET": jwtSecret}, got: func(c *config.Config) any { return c.Production }, want: true},
		"SWITCHYARD_SANDBOX":      {env: map[string]string{"SWITCHYARD_SANDBOX": "1", "CORDIAL_API_KEY": "k"}, got: func(c *config.Config) any { return c.Sandbox }, want: true},
		"ORTTO_API_KEY":           {env: map[string]string{"ORTTO_API_KEY": "o-key"}, got: func(c *config.Config) any { return vendorConfig[*ortto.Config](c, ortto.Name).APIKey }, want: "o-key"},
		"ORTTO_REGION":            {env: map[string]string{"ORTTO_REGION": "eu"}, got: func(c *config.Config) any { return vendorConfig[*ortto.Config](c, ortto.Name).Region }, want: "eu"},
		"ORTTO_BASE_URL":          {env: map[string]string{"ORTTO_BASE_URL": "http://o.test"}, got: func(c *config.Config) any { return vendorConfig[*ortto.Config](c, ortto.Name).BaseURL }, want: "http://o.test"},
		"ORTTO_BATCH_SIZE":        {env: map[string]string{"ORTTO_BATCH_SIZE": "25"}, got: func(c *config.Config) any { return vendorConfig[*ortto.Config](c, ortto.Name).BatchSize }, want: 25},
		"APPTIVO_API_KEY":         {env: map[string]string{"APPTIVO_API_KEY": "a1", "APPTIVO_ACCESS_KEY": "a2"}, got: func(c *config.Config) any { return vendorConfig[*apptivo.Config](c, apptivo.Name).APIKey }, want: "a1"},
		"APPTIVO_ACCESS_KEY":      {env: map[string]string{"APPTIVO_API_KEY": "a1", "APPTIVO_ACCESS_KEY": "a2"}, got: func(c *config.Config) any { return vendorConfig[*apptivo.Config](c, apptivo.Name).AccessKey }, want: "a2"},
		"APPTIVO_BASE_URL":        {env: map[string]string{"APPTIVO_BASE_URL": "http://a.test"}, got: func(c *config.Config) any { return vendorConfig[*apptivo.Config](c, apptivo.Name).BaseURL }, want: "http://a.test"},
		"APPDIRECT_BASE_URL":      {env: appDirect(), got: func(c *config.Config) any { return vendorConfig[*appdirect.Config](c, appdirect.Name).BaseURL }, want: "http://m.test"},
		"APPDIRECT_CLIENT_ID":     {env: appDirect(), got: func(c *config.Config) any { return vendorConfig[*appdirect.Config](c, appdirect.Name).ClientID }, want: "id"},
		"APPDIRECT_CLIENT_SECRET": {env: appDirect(), got: func(c *config.Config) any { return vendorConfig[*appdirect.Config](c, appdirect.Name).ClientSecret }, want: "secret"},
		"APPDIRECT_GRAPHQL_PATH":  {env: withEnv(appDirect(), "APPDIRECT_GRAPHQL_PATH", "gw/graphql"), got: func(c *config.Config) any { return vendorConfig[*appdirect.Config](c, appdirect.Name).GraphQLPath }, want: "gw/graphql"},
		"APPDIRECT_PREVIEW_GRAPHQL_PATH": {env: withEnv(appDirect(), "APPDIRECT_PREVIEW_GRAPHQL_PATH", "gw/preview"), got: func(c *config.Config) any {
			return vendorConfig[*appdirect.Config](c, appdirect.Name).PreviewGraphQLPath
		}, want: "gw/preview"},
		"CORDIAL_API_KEY":                      {env: map[string]string{"CORDIAL_API_KEY": "c-key"}, got: func(c *config.Config) any { return vendorConfig[*cordial.Config](c, cordial.Name).APIKey }, want: "c-key"},
		"CORDIAL_BASE_URL":                     {env: map[string]string{"CORDIAL_BASE_URL": "http://c.test"}, got: func(c *config.Config) any { return vendorConfig[*cordial.Config](c, cordial.Name).BaseURL }, want: "http://c.test"},
		"SWITCHYARD_REQUEST_TIMEOUT":           {env: map[string]string{"SWITCHYARD_REQUEST_TIMEOUT": "3s"}, got: func(c *config.Config) any { return c.RequestTimeout }, want: 3 * time.Second},
		"SWITCHYARD_IDEMPOTENCY_LEASE":         {env: map[string]string{"SWITCHYARD_IDEMPOTENCY_LEASE": "2m"}, got: func(c *config.Config) any { return c.IdempotencyLease }, want: 2 * time.Minute},
		"SWITCHYARD_IDEMPOTENCY_LEASE_MARGIN":  {env: map[string]string{"SWITCHYARD_IDEMPOTENCY_LEASE_MARGIN": "5s"}, got: func(c *config.Config) any { return c.IdempotencyLeaseMargin }, want: 5 * time.Second},
		"SWITCHYARD_BREAKER_FAILURES":          {env: map[string]string{"SWITCHYARD_BREAKER_FAILURES": "9"}, got: func(c *config.Config) any { return c.ChainOptions("ortto").BreakerFailures }, want: 9},
		"SWITCHYARD_BREAKER_OPEN":              {env: map[string]string{"SWITCHYARD_BREAKER_OPEN": "3s"}, got: func(c *config.Config) any { return c.ChainOptions("cordial").BreakerOpen }, want: 3 * time.Second},
		"SWITCHYARD_MAX_DEPTH":                 {env: map[string]string{"SWITCHYARD_MAX_DEPTH": "4"}, got: func(c *config.Config) any { return c.QueryLimits.MaxDepth }, want: 4},
		"SWITCHYARD_MAX_ALIASES":               {env: map[string]string{"SWITCHYARD_MAX_ALIASES": "5"}, got: func(c *config.Config) any { return c.QueryLimits.MaxAliases }, want: 5},
		"SWITCHYARD_MAX_COMPLEXITY":            {env: map[string]string{"SWITCHYARD_MAX_COMPLEXITY": "77"}, got: func(c *config.Config) any { return c.QueryLimits.MaxComplexity }, want: 77},
		"SWITCHYARD_MAX_VENDOR_CALLS":          {env: map[string]string{"SWITCHYARD_MAX_VENDOR_CALLS": "12"}, got: func(c *config.Config) any { return c.QueryLimits.MaxVendorCalls }, want: 12},
		"SWITCHYARD_MAX_TOKENS":                {env: map[string]string{"SWITCHYARD_MAX_TOKENS": "900"}, got: func(c *config.Config) any { return c.QueryLimits.MaxTokens }, want: 900},
		"SWITCHYARD_MAX_FIELDS":                {env: map[string]string{"SWITCHYARD_MAX_FIELDS": "90"}, got: func(c *config.Config) any { return c.QueryLimits.MaxFields }, want: 90},
		"SWITCHYARD_MAX_REPEATED_FIELDS":       {env: map[string]string{"SWITCHYARD_MAX_REPEATED_FIELDS": "9"}, got: func(c *config.Config) any { return c.QueryLimits.MaxRepeatedFields }, want: 9},
		"SWITCHYARD_READ_TIMEOUT":              {env: map[string]string{"SWITCHYARD_READ_TIMEOUT": "7s"}, got: func(c *config.Config) any { return c.Server.ReadTimeout }, want: 7 * time.Second},
		"SWITCHYARD_IDLE_TIMEOUT":              {env: map[string]string{"SWITCHYARD_IDLE_TIMEOUT": "8s"}, got: func(c *config.Config) any { return c.Server.IdleTimeout }, want: 8 * time.Second},
		"SWITCHYARD_MAX_CONNECTIONS":           {env: map[string]string{"SWITCHYARD_MAX_CONNECTIONS": "64"}, got: func(c *config.Config) any { return c.Server.MaxConnections }, want: 64},
		"SWITCHYARD_DRAIN_DELAY":               {env: map[string]string{"SWITCHYARD_DRAIN_DELAY": "0"}, got: func(c *config.Config) any { return c.Server.DrainDelay }, want: time.Duration(0)},
		"SWITCHYARD_SHUTDOWN_TIMEOUT":          {env: map[string]string{"SWITCHYARD_SHUTDOWN_TIMEOUT": "40s"}, got: func(c *config.Config) any { return c.Server.ShutdownTimeout }, want: 40 * time.Second},
		"SWITCHYARD_RELOAD_INTERVAL":           {env: map[string]string{"SWITCHYARD_RELOAD_INTERVAL": "0"}, got: func(c *config.Config) any { return c.Server.ReloadInterval }, want: time.Duration(0)},
		"SWITCHYARD_ADMIN_ADDR":                {env: map[string]string{"SWITCHYARD_ADMIN_ADDR": "127.0.0.1:9090"}, got: func(c *config.Config) any { return c.Server.AdminAddr }, want: "127.0.0.1:9090"},
		"SWITCHYARD_INTROSPECTION":             {env: map[string]string{"SWITCHYARD_INTROSPECTION": "0"}, got: func(c *config.Config) any { return c.Introspection }, want: false},
		"SWITCHYARD_GRAPHIQL":                  {env: map[string]string{"SWITCHYARD_GRAPHIQL": "0"}, got: func(c *config.Config) any { return c.GraphiQL }, want: false},
		"SWITCHYARD_CORS_ORIGINS":              {env: map[string]string{"SWITCHYARD_CORS_ORIGINS": "https://app.example.com"}, got: func(c *config.Config) any { return c.Browser.AllowedOrigins }, want: []string{"https://app.example.com"}},
		"SWITCHYARD_CSRF_PREVENTION":           {env: map[string]string{"SWITCHYARD_CSRF_PREVENTION": "0"}, got: func(c *config.Config) any { return c.Browser.CSRF }, want: false},
		"SWITCHYARD_API_KEYS_FILE":             {env: map[string]string{"SWITCHYARD_API_KEYS_FILE": "/etc/keys"}, got: func(c *config.Config) any { return c.Auth.APIKeysFile }, want: "/etc/keys"},
		"SWITCHYARD_JWT_SECRET":                {env: map[string]string{"SWITCHYARD_JWT_SECRET": jwtSecret}, got: func(c *config.Config) any { return c.Auth.JWTSecret }, want: jwtSecret},
		"SWITCHYARD_JWT_PUBLIC_KEY_FILE":       {env: map[string]string{"SWITCHYARD_JWT_PUBLIC_KEY_FILE": "/etc/jwt.pem"}, got: func(c *config.Config) any { return c.Auth.JWTPublicKeyFile }, want: "/etc/jwt.pem"},
		"SWITCHYARD_JWT_AUDIENCE":              {env: map[string]string{"SWITCHYARD_JWT_AUDIENCE": "aud"}, got: func(c *config.Config) any { return c.Auth.JWTAudience }, want: "aud"},
		"SWITCHYARD_JWT_ISSUER":                {env: map[string]string{"SWITCHYARD_JWT_ISSUER": "iss"}, got: func(c *config.Config) any { return c.Auth.JWTIssuer }, want: "iss"},
		"SWITCHYARD_JWKS_URL":                  {env: map[string]string{"SWITCHYARD_JWKS_URL": "https://idp.test/jwks"}, got: func(c *config.Config) any { return c.Auth.JWKSURL }, want: "https://idp.test/jwks"},
		"SWITCHYARD_OIDC_DISCOVERY":            {env: map[string]string{"SWITCHYARD_OIDC_DISCOVERY": "1"}, got: func(c *config.Config) any { return c.Auth.OIDCDiscovery }, want: true},
		"SWITCHYARD_JWKS_REFRESH_INTERVAL":     {env: map[string]string{"SWITCHYARD_JWKS_REFRESH_INTERVAL": "2m"}, got: func(c *config.Config) any { return c.Auth.JWKSRefreshInterval }, want: 2 * time.Minute},
		"SWITCHYARD_JWKS_MIN_REFRESH_INTERVAL": {env: map[string]string{"SWITCHYARD_JWKS_MIN_REFRESH_INTERVAL": "10s"}, got: func(c *config.Config) any { return c.Auth.JWKSMinRefreshInterval }, want: 10 * time.Second},
		"SWITCHYARD_REDIS_URL":                 {env: map[string]string{"SWITCHYARD_REDIS_URL": "redis://r.test:6379/0"}, got: func(c *config.Config) any { return c.Stores.RedisURL }, want: "redis://r.test:6379/0"},
		"SWITCHYARD_REPLICAS":                  {env: map[string]string{"SWITCHYARD_REPLICAS": "3"}, got: func(c *config.Config) any { return c.ChainOptions("ortto").Replicas }, want: 3},
		"SWITCHYARD_REDIS_PREFIX":              {env: map[string]string{"SWITCHYARD_REDIS_PREFIX": "staging:"}, got: func(c *config.Config) any { return c.Stores.Prefix }, want: "staging:"},
		"SWITCHYARD_PERSISTED_MANIFEST":        {env: map[string]string{"SWITCHYARD_PERSISTED_MANIFEST": "/ops.json"}, got: func(c *config.Config) any { return c.Persisted.ManifestPath }, want: "/ops.json"},
		"SWITCHYARD_DEDUP":                     {env: map[string]string{"SWITCHYARD_DEDUP": "0"}, got: func(c *config.Config) any { return c.ChainOptions("appdirect").NoDedup }, want: true},
		"SWITCHYARD_CACHE":                     {env: map[string]string{"SWITCHYARD_CACHE": "0"}, got: func(c *config.Config) any { return c.Cache.On("cordial") }, want: false},
		"SWITCHYARD_CACHE_TTL":                 {env: map[string]string{"SWITCHYARD_CACHE_TTL": "45s"}, got: func(c *config.Config) any { return c.ChainOptions("ortto").Cache.TTL }, want: 45 * time.Second},
		"SWITCHYARD_CACHE_MAX_STALE":           {env: map[string]string{"SWITCHYARD_CACHE_MAX_STALE": "2h"}, got: func(c *config.Config) any { return c.ChainOptions("cordial").Cache.MaxStale }, want: 2 * time.Hour},
		"SWITCHYARD_CACHE_MAX_BYTES":           {env: map[string]string{"SWITCHYARD_CACHE_MAX_BYTES": "2097152"}, got: func(c *config.Config) any { return c.Cache.MaxBytes }, want: int64(2097152)},
		"SWITCHYARD_PERSISTED_ONLY":            {env: map[string]string{"SWITCHYARD_PERSISTED_ONLY": "1", "SWITCHYARD_PERSISTED_MANIFEST": "/ops.json"}, got: func(c *config.Config) any { return c.Persisted.Only }, want: true},
	}
	for _, group := range []map[string]landing{
		perVendor("_TIMEOUT", "1234ms", func(c *config.Config, v string) any { return c.ChainOptions(v).Timeout }, 1234*time.Millisecond),
		perVendor("_RATE_LIMIT", "3.5", func(c *config.Config, v string) any { return c.ChainOptions(v).RatePerSecond }, 3.5),
		perVendor("_MAX_CONCURRENCY", "7", func(c *config.Config, v string) any { return c.ChainOptions(v).MaxConcurrent }, 7),
		perVendor("_CACHE_TTL", "7s", func(c *config.Config, v string) any { return c.ChainOptions(v).Cache.TTL }, 7*time.Second),
		perVendor("_RETRY_ATTEMPTS", "2", func(c *config.Config, v string) any { return c.ChainOptions(v).RetryAttempts }, 2),
		perVendor("_MAX_REPLY_BYTES", "65536", func(c *config.Config, v string) any { return c.ChainOptions(v).MaxReplyBytes }, int64(65536)),
	} {
		for k, v := range group {
			cases[k] = v
		}
	}

	documented := documentedVariables(t)
	for name := range cases {
		assert.Contains(t, documented, name, "%s is read by Load but not documented in docs/configuration.md", name)
	}
	// Every variable Load reads, a new vendor's too, not only those of the
	// table above.
	// (GOGC is the Go runtime's, documented beside GOMEMLIMIT.)
	for _, v := range config.Variables() {
		if v.Name == "GOGC" {
			continue
		}
		assert.Contains(t, documented, v.Name, "%s is read by Load but not documented in docs/configuration.md", v.Name)
	}
	for _, name := range documented {
		tc, ok := cases[name]
		if !assert.True(t, ok, "docs/configuration.md documents %s but no case checks where it lands", name) {
			continue
		}
		t.Run(name, func(t *testing.T) {
			with, err := config.Load(func(k string) string { return tc.env[k] })
			require.NoError(t, err)
			assert.Equal(t, tc.want, tc.got(with), "%s did not reach its field", name)
			without := map[string]string{}
			for k, v := range tc.env {
				if k != name {
					without[k] = v
				}
			}
			if name == "SWITCHYARD_ENV" {
				without["ORTTO_API_KEY"] = "k" // production needs a vendor; keep the comparison about the variable
			}
			def, err := config.Load(func(k string) string { return without[k] })
			if err != nil { // a vendor's credentials come together: drop the set
				prefix, _, _ := strings.Cut(name, "_")
				for k := range without {
					if strings.HasPrefix(k, prefix+"_") {
						delete(without, k)
					}
				}
				def, err = config.Load(func(k string) string { return without[k] })
			}
			require.NoError(t, err)
			assert.NotEqual(t, tc.got(def), tc.got(with), "%s=%q changes nothing: its value equals the default", name, tc.env[name])
		})
	}
}

// vendorConfig is vendor's own configuration, as a C.
func vendorConfig[C any](c *config.Config, vendor string) C { return c.VendorConfig[vendor].(C) }

// withEnv returns env with k set to v.
func withEnv(env map[string]string, k, v string) map[string]string {
	env[k] = v
	return env
}

func appDirect() map[string]string {
	return map[string]string{"APPDIRECT_BASE_URL": "http://m.test", "APPDIRECT_CLIENT_ID": "id", "APPDIRECT_CLIENT_SECRET": "secret"}
}

// documentedVariables lists the environment variables docs/configuration.md
// names in backquotes, with <VENDOR>_X expanded to each vendor.
func documentedVariables(t *testing.T) []string {
	readme, err := os.ReadFile("../../../docs/configuration.md")
	require.NoError(t, err)
	// The prefixes are the registry's vendors, so a vendor's own rows are
	// read without a change here.
	prefixes := []string{"SWITCHYARD", "<VENDOR>"}
	for _, v := range config.Vendors {
		prefixes = append(prefixes, strings.ToUpper(v))
	}
	re := regexp.MustCompile("`((?:" + strings.Join(prefixes, "|") + ")_[A-Z_]+|PORT)(?:=[^`]*)?`")
	var out []string
	for _, m := range re.FindAllStringSubmatch(string(readme), -1) {
		names := []string{m[1]}
		if rest, ok := strings.CutPrefix(m[1], "<VENDOR>"); ok {
			names = names[:0]
			for _, v := range config.Vendors {
				names = append(names, strings.ToUpper(v)+rest)
			}
		}
		for _, n := range names {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	require.NotEmpty(t, out)
	return out
}
