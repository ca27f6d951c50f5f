package apptivo_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/vendors/apptivo"
)

func customerIDs(p *apptivo.Page) []int64 {
	out := []int64{}
	for _, c := range p.Customers {
		out = append(out, c.CustomerID)
	}
	return out
}

func at(s string) *time.Time {
	t, err := time.Parse(time.DateTime, s)
	if err != nil {
		panic(err)
	}
	return &t
}

// TestSearchFiltersSortingAndText: every documented search parameter
// reaches the simulator and filters or orders as it says.
func TestSearchFiltersSortingAndText(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name  string
		run   func(c *apptivo.Client) (*apptivo.Page, error)
		want  []int64
		param map[string]string // wire parameters that must be present
	}{
		{"category ids", func(c *apptivo.Client) (*apptivo.Page, error) {
			return c.SearchCustomers(ctx, apptivo.SearchQuery{CategoryIDs: []int64{20002, 20003}}, 0, 10)
		}, []int64{1003, 1005}, nil},
		{"created range", func(c *apptivo.Client) (*apptivo.Page, error) {
			return c.SearchCustomers(ctx, apptivo.SearchQuery{CreatedFrom: at("2024-01-16 00:00:00"), CreatedTo: at("2024-01-17 23:59:59")}, 0, 10)
		}, []int64{1002, 1003}, nil},
		{"search sorted by name descending", func(c *apptivo.Client) (*apptivo.Page, error) {
			return c.SearchCustomers(ctx, apptivo.SearchQuery{CategoryIDs: []int64{20001}, Sort: &apptivo.Sort{Column: "customerName", Desc: true}}, 0, 10)
		}, []int64{1004, 1002, 1001}, map[string]string{"sortColumn": "customerName", "sortDir": "desc"}},
		{"list sorted by name", func(c *apptivo.Client) (*apptivo.Page, error) {
			return c.ListCustomersBy(ctx, apptivo.ListOptions{Sort: &apptivo.Sort{Column: "customerName"}}, 0, 3)
		}, []int64{1001, 1002, 1004}, map[string]string{"a": "getAll", "sortColumn": "customerName", "sortDir": "asc"}},
		{"free text", func(c *apptivo.Client) (*apptivo.Page, error) {
			return c.ListCustomersBy(ctx, apptivo.ListOptions{SearchText: "turing"}, 0, 10)
		}, []int64{1003}, map[string]string{"a": "getAllBySearchText", "searchText": "turing", "objectId": "3"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			page, err := tc.run(e.c)
			require.NoError(t, err)
			assert.Equal(t, tc.want, customerIDs(page))
			entries := e.sim.Recorder().Entries()
			require.Len(t, entries, 1)
			q, err := url.ParseQuery(entries[0].Query)
			require.NoError(t, err)
			for k, v := range tc.param {
				assert.Equal(t, v, q.Get(k), k)
			}
		})
	}
}
