package cordial

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/vendors/cordial/cordialsim"
)

func ptr[T any](v T) *T { return &v }

// onlyEntry returns the only request the simulator has recorded.
func onlyEntry(t *testing.T, sim *cordialsim.Server) simkit.Entry {
	t.Helper()
	entries := sim.Recorder().Entries()
	require.Len(t, entries, 1)
	return entries[0]
}

// TestWireShape checks method, path (relative to the mount prefix), query,
// exact body and headers of every call.
func TestWireShape(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		call   func(c *Client) error
		method string
		path   string
		query  string
		body   string
	}{
		{"create", func(c *Client) error { _, err := c.CreateList(ctx, "safe_drivers", true); return err },
			http.MethodPost, "/v2/accountlists", "", `{"name":"safe_drivers","enhanced":true}`},
		{"create not enhanced", func(c *Client) error { _, err := c.CreateList(ctx, "safe-drivers", false); return err },
			http.MethodPost, "/v2/accountlists", "", `{"name":"safe-drivers","enhanced":false}`},
		{"lists all", func(c *Client) error { _, err := c.Lists(ctx, ""); return err },
			http.MethodGet, "/v2/accountlists", "", ""},
		{"lists by name", func(c *Client) error { _, err := c.Lists(ctx, "net-promoters"); return err },
			http.MethodGet, "/v2/accountlists", "name=net-promoters", ""},
		{"get", func(c *Client) error { _, err := c.GetList(ctx, 3); return err },
			http.MethodGet, "/v2/accountlists/3", "", ""},
		{"count", func(c *Client) error { _, err := c.CountList(ctx, 3); return err },
			http.MethodGet, "/v2/accountlists/3/count", "", ""},
		{"update both fields", func(c *Client) error {
			_, err := c.UpdateList(ctx, 2, ListUpdate{Name: ptr("vip_guests"), Enhanced: ptr(true)})
			return err
		}, http.MethodPut, "/v2/accountlists/2", "", `{"id":2,"name":"vip_guests","enhanced":true}`},
		{"clear", func(c *Client) error { return c.ClearList(ctx, 2) },
			http.MethodPut, "/v2/accountlists/2/clear", "", ""},
		{"delete", func(c *Client) error { return c.DeleteList(ctx, 4) },
			http.MethodDelete, "/v2/accountlists/4", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, sim := setup(t)
			require.NoError(t, tc.call(c))
			e := onlyEntry(t, sim)
			assert.Equal(t, tc.method, e.Method)
			assert.Equal(t, tc.path, e.Path)
			assert.Equal(t, tc.query, e.Query)
			assert.Equal(t, tc.body, e.Body)
			assert.Equal(t, http.StatusOK, e.Status)
			assert.Equal(t, "REDACTED", e.Headers["Authorization"], "credentials were sent (the recorder redacts them)")
			assert.Equal(t, "application/json", e.Headers["Accept"])
			if tc.body != "" {
				assert.Equal(t, "application/json", e.Headers["Content-Type"])
			} else {
				assert.Empty(t, e.Headers["Content-Type"])
			}
		})
	}
}

func TestListsDecoding(t *testing.T) {
	c, _ := setup(t)
	ctx := context.Background()
	all, err := c.Lists(ctx, "")
	require.NoError(t, err)
	assert.Equal(t, []AccountList{
		{ID: 1, Name: "vip-customers", Enhanced: true},
		{ID: 2, Name: "weekly_specials", Enhanced: false},
		{ID: 3, Name: "net-promoters", Enhanced: true},
		{ID: 4, Name: "daily-deals", Enhanced: false},
	}, all)

	one, err := c.Lists(ctx, "weekly_specials")
	require.NoError(t, err)
	assert.Equal(t, []AccountList{{ID: 2, Name: "weekly_specials"}}, one)

	none, err := c.Lists(ctx, "nobody-has-this")
	require.NoError(t, err)
	assert.NotNil(t, none)
	assert.Empty(t, none)
}

func TestCreateGetCount(t *testing.T) {
	c, _ := setup(t)
	ctx := context.Background()
	id, err := c.CreateList(ctx, "safe_drivers", true)
	require.NoError(t, err)
	assert.Equal(t, int64(5), id)
	id2, err := c.CreateList(ctx, "vip_guests", false)
	require.NoError(t, err)
	assert.Greater(t, id2, id)

	l, err := c.GetList(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, &AccountList{ID: id, Name: "safe_drivers", Enhanced: true}, l)

	lc, err := c.CountList(ctx, 2)
	require.NoError(t, err)
	assert.Equal(t, &ListCount{AccountList: AccountList{ID: 2, Name: "weekly_specials"}, Count: 4}, lc)
}

func TestUpdateList(t *testing.T) {
	ctx := context.Background()
	t.Run("both fields: one call", func(t *testing.T) {
		c, sim := setup(t)
		l, err := c.UpdateList(ctx, 2, ListUpdate{Name: ptr("vip_guests"), Enhanced: ptr(true)})
		require.NoError(t, err)
		assert.Equal(t, &AccountList{ID: 2, Name: "vip_guests", Enhanced: true}, l)
		assert.Len(t, sim.Recorder().Entries(), 1)
	})
	t.Run("nil name fetches the current one first", func(t *testing.T) {
		c, sim := setup(t)
		l, err := c.UpdateList(ctx, 1, ListUpdate{Enhanced: ptr(false)})
		require.NoError(t, err)
		assert.Equal(t, &AccountList{ID: 1, Name: "vip-customers", Enhanced: false}, l)
		entries := sim.Recorder().Entries()
		require.Len(t, entries, 2)
		assert.Equal(t, http.MethodGet, entries[0].Method)
		assert.Equal(t, "/v2/accountlists/1", entries[0].Path)
		assert.Equal(t, http.MethodPut, entries[1].Method)
		assert.Equal(t, "/v2/accountlists/1", entries[1].Path)
		assert.Equal(t, `{"id":1,"name":"vip-customers","enhanced":false}`, entries[1].Body)
	})
	t.Run("nil enhanced is left out, so the vendor keeps its value", func(t *testing.T) {
		c, sim := setup(t)
		l, err := c.UpdateList(ctx, 3, ListUpdate{Name: ptr("promoters")})
		require.NoError(t, err)
		assert.Equal(t, &AccountList{ID: 3, Name: "promoters", Enhanced: true}, l)
		entries := sim.Recorder().Entries()
		require.Len(t, entries, 1, "a rename needs no read first")
		assert.Equal(t, `{"id":3,"name":"promoters"}`, entries[0].Body)
	})
	t.Run("the name is read past the cache and calls in flight", func(t *testing.T) {
		// A read cache that holds the list's old name: the update must
		// not send it back.
		sim, err := cordialsim.New(cordialsim.Options{NoListener: true, APIKey: testKey})
		require.NoError(t, err)
		ts := httptest.NewServer(sim.Handler())
		t.Cleanup(ts.Close)
		chain := outbound.NewChain(outbound.ChainOptions{Descriptor: Vendor, Cache: outbound.CacheOptions{Store: outbound.NewMemoryCacheStore(0), TTL: time.Hour}})
		c, err := New(Config{APIKey: testKey, BaseURL: ts.URL, HTTPClient: chain.Client()})
		require.NoError(t, err)
		_, err = c.GetList(ctx, 2) // now cached as weekly_specials
		require.NoError(t, err)
		require.NoError(t, sim.SetState([]byte(`{"accountlists":[{"id":2,"name":"renamed_elsewhere","enhanced":false,"count":0}]}`)))
		_, err = c.UpdateList(ctx, 2, ListUpdate{Enhanced: ptr(true)})
		require.NoError(t, err)
		entries := sim.Recorder().Entries()
		require.Len(t, entries, 3)
		assert.Equal(t, http.MethodGet, entries[1].Method, "the name is read from Cordial, not the cache")
		assert.Equal(t, `{"id":2,"name":"renamed_elsewhere","enhanced":true}`, entries[2].Body)
	})
	t.Run("unknown id on the fetch is not found and sends no PUT", func(t *testing.T) {
		c, sim := setup(t)
		_, err := c.UpdateList(ctx, 999, ListUpdate{Enhanced: ptr(true)})
		oe := requireVendorError(t, err, outbound.KindNotFound)
		assert.Equal(t, "ACCOUNT_LISTS_NOT_FOUND", oe.Code)
		assert.Len(t, sim.Recorder().Entries(), 1)
	})
}

func TestClearKeepsListWithZeroCount(t *testing.T) {
	c, _ := setup(t)
	ctx := context.Background()
	before, err := c.CountList(ctx, 2)
	require.NoError(t, err)
	require.Equal(t, 4, before.Count)

	require.NoError(t, c.ClearList(ctx, 2))
	after, err := c.CountList(ctx, 2)
	require.NoError(t, err)
	assert.Equal(t, &ListCount{AccountList: before.AccountList, Count: 0}, after)
}

func TestDeleteRemovesList(t *testing.T) {
	c, _ := setup(t)
	ctx := context.Background()
	require.NoError(t, c.DeleteList(ctx, 4))
	_, err := c.GetList(ctx, 4)
	requireVendorError(t, err, outbound.KindNotFound)
	all, err := c.Lists(ctx, "")
	require.NoError(t, err)
	assert.Len(t, all, 3)
	err = c.DeleteList(ctx, 4)
	oe := requireVendorError(t, err, outbound.KindNotFound)
	assert.Equal(t, "RECORD_NOT_FOUND", oe.Code)
}

func TestValidListName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"safe_drivers", true},
		{"vip-guests", true},
		{"Weekly2024", true},
		{"a", true},
		{strings.Repeat("x", 128), true},
		{"cid-list", true},
		{"", false},
		{strings.Repeat("x", 129), false},
		{"cid", false},
		{"CID", false},
		{"Cid", false},
		{"safe drivers", false},
		{"a.b", false},
		{"a/b", false},
		{"café", false},
		{"tab\t", false},
	} {
		err := ValidListName(tc.name)
		if tc.ok {
			assert.NoError(t, err, "%q", tc.name)
		} else if assert.Error(t, err, "%q", tc.name) {
			assert.Equal(t, strings.ToLower(err.Error()[:1]), err.Error()[:1], "lower-case error text")
		}
	}
}

// TestValidListNameAgreesWithSimulator keeps the gateway's pre-check and
// the simulator's rule from drifting apart.
func TestValidListNameAgreesWithSimulator(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"ok_name-1", "bad name", "cid", "CID", "", strings.Repeat("y", 128), strings.Repeat("y", 129), "ünïcode"} {
		c, _ := setup(t)
		_, err := c.CreateList(ctx, name, false)
		if ValidListName(name) == nil {
			assert.NoError(t, err, "%q", name)
		} else {
			requireVendorError(t, err, outbound.KindBadInput)
		}
	}
}

// stub answers every request with one canned reply, for reply shapes the
// simulator does not produce but Cordial may.
func stub(t *testing.T, status int, body string) *Client {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(ts.Close)
	c, err := New(Config{APIKey: testKey, BaseURL: ts.URL})
	require.NoError(t, err)
	return c
}

func TestTolerantDecoding(t *testing.T) {
	ctx := context.Background()
	t.Run("get list as array (v1 shape)", func(t *testing.T) {
		l, err := stub(t, 200, `[{"id":7,"name":"x","enhanced":true}]`).GetList(ctx, 7)
		require.NoError(t, err)
		assert.Equal(t, &AccountList{ID: 7, Name: "x", Enhanced: true}, l)
	})
	t.Run("get list empty array is not found", func(t *testing.T) {
		_, err := stub(t, 200, `[]`).GetList(ctx, 7)
		requireVendorError(t, err, outbound.KindNotFound)
	})
	t.Run("created id as float or string", func(t *testing.T) {
		id, err := stub(t, 200, `{"success":true,"id":123.0}`).CreateList(ctx, "x", false)
		require.NoError(t, err)
		assert.Equal(t, int64(123), id)
		id, err = stub(t, 200, `{"success":true,"id":"124"}`).CreateList(ctx, "x", false)
		require.NoError(t, err)
		assert.Equal(t, int64(124), id)
	})
	t.Run("create without id", func(t *testing.T) {
		_, err := stub(t, 200, `{"success":true}`).CreateList(ctx, "x", false)
		requireVendorError(t, err, outbound.KindUpstream)
	})
	t.Run("success false", func(t *testing.T) {
		err := stub(t, 200, `{"success":false}`).DeleteList(ctx, 1)
		requireVendorError(t, err, outbound.KindUpstream)
		err = stub(t, 200, `{"success":false,"id":1}`).ClearList(ctx, 1)
		requireVendorError(t, err, outbound.KindUpstream)
	})
	t.Run("update with empty array reports what was sent", func(t *testing.T) {
		l, err := stub(t, 200, `[]`).UpdateList(ctx, 9, ListUpdate{Name: ptr("n"), Enhanced: ptr(true)})
		require.NoError(t, err)
		assert.Equal(t, &AccountList{ID: 9, Name: "n", Enhanced: true}, l)
	})
	t.Run("update with a bare object", func(t *testing.T) {
		l, err := stub(t, 200, `{"id":9,"name":"n","enhanced":false}`).UpdateList(ctx, 9, ListUpdate{Name: ptr("n"), Enhanced: ptr(false)})
		require.NoError(t, err)
		assert.Equal(t, &AccountList{ID: 9, Name: "n"}, l)
	})
	t.Run("count as string and enhanced as 1", func(t *testing.T) {
		lc, err := stub(t, 200, `{"id":"3","name":"n","enhanced":1,"count":"12"}`).CountList(ctx, 3)
		require.NoError(t, err)
		assert.Equal(t, &ListCount{AccountList: AccountList{ID: 3, Name: "n", Enhanced: true}, Count: 12}, lc)
	})
	t.Run("wrong types are malformed", func(t *testing.T) {
		_, err := stub(t, 200, `{"id":1.5,"name":"n"}`).CountList(ctx, 3)
		requireVendorError(t, err, outbound.KindUpstream)
		_, err = stub(t, 200, `{"id":1,"name":"n"}`).Lists(ctx, "")
		requireVendorError(t, err, outbound.KindUpstream)
	})
	t.Run("lists 404 record not found is empty", func(t *testing.T) {
		for _, body := range []string{
			`{"error":true,"errorKey":"RECORD_NOT_FOUND","message":"record not found"}`,
			`{"error":true,"message":"record not found"}`,
		} {
			got, err := stub(t, 404, body).Lists(ctx, "nobody")
			require.NoError(t, err)
			assert.Equal(t, []AccountList{}, got)
		}
	})
	t.Run("lists 404 for an unknown path stays an error", func(t *testing.T) {
		_, err := stub(t, 404, `{"error":"'\/v2\/accountlists' is not found."}`).Lists(ctx, "")
		oe := requireVendorError(t, err, outbound.KindNotFound)
		assert.Equal(t, "'/v2/accountlists' is not found.", oe.Message)
	})
}
