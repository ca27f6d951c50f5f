package outbound_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/vendors/cordial"
	"github.com/switchyard/switchyard/vendors/cordial/cordialsim"
)

// BenchmarkRepeatedRead is one Cordial list read, repeated, through the
// real client and chain against the simulator on loopback: uncached (every
// read a vendor call, today's behaviour with SWITCHYARD_CACHE=0) and
// cached (the first read fills the cache). vendor-calls/op is measured
// from the simulator's request log.
//
//	go test ./internal/base/outbound -run '^$' -bench RepeatedRead -benchtime 3000x -count 3
func BenchmarkRepeatedRead(b *testing.B) {
	for _, bc := range []struct {
		name  string
		store outbound.CacheStore
	}{
		{"uncached", nil},
		{"cached", outbound.NewMemoryCacheStore(0)},
	} {
		if m, ok := bc.store.(*outbound.MemoryCacheStore); ok {
			defer m.Close()
		}
		b.Run(bc.name, func(b *testing.B) {
			sim, err := cordialsim.New(cordialsim.Options{})
			require.NoError(b, err)
			defer sim.Close()
			chain := outbound.NewChain(fast(outbound.ChainOptions{Vendor: cordial.Name, Descriptor: cordial.Vendor, Cache: outbound.CacheOptions{Store: bc.store}}))
			defer chain.CloseIdleConnections()
			c, err := cordial.New(cordial.Config{APIKey: cordialsim.APIKey, BaseURL: sim.URL(), HTTPClient: chain.Client()})
			require.NoError(b, err)
			ctx := context.Background()
			_, err = c.Lists(ctx, "") // warm: connection, token, cache
			require.NoError(b, err)
			sim.Recorder().Clear()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, err := c.Lists(ctx, ""); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(sim.Recorder().Count("cordial"))/float64(b.N), "vendor-calls/op")
		})
	}
}
