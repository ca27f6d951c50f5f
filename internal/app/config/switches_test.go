package config_test

import (
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/config"
	"github.com/switchyard/switchyard/vendors/ortto"
)

// aSwitch is one on/off variable: env is what it needs beside itself to
// be accepted, and outside the sandbox (a vendor is configured), so that
// on and off differ from the default wherever the default depends on it;
// on reads where the switch lands.
type aSwitch struct {
	env map[string]string
	on  func(*config.Config) bool
}

// switchCases are every on/off variable. TestEverySwitchIsInTheTable keeps
// the list complete.
var switchCases = map[string]aSwitch{
	"SWITCHYARD_SANDBOX":         {on: func(c *config.Config) bool { return c.Sandbox }},
	"SWITCHYARD_INTROSPECTION":   {on: func(c *config.Config) bool { return c.Introspection }},
	"SWITCHYARD_GRAPHIQL":        {on: func(c *config.Config) bool { return c.GraphiQL }},
	"SWITCHYARD_DEDUP":           {on: func(c *config.Config) bool { return !c.ChainOptions("ortto").NoDedup }},
	"SWITCHYARD_CACHE":           {on: func(c *config.Config) bool { return c.Cache.On("ortto") }},
	"SWITCHYARD_CSRF_PREVENTION": {on: func(c *config.Config) bool { return c.Browser.CSRF }},
	"SWITCHYARD_PERSISTED_ONLY": {env: map[string]string{"SWITCHYARD_PERSISTED_MANIFEST": "/ops.json"},
		on: func(c *config.Config) bool { return c.Persisted.Only }},
	"SWITCHYARD_OIDC_DISCOVERY": {on: func(c *config.Config) bool { return c.Auth.OIDCDiscovery }},
}

// TestEverySwitchTakesTheSameWords starts the configuration with each
// on/off variable set to each word: every variable reads on, yes, true, 1
// (in any case, blanks around) as on, off, no, false, 0 as off, and
// refuses anything else at start-up with an error that names it.
func TestEverySwitchTakesTheSameWords(t *testing.T) {
	words := []struct {
		value string
		want  bool
		err   bool
	}{
		{value: "on", want: true}, {value: "yes", want: true}, {value: "banana", err: true},
		{value: "ON", want: true}, {value: " Yes ", want: true}, {value: "true", want: true}, {value: "1", want: true},
		{value: "off", want: false}, {value: "no", want: false}, {value: "False", want: false}, {value: "0", want: false},
		{value: "2", err: true}, {value: "enabled", err: true}, {value: "y", err: true}, {value: "onn", err: true},
	}
	for name, sw := range switchCases {
		for _, w := range words {
			t.Run(name+"="+w.value, func(t *testing.T) {
				env := map[string]string{"CORDIAL_API_KEY": "real-key", name: w.value}
				for k, v := range sw.env {
					env[k] = v
				}
				cfg, err := config.Load(func(k string) string { return env[k] })
				if w.err {
					require.Error(t, err)
					assert.Contains(t, err.Error(), name, "the start-up error names the variable")
					assert.Contains(t, err.Error(), config.SwitchWords, "and says what it takes")
					return
				}
				require.NoError(t, err)
				assert.Equal(t, w.want, sw.on(cfg))
			})
		}
	}
}

// TestSandboxOnNeverReachesRealVendors: SWITCHYARD_SANDBOX=on used to be
// ignored, so with credentials present the gateway called the real
// vendors.
func TestSandboxOnNeverReachesRealVendors(t *testing.T) {
	for _, v := range []string{"on", "yes", "1", "true", "ON"} {
		cfg, err := config.Load(func(k string) string {
			return map[string]string{"SWITCHYARD_SANDBOX": v, "ORTTO_API_KEY": "real-key"}[k]
		})
		require.NoError(t, err)
		assert.True(t, cfg.Sandbox, "SWITCHYARD_SANDBOX=%s", v)
	}
}

// TestEverySwitchIsInTheTable: a new on/off variable is tested above
// without anyone remembering to add it.
func TestEverySwitchIsInTheTable(t *testing.T) {
	var switches []string
	for _, v := range config.Variables() {
		if v.Kind == "switch" {
			switches = append(switches, v.Name)
		}
	}
	var table []string
	for name := range switchCases {
		table = append(table, name)
	}
	assert.ElementsMatch(t, switches, table)
}

// TestBlankIsTheDefault: a variable set to blanks is unset, for a switch
// as for a number.
func TestBlankIsTheDefault(t *testing.T) {
	blank := map[string]string{}
	for _, v := range config.Variables() {
		blank[v.Name] = "  "
	}
	got, err := config.Load(func(k string) string { return blank[k] })
	require.NoError(t, err)
	def, err := config.Load(func(string) string { return "" })
	require.NoError(t, err)
	require.Len(t, got.Modules, len(def.Modules))
	got.Modules, def.Modules = nil, nil // funcs, which never compare equal
	assert.Equal(t, def, got)
}

// TestTagBoundsFollowTheConstants: the tags restate ortto.MaxBatch and
// MaxRetryAttempts as numbers; this fails if they drift apart.
func TestTagBoundsFollowTheConstants(t *testing.T) {
	for name, hi := range map[string]int{"ORTTO_BATCH_SIZE": ortto.MaxBatch, "CORDIAL_RETRY_ATTEMPTS": config.MaxRetryAttempts} {
		_, err := config.Load(func(k string) string { return map[string]string{name: strconv.Itoa(hi)}[k] })
		require.NoError(t, err, name)
		_, err = config.Load(func(k string) string { return map[string]string{name: strconv.Itoa(hi + 1)}[k] })
		require.ErrorContains(t, err, name)
	}
}

// TestBadValuesAreAllReported: one start shows every mistake, each by
// name, and none echoes a secret.
func TestBadValuesAreAllReported(t *testing.T) {
	bad := map[string]string{
		"SWITCHYARD_MAX_DEPTH": "ten", "SWITCHYARD_MAX_ALIASES": "-1", "SWITCHYARD_MAX_TOKENS": "1.5",
		"SWITCHYARD_GRAPHIQL": "maybe", "SWITCHYARD_CACHE_TTL": "soon", "APPTIVO_CACHE_TTL": "-1s",
		"SWITCHYARD_CACHE_MAX_BYTES": "10", "PORT": "70000", "CORDIAL_RATE_LIMIT": "NaN",
	}
	env := map[string]string{"ORTTO_API_KEY": "hunter2-key"}
	for k, v := range bad {
		env[k] = v
	}
	_, err := config.Load(func(k string) string { return env[k] })
	require.Error(t, err)
	for name := range bad {
		assert.Contains(t, err.Error(), name)
	}
	assert.NotContains(t, err.Error(), "hunter2")
}

// TestSecretsAreTakenAsGivenAndListed: values are trimmed except
// secrets, and every secret field reaches the log scrubber.
func TestSecretsAreTakenAsGivenAndListed(t *testing.T) {
	env := map[string]string{"SWITCHYARD_API_KEYS_FILE": " /etc/keys \n", "SWITCHYARD_JWT_SECRET": " s3cret-with-spaces-0123456789abcdef ",
		"ORTTO_BASE_URL": " http://o.test "}
	secrets := []string{"ORTTO_API_KEY", "APPTIVO_API_KEY", "APPTIVO_ACCESS_KEY", "APPDIRECT_CLIENT_SECRET", "CORDIAL_API_KEY"}
	for _, name := range secrets {
		env[name] = "secret-of-" + name
	}
	secrets = append(secrets, "SWITCHYARD_JWT_SECRET")
	env["APPDIRECT_BASE_URL"], env["APPDIRECT_CLIENT_ID"] = "http://m.test", "id"
	env["SWITCHYARD_REDIS_URL"] = "redis://:redis-pass@cache:6379/0"
	cfg, err := config.Load(func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, "/etc/keys", cfg.Auth.APIKeysFile)
	assert.Equal(t, "http://o.test", cfg.VendorConfig[ortto.Name].(*ortto.Config).BaseURL)
	assert.Equal(t, " s3cret-with-spaces-0123456789abcdef ", cfg.Auth.JWTSecret)
	got := cfg.Secrets()
	for _, name := range secrets {
		assert.Contains(t, got, env[name], name)
	}
	assert.Contains(t, got, "redis-pass")
	assert.Len(t, got, len(secrets)+1, "nothing but the secrets")
	assert.False(t, slices.Contains(got, ""), "no empty secret: it would scrub every log line")
}

// TestIntrospectionAndGraphiQLFollowTheSandbox: unset, they are on in the
// sandbox and off elsewhere, so that a production gateway hands its
// schema and an IDE to no one unless asked to.
func TestIntrospectionAndGraphiQLFollowTheSandbox(t *testing.T) {
	sandbox, err := config.Load(func(string) string { return "" })
	require.NoError(t, err)
	assert.True(t, sandbox.Introspection)
	assert.True(t, sandbox.GraphiQL)
	real, err := config.Load(func(k string) string { return map[string]string{"CORDIAL_API_KEY": "k"}[k] })
	require.NoError(t, err)
	assert.False(t, real.Introspection)
	assert.False(t, real.GraphiQL)
}
