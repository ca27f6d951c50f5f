package graphiql_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/graphiql"
)

func TestEnabledFromEnv(t *testing.T) {
	cases := []struct {
		value   string
		sandbox bool
		want    bool
		wantErr bool
	}{
		{"", true, true, false},
		{"", false, false, false},
		{"1", false, true, false},
		{"true", false, true, false},
		{"0", true, false, false},
		{" false ", true, false, false},
		{"yes", true, false, true},
	}
	for _, tc := range cases {
		got, err := graphiql.EnabledFromEnv(tc.sandbox, func(k string) string {
			if k == graphiql.EnvGraphiQL {
				return tc.value
			}
			return ""
		})
		if tc.wantErr {
			require.Error(t, err, "%q", tc.value)
			assert.Contains(t, err.Error(), "SWITCHYARD_GRAPHIQL")
			continue
		}
		require.NoError(t, err, "%q", tc.value)
		assert.Equal(t, tc.want, got, "SWITCHYARD_GRAPHIQL=%q sandbox=%v", tc.value, tc.sandbox)
	}
}
