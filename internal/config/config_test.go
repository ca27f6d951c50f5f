package config_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/config"
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
		{name: "production with a vendor", env: map[string]string{"SWITCHYARD_ENV": "production", "ORTTO_API_KEY": "k"}, configured: []string{"ortto"}},
		{name: "half apptivo", env: map[string]string{"APPTIVO_API_KEY": "a"}, err: "APPTIVO_ACCESS_KEY"},
		{name: "half appdirect", env: map[string]string{"APPDIRECT_CLIENT_ID": "i"}, err: "APPDIRECT_CLIENT_SECRET"},
		{name: "bad port", env: map[string]string{"PORT": "eighty"}, err: "PORT"},
		{name: "bad timeout", env: map[string]string{"CORDIAL_TIMEOUT": "5"}, err: "CORDIAL_TIMEOUT"},
		{name: "bad request timeout", env: map[string]string{"SWITCHYARD_REQUEST_TIMEOUT": "-1s"}, err: "SWITCHYARD_REQUEST_TIMEOUT"},
		{name: "batch over Ortto's cap", env: map[string]string{"ORTTO_BATCH_SIZE": "101"}, err: "ORTTO_BATCH_SIZE"},
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
	assert.Equal(t, config.DefaultVendorTimeout, cfg.VendorTimeouts["cordial"])
	assert.Equal(t, 2*time.Second, cfg.RequestTimeout)
	assert.Equal(t, 25, cfg.OrttoBatchSize)
}
