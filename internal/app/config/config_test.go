package config_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/config"
	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/vendors/ortto"
)

func TestLoadDecidesSandbox(t *testing.T) {
	cases := []struct {
		name       string
		env        map[string]string
		sandbox    bool
		configured []string
		err        string
	}{
		{name: "nothing set: sandbox", env: nil, sandbox: true},
		{name: "one vendor: no sandbox", env: map[string]string{"CORDIAL_API_KEY": "k"}, configured: []string{"cordial"}},
		{name: "all vendors", env: map[string]string{
			"ORTTO_API_KEY": "k", "APPTIVO_API_KEY": "a", "APPTIVO_ACCESS_KEY": "b", "CORDIAL_API_KEY": "c",
			"APPDIRECT_BASE_URL": "https://m.example.com", "APPDIRECT_CLIENT_ID": "i", "APPDIRECT_CLIENT_SECRET": "s",
		}, configured: []string{"ortto", "apptivo", "appdirect", "cordial"}},
		{name: "forced sandbox", env: map[string]string{"CORDIAL_API_KEY": "k", "SWITCHYARD_SANDBOX": "1"}, sandbox: true, configured: []string{"cordial"}},
		{name: "production refuses sandbox", env: map[string]string{"SWITCHYARD_ENV": "production"}, err: "refuses to start in sandbox"},
		{name: "production with a vendor", env: map[string]string{"SWITCHYARD_ENV": "production", "ORTTO_API_KEY": "k", "SWITCHYARD_JWT_SECRET": "0123456789abcdef0123456789abcdef"}, configured: []string{"ortto"}},
		{name: "production refuses to run open", env: map[string]string{"SWITCHYARD_ENV": "production", "ORTTO_API_KEY": "k"}, err: "needs client authentication"},
		{name: "half apptivo", env: map[string]string{"APPTIVO_API_KEY": "a"}, err: "APPTIVO_ACCESS_KEY"},
		{name: "half appdirect", env: map[string]string{"APPDIRECT_CLIENT_ID": "i"}, err: "APPDIRECT_CLIENT_SECRET"},
		{name: "bad port", env: map[string]string{"PORT": "eighty"}, err: "PORT"},
		{name: "bad timeout", env: map[string]string{"CORDIAL_TIMEOUT": "5"}, err: "CORDIAL_TIMEOUT"},
		{name: "bad request timeout", env: map[string]string{"SWITCHYARD_REQUEST_TIMEOUT": "-1s"}, err: "SWITCHYARD_REQUEST_TIMEOUT"},
		{name: "batch over Ortto's cap", env: map[string]string{"ORTTO_BATCH_SIZE": "101"}, err: "ORTTO_BATCH_SIZE"},
		{name: "negative rate", env: map[string]string{"CORDIAL_RATE_LIMIT": "-1"}, err: "CORDIAL_RATE_LIMIT"},
		{name: "rate not a number", env: map[string]string{"ORTTO_RATE_LIMIT": "ten"}, err: "ORTTO_RATE_LIMIT"},
		{name: "infinite rate", env: map[string]string{"ORTTO_RATE_LIMIT": "+Inf"}, err: "ORTTO_RATE_LIMIT"},
		{name: "zero concurrency", env: map[string]string{"APPTIVO_MAX_CONCURRENCY": "0"}, err: "APPTIVO_MAX_CONCURRENCY"},
		{name: "zero retry attempts", env: map[string]string{"APPDIRECT_RETRY_ATTEMPTS": "0"}, err: "APPDIRECT_RETRY_ATTEMPTS"},
		{name: "retry storm", env: map[string]string{"ORTTO_RETRY_ATTEMPTS": "50"}, err: "ORTTO_RETRY_ATTEMPTS"},
		{name: "zero breaker failures", env: map[string]string{"SWITCHYARD_BREAKER_FAILURES": "0"}, err: "SWITCHYARD_BREAKER_FAILURES"},
		{name: "breaker open without unit", env: map[string]string{"SWITCHYARD_BREAKER_OPEN": "10"}, err: "SWITCHYARD_BREAKER_OPEN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.Load(func(k string) string { return tc.env[k] })
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.sandbox, cfg.Sandbox)
			for _, v := range config.Vendors {
				assert.Equal(t, contains(tc.configured, v), cfg.Configured(v), v)
			}
		})
	}
}

func TestErrorsNeverEchoSecrets(t *testing.T) {
	_, err := config.Load(func(k string) string {
		return map[string]string{"APPTIVO_API_KEY": "hunter2-a", "APPDIRECT_CLIENT_SECRET": "hunter2-b"}[k]
	})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestLoadReadsDurationsAndBatch(t *testing.T) {
	env := map[string]string{"ORTTO_TIMEOUT": "300ms", "SWITCHYARD_REQUEST_TIMEOUT": "2s", "ORTTO_BATCH_SIZE": "25"}
	cfg, err := config.Load(func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, 300*time.Millisecond, cfg.VendorTimeouts["ortto"])
	assert.Equal(t, outbound.DefaultTimeout, cfg.VendorTimeouts["cordial"])
	assert.Equal(t, 2*time.Second, cfg.RequestTimeout)
	assert.Equal(t, 25, cfg.VendorConfig[ortto.Name].(*ortto.Config).BatchSize)
}

func TestLoadReadsVendorLimitsAndBreaker(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		cfg, err := config.Load(func(string) string { return "" })
		require.NoError(t, err)
		assert.Equal(t, config.VendorLimits{RatePerSecond: 10, MaxConcurrency: 16, RetryAttempts: 3, MaxReplyBytes: 4 << 20}, cfg.Limits["ortto"], "Ortto Professional: 10 req/s")
		for _, v := range []string{"apptivo", "appdirect", "cordial"} {
			assert.Equal(t, config.VendorLimits{RatePerSecond: 0, MaxConcurrency: 16, RetryAttempts: 3, MaxReplyBytes: 4 << 20}, cfg.Limits[v], v)
		}
		assert.Equal(t, 5, cfg.BreakerFailures)
		assert.Equal(t, 10*time.Second, cfg.BreakerOpen)
	})
	t.Run("set", func(t *testing.T) {
		env := map[string]string{
			"ORTTO_RATE_LIMIT": "30", "CORDIAL_RATE_LIMIT": "2.5", "APPTIVO_MAX_CONCURRENCY": "4",
			"APPDIRECT_RETRY_ATTEMPTS": "1", "SWITCHYARD_BREAKER_FAILURES": "8", "SWITCHYARD_BREAKER_OPEN": "750ms",
			"CORDIAL_TIMEOUT": "2s",
		}
		cfg, err := config.Load(func(k string) string { return env[k] })
		require.NoError(t, err)
		assert.Equal(t, 30.0, cfg.Limits["ortto"].RatePerSecond)
		assert.Equal(t, 2.5, cfg.Limits["cordial"].RatePerSecond)
		assert.Equal(t, 4, cfg.Limits["apptivo"].MaxConcurrency)
		assert.Equal(t, 1, cfg.Limits["appdirect"].RetryAttempts)

		opts := cfg.ChainOptions("cordial")
		assert.Equal(t, "cordial", opts.Vendor)
		assert.Equal(t, 2*time.Second, opts.Timeout)
		assert.Equal(t, 2.5, opts.RatePerSecond)
		assert.Equal(t, 16, opts.MaxConcurrent)
		assert.Equal(t, 3, opts.RetryAttempts)
		assert.Equal(t, 8, opts.BreakerFailures)
		assert.Equal(t, 750*time.Millisecond, opts.BreakerOpen)
		assert.Equal(t, 1, cfg.ChainOptions("appdirect").RetryAttempts)
		assert.Equal(t, 4, cfg.ChainOptions("apptivo").MaxConcurrent)
	})
	t.Run("zero rate is unlimited", func(t *testing.T) {
		cfg, err := config.Load(func(k string) string { return map[string]string{"ORTTO_RATE_LIMIT": "0"}[k] })
		require.NoError(t, err)
		assert.Zero(t, cfg.ChainOptions("ortto").RatePerSecond)
	})
}

func TestCacheConfig(t *testing.T) {
	load := func(env map[string]string) *config.Config {
		t.Helper()
		c, err := config.Load(func(k string) string { return env[k] })
		require.NoError(t, err)
		return c
	}
	def := load(nil)
	assert.True(t, def.Cache.On("ortto"), "on by default")
	assert.Equal(t, 10*time.Minute, def.ChainOptions("apptivo").Cache.OperationTTL["get config data"])

	off := load(map[string]string{"ORTTO_CACHE_TTL": "0", "APPTIVO_CACHE_TTL": "1m"})
	assert.False(t, off.Cache.On("ortto"), "a TTL of 0 keeps the vendor out")
	assert.True(t, off.Cache.On("cordial"))
	assert.Empty(t, off.ChainOptions("apptivo").Cache.OperationTTL, "a vendor TTL covers all its operations")

	for name, env := range map[string]map[string]string{
		"bad switch":       {"SWITCHYARD_CACHE": "maybe"},
		"bad ttl":          {"CORDIAL_CACHE_TTL": "soon"},
		"tiny max size":    {"SWITCHYARD_CACHE_MAX_BYTES": "10"},
		"bad dedup switch": {"SWITCHYARD_DEDUP": "sometimes"},
	} {
		_, err := config.Load(func(k string) string { return env[k] })
		assert.Error(t, err, name)
	}
	assert.False(t, def.ChainOptions("cordial").NoDedup, "identical reads in flight are shared by default")
	assert.Equal(t, outbound.DefaultCacheMaxStale, def.ChainOptions("cordial").Cache.MaxStale)
	never := load(map[string]string{"SWITCHYARD_CACHE_MAX_STALE": "0"})
	assert.Negative(t, never.ChainOptions("cordial").Cache.MaxStale, "0 means never, not the chain's default hour")
}
