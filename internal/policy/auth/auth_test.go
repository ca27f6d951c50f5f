package auth_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/policy/auth"
)

func TestHashKey(t *testing.T) {
	// The example line starts 9f86d0...: sha256("test").
	assert.Equal(t, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", auth.HashKey("test"))
}

// The variables' trimming is internal/app/config's (TestSectionsAreTrimmedButSecretsAreNot).
func TestConfigEnabled(t *testing.T) {
	assert.False(t, auth.Config{}.Enabled())
	assert.False(t, auth.Config{JWTAudience: "a", JWTIssuer: "i"}.Enabled(), "audience and issuer alone configure no method")
	for _, c := range []auth.Config{{APIKeysFile: "k"}, {JWTSecret: "s"}, {JWTPublicKeyFile: "p"}} {
		assert.True(t, c.Enabled(), "%v", c)
	}
}

func TestConfigNeverPrintsSecret(t *testing.T) {
	cfg := auth.Config{JWTSecret: "hunter2-hunter2-hunter2-hunter2-x", JWTAudience: "aud"}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "auth", cfg)
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), logs.String()} {
		assert.NotContains(t, s, cfg.JWTSecret)
		assert.Contains(t, s, "aud", "the rest is still shown")
	}
}

func TestRequireProductionAuth(t *testing.T) {
	tests := []struct {
		name       string
		production bool
		cfg        auth.Config
		wantErr    bool
	}{
		{"development, open", false, auth.Config{}, false},
		{"production, open", true, auth.Config{}, true},
		{"production, audience only", true, auth.Config{JWTAudience: "a"}, true},
		{"production, keys file", true, auth.Config{APIKeysFile: "/k"}, false},
		{"production, hs256", true, auth.Config{JWTSecret: testSecret}, false},
		{"production, rs256", true, auth.Config{JWTPublicKeyFile: "/p.pem"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := auth.RequireProductionAuth(tt.production, tt.cfg)
			if !tt.wantErr {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, v := range []string{"SWITCHYARD_API_KEYS_FILE", "SWITCHYARD_JWT_SECRET", "SWITCHYARD_JWT_PUBLIC_KEY_FILE"} {
				assert.Contains(t, err.Error(), v, "the error says how to fix it")
			}
		})
	}
}

func TestParseScope(t *testing.T) {
	for in, want := range map[string]auth.Scope{"READ": auth.ScopeRead, "write": auth.ScopeWrite, "Destructive": auth.ScopeDestructive} {
		got, ok := auth.ParseScope(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	_, ok := auth.ParseScope("admin")
	assert.False(t, ok)
}

func TestRequire(t *testing.T) {
	readOnly := &auth.Principal{Subject: "k1", Method: auth.MethodAPIKey, Scopes: map[auth.Scope]bool{auth.ScopeRead: true}}
	writer := &auth.Principal{Subject: "k2", Method: auth.MethodAPIKey, Scopes: map[auth.Scope]bool{auth.ScopeWrite: true}}
	tests := []struct {
		name    string
		ctx     context.Context
		scope   auth.Scope
		allowed bool
	}{
		{"no principal", context.Background(), auth.ScopeRead, false},
		{"nil principal", auth.WithPrincipal(context.Background(), nil), auth.ScopeRead, false},
		{"read with read", auth.WithPrincipal(context.Background(), readOnly), auth.ScopeRead, true},
		{"write with read", auth.WithPrincipal(context.Background(), readOnly), auth.ScopeWrite, false},
		{"destructive with read", auth.WithPrincipal(context.Background(), readOnly), auth.ScopeDestructive, false},
		{"read with write only: scopes do not imply each other", auth.WithPrincipal(context.Background(), writer), auth.ScopeRead, false},
		{"write with write", auth.WithPrincipal(context.Background(), writer), auth.ScopeWrite, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := auth.Require(tt.ctx, tt.scope)
			if tt.allowed {
				require.NoError(t, err)
				return
			}
			var fe *auth.ForbiddenError
			require.True(t, errors.As(err, &fe), "want *ForbiddenError, got %T", err)
			assert.Equal(t, tt.scope, fe.Scope)
			assert.Equal(t, "this operation needs the "+string(tt.scope)+" scope", err.Error())
		})
	}
}

func TestOpenAuthenticator(t *testing.T) {
	a := newAuth(t, auth.Config{})
	require.True(t, a.Open())
	assert.Contains(t, a.Describe(), "open")
	for _, token := range []string{"", "anything", "a.b.c"} {
		p, err := a.Authenticate(token)
		require.NoError(t, err)
		assert.Equal(t, auth.MethodOpen, p.Method)
		for _, s := range auth.AllScopes {
			assert.True(t, p.Has(s), s)
		}
	}
}

func TestKeysFile(t *testing.T) {
	hashA, hashB := auth.HashKey("key-a"), auth.HashKey("key-b")
	tests := []struct {
		name    string
		content string
		wantErr string   // substring; empty: valid
		notIn   []string // must not appear in the error
		keys    map[string][]auth.Scope
	}{
		{
			name: "comments, blank lines, tabs, CRLF, upper-case hex, inline comment",
			content: "# Switchyard API keys\n\n" +
				hashA + "  read write\r\n" +
				"   # indented comment\n" +
				strings.ToUpper(hashB) + "\tdestructive read # ci-bot\n",
			keys: map[string][]auth.Scope{
				"key-a": {auth.ScopeRead, auth.ScopeWrite},
				"key-b": {auth.ScopeRead, auth.ScopeDestructive},
			},
		},
		{
			name:    "a repeated scope word is harmless",
			content: hashA + " read read\n",
			keys:    map[string][]auth.Scope{"key-a": {auth.ScopeRead}},
		},
		{
			name:    "bad hex",
			content: "# c\n" + strings.Repeat("z", 64) + " read\n",
			wantErr: "line 2: the first field must be the key's SHA-256",
			notIn:   []string{strings.Repeat("z", 64)},
		},
		{
			name:    "a key in clear instead of its hash",
			content: "sk_live_cleartextkey read\n",
			wantErr: "line 1: the first field must be the key's SHA-256",
			notIn:   []string{"sk_live_cleartextkey"},
		},
		{
			name:    "hash too long",
			content: hashA + "00 read\n",
			wantErr: "line 1:",
		},
		{
			name:    "unknown scope",
			content: hashA + " read\n\n" + hashB + " read admin\n",
			wantErr: "line 3: field 3 is not a scope",
			notIn:   []string{hashB, "admin"},
		},
		{
			name:    "upper-case scope",
			content: hashA + " READ\n",
			wantErr: "line 1: field 2 is not a scope",
		},
		{
			name:    "scope column holding a clear key",
			content: hashA + " read sk_live_pasted_by_mistake\n",
			wantErr: "line 1: field 3 is not a scope",
			notIn:   []string{"sk_live_pasted_by_mistake", hashA},
		},
		{
			name:    "duplicate key, even in another case",
			content: hashA + " read\n" + hashB + " write\n# x\n" + strings.ToUpper(hashA) + " destructive\n",
			wantErr: "line 4: the same key is already listed on line 1",
			notIn:   []string{hashA, strings.ToUpper(hashA)},
		},
		{
			name:    "key without scopes",
			content: hashA + "\n",
			wantErr: "line 1: the key has no scopes",
			notIn:   []string{hashA},
		},
		{
			name:    "only comments",
			content: "# nothing yet\n\n",
			wantErr: "lists no keys",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "keys", tt.content)
			a, err := auth.New(auth.Config{APIKeysFile: path})
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.Contains(t, err.Error(), "SWITCHYARD_API_KEYS_FILE", "the error names the setting")
				for _, s := range tt.notIn {
					assert.NotContains(t, err.Error(), s)
				}
				return
			}
			require.NoError(t, err)
			require.False(t, a.Open())
			assert.Contains(t, a.Describe(), fmt.Sprintf("API keys (%d)", len(tt.keys)))
			for key, scopes := range tt.keys {
				p, err := a.Authenticate(key)
				require.NoError(t, err, key)
				assert.Equal(t, auth.MethodAPIKey, p.Method)
				assert.Equal(t, auth.HashKey(key)[:8], p.Subject)
				want := map[auth.Scope]bool{}
				for _, s := range scopes {
					want[s] = true
				}
				assert.Equal(t, want, p.Scopes, key)
			}
		})
	}
}

func TestKeysFileMissing(t *testing.T) {
	_, err := auth.New(auth.Config{APIKeysFile: "/nonexistent/switchyard-keys"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "SWITCHYARD_API_KEYS_FILE")
}

func TestAPIKeyAuthenticate(t *testing.T) {
	const key = "sy_live_4d1f0c7e9b2a"
	path := writeFile(t, "keys", auth.HashKey(key)+" read\n"+auth.HashKey("other.looking.jwt")+" write\n")
	// With a JWT method as well: a key is tried first, even when it has
	// two dots, and a key that is not listed is not taken for a JWT.
	for _, cfg := range []auth.Config{{APIKeysFile: path}, {APIKeysFile: path, JWTSecret: testSecret}} {
		a := newAuth(t, cfg)
		tests := []struct {
			name    string
			token   string
			wantErr error
			subject string
		}{
			{"listed key", key, nil, auth.HashKey(key)[:8]},
			{"listed key shaped like a jwt", "other.looking.jwt", nil, auth.HashKey("other.looking.jwt")[:8]},
			{"unknown key", "sy_live_4d1f0c7e9b2b", auth.ErrInvalidToken, ""},
			{"key with other case", strings.ToUpper(key), auth.ErrInvalidToken, ""},
			{"key with a suffix", key + "x", auth.ErrInvalidToken, ""},
			{"the hash is not a credential", auth.HashKey(key), auth.ErrInvalidToken, ""},
			{"empty", "", auth.ErrNoToken, ""},
			{"oversized", strings.Repeat("k", auth.MaxTokenBytes+1), auth.ErrInvalidToken, ""},
		}
		for _, tt := range tests {
			t.Run(fmt.Sprintf("jwt=%t/%s", cfg.JWTSecret != "", tt.name), func(t *testing.T) {
				p, err := a.Authenticate(tt.token)
				if tt.wantErr != nil {
					require.ErrorIs(t, err, tt.wantErr)
					assert.Nil(t, p)
					return
				}
				require.NoError(t, err)
				assert.Equal(t, tt.subject, p.Subject)
				assert.Equal(t, auth.MethodAPIKey, p.Method)
			})
		}
	}
}
