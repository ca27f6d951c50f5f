package sharedstate_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"testing"

	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/switchyard/switchyard/internal/policy/idempotency"
	"github.com/switchyard/switchyard/internal/policy/sharedstate"
	"github.com/switchyard/switchyard/internal/policy/sharedstate/redistest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const password = "s3cret-redis-pass"

func TestConfigSecrets(t *testing.T) {
	cfg := sharedstate.Config{RedisURL: "redis://:" + password + "@cache:6380/2"}
	assert.Equal(t, []string{password}, cfg.Secrets(), "the password is handed to the log scrubber")
	assert.Empty(t, sharedstate.Config{}.Secrets())
	assert.Empty(t, sharedstate.Config{RedisURL: "redis://cache:6379"}.Secrets())
}

func TestConfigNeverPrintsThePassword(t *testing.T) {
	cfg := sharedstate.Config{RedisURL: "rediss://user:" + password + "@cache.example:6380/3"}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("stores", "config", cfg)
	for _, s := range []string{cfg.String(), fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg), logs.String()} {
		assert.NotContains(t, s, password)
		assert.Contains(t, s, "rediss://cache.example:6380/3", "but names the server")
	}
}

func TestOpenInMemory(t *testing.T) {
	s, err := sharedstate.Open(context.Background(), sharedstate.Config{}, nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	assert.False(t, s.Shared)
	assert.Nil(t, s.RateLimiter, "without Redis each replica keeps its share")
	assert.IsType(t, &lru.LRU[string]{}, s.APQ, "gqlgen's LRU")
	assert.IsType(t, &idempotency.MemoryStore{}, s.Idempotency)
	assert.Contains(t, s.Describe(), "in memory")

	s.APQ.Add(context.Background(), "h", "{ a }")
	q, ok := s.APQ.Get(context.Background(), "h")
	assert.True(t, ok)
	assert.Equal(t, "{ a }", q)
	require.NoError(t, s.Close(), "Close twice is fine")
}

func TestOpenErrorsHideThePassword(t *testing.T) {
	// A port nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := ln.Addr().String()
	require.NoError(t, ln.Close())

	tests := []struct {
		name, url, want string
	}{
		{"unparseable", "redis://user:" + password + "@host:port-is-not-a-number", "is not a valid redis:// or rediss:// URL"},
		{"wrong scheme", "http://user:" + password + "@host", "is not a valid redis:// or rediss:// URL"},
		{"nothing listening", "redis://user:" + password + "@" + closed + "/0?max_retries=-1", "does not answer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := sharedstate.Open(context.Background(), sharedstate.Config{RedisURL: tt.url}, nil)
			require.Error(t, err)
			assert.Nil(t, s)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), password)
		})
	}
}

func TestOpenRedis(t *testing.T) {
	srv := redistest.Start(t)
	s, err := sharedstate.Open(context.Background(), sharedstate.Config{RedisURL: srv.URL, Prefix: "t1:"}, nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	assert.True(t, s.Shared)
	assert.IsType(t, &sharedstate.APQCache{}, s.APQ)
	assert.IsType(t, &sharedstate.RateLimiter{}, s.RateLimiter)
	assert.IsType(t, &sharedstate.IdempotencyStore{}, s.Idempotency)
	assert.Contains(t, s.Describe(), srv.Addr)
	assert.Contains(t, s.Describe(), `"t1:"`)

	hash := sha256Hex("{ a }")
	s.APQ.Add(context.Background(), hash, "{ a }")
	n, err := srv.Client(t).Exists(context.Background(), "t1:apq:"+hash).Result()
	require.NoError(t, err)
	assert.EqualValues(t, 1, n, "keys carry the configured prefix")

	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "Close twice is fine")
}
