package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
)

// crossOriginPage is a front end served from another origin than the
// gateway's. It reads ETag from a cacheable GET, sends X-Switchyard-Cost
// (which needs a preflight) and reads the cost, Idempotent-Replayed from a
// replayed mutation and the request id, then leaves what it saw in
// window.__result. Each fetch that CORS blocks rejects, which the page
// records instead.
const crossOriginPage = `<!doctype html><meta charset="utf-8"><title>front end</title><script>
const gw = new URL(location.href).searchParams.get('gw');
(async () => {
  const out = {};
  try {
    const q = '{ accountLists { id } }';
    const get = await fetch(gw + '/query?query=' + encodeURIComponent(q), {headers: {'Apollo-Require-Preflight': 'true'}});
    out.etag = get.headers.get('ETag');
    const cost = await fetch(gw + '/query', {method: 'POST',
      headers: {'Content-Type': 'application/json', 'X-Switchyard-Cost': 'true', 'X-Request-Id': 'page-1'},
      body: JSON.stringify({query: q})});
    const body = await cost.json();
    out.cost = body.extensions && body.extensions.cost;
    out.requestId = cost.headers.get('X-Request-Id');
    const m = {method: 'POST', headers: {'Content-Type': 'application/json', 'Idempotency-Key': 'page-key-1'},
      body: JSON.stringify({query: 'mutation { createAccountList(input: {name: "from_the_page"}) { id } }'})};
    await fetch(gw + '/query', m);
    const again = await fetch(gw + '/query', m);
    out.replayed = again.headers.get('Idempotent-Replayed');
    const sdl = await fetch(gw + '/schema.graphql');
    out.sdl = (await sdl.text()).includes('type Query');
  } catch (e) {
    out.error = String(e);
  }
  window.__result = JSON.stringify(out);
})();
</script>`

// A browser page on another origin, in headless Chromium, reads ETag and
// the other exposed headers and sends the cost header: the CORS lists
// as a real browser applies them (preflight included), not as a test
// reads them.
func TestCrossOriginPageInChromium(t *testing.T) {
	t.Parallel()
	browserCtx := gatewaytest.Browser(t)
	pageSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(crossOriginPage))
	}))
	t.Cleanup(pageSrv.Close)
	// Another port is another origin.
	e := newEnv(t, func(s *gatewaytest.Setup) {
		s.Config.Browser.AllowAny, s.Config.Browser.AllowedOrigins = false, []string{pageSrv.URL}
	})
	require.NotEqual(t, pageSrv.URL, e.Server.URL)

	ctx, cancel := context.WithTimeout(browserCtx, 60*time.Second)
	defer cancel()
	var raw string
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(pageSrv.URL+"/?gw="+e.Server.URL),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			var err error
			raw, err = chromedp.Poll[string](`window.__result || null`, chromedp.WithPollingTimeout(45*time.Second))(ctx, tg)
			return err
		}),
	))
	var got struct {
		ETag      string          `json:"etag"`
		Cost      json.RawMessage `json:"cost"`
		RequestID string          `json:"requestId"`
		Replayed  string          `json:"replayed"`
		SDL       bool            `json:"sdl"`
		Error     string          `json:"error"`
	}
	require.NoError(t, json.Unmarshal([]byte(raw), &got), raw)
	require.Empty(t, got.Error, "a fetch was blocked: %s", raw)
	assert.True(t, strings.HasPrefix(got.ETag, `"`), "the page reads ETag: %s", raw)
	assert.Contains(t, string(got.Cost), `"estimated"`, "the cost header passed the preflight: %s", raw)
	assert.Equal(t, "page-1", got.RequestID, raw)
	assert.Equal(t, "true", got.Replayed, "the page reads Idempotent-Replayed: %s", raw)
	assert.True(t, got.SDL, "the page reads /schema.graphql: %s", raw)
}
