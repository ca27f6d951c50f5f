package sharedstate_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/policy/sharedstate"
	"github.com/switchyard/switchyard/internal/policy/sharedstate/redistest"
)

func TestRedisAPQCache(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	a := sharedstate.NewAPQCache(srv.Client(t), sharedstate.APQOptions{Prefix: "t:", TTL: time.Hour})
	b := sharedstate.NewAPQCache(srv.Client(t), sharedstate.APQOptions{Prefix: "t:", TTL: time.Hour})
	q := "query Lists { accountLists { id } }"
	hash := sha256Hex(q)

	_, ok := b.Get(ctx, hash)
	assert.False(t, ok)
	a.Add(ctx, hash, q)
	got, ok := b.Get(ctx, hash)
	require.True(t, ok, "registered on one replica, served by another")
	assert.Equal(t, q, got)

	c := srv.Client(t)
	ttl, err := c.PTTL(ctx, "t:apq:"+hash).Result()
	require.NoError(t, err)
	assert.True(t, ttl > 0 && ttl <= time.Hour, "registrations expire: %s", ttl)

	// The client chooses the hash string: only SHA-256s reach Redis.
	for _, bad := range []string{"", "abc", strings.Repeat("z", 64), strings.Repeat("a", 1<<16)} {
		a.Add(ctx, bad, q)
		_, ok := a.Get(ctx, bad)
		assert.False(t, ok)
	}
	keys, err := c.Keys(ctx, "t:apq:*").Result()
	require.NoError(t, err)
	assert.Equal(t, []string{"t:apq:" + hash}, keys)
}

func TestRedisAPQCacheExpires(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	cache := sharedstate.NewAPQCache(srv.Client(t), sharedstate.APQOptions{TTL: 20 * time.Millisecond})
	hash := sha256Hex("{ a }")
	cache.Add(ctx, hash, "{ a }")
	time.Sleep(60 * time.Millisecond)
	_, ok := cache.Get(ctx, hash)
	assert.False(t, ok, "the client re-registers an expired query")
}

func TestRedisAPQCacheUnavailableIsAMiss(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialerRetries: 1})
	t.Cleanup(func() { _ = c.Close() })
	var logs bytes.Buffer
	cache := sharedstate.NewAPQCache(c, sharedstate.APQOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	q := "query Secret { accountLists(name: \"vip\") { id } }"
	hash := sha256Hex(q)

	cache.Add(context.Background(), hash, q) // logged, not fatal
	_, ok := cache.Get(context.Background(), hash)
	assert.False(t, ok)
	assert.Contains(t, logs.String(), "apq cache unavailable")
	assert.NotContains(t, logs.String(), "vip", "the query text is never logged")
}
