package graphiql_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/policy/graphiql"
)

// browserLog is what the page did, gathered from DevTools events.
type browserLog struct {
	mu         sync.Mutex
	requests   []*network.Request
	pageHeader network.Headers // the response headers of the page itself
	exceptions []string
	console    []string
}

func (l *browserLog) listen(pageURL string) func(any) {
	return func(ev any) {
		l.mu.Lock()
		defer l.mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			l.requests = append(l.requests, e.Request)
		case *network.EventResponseReceived:
			if e.Response.URL == pageURL {
				l.pageHeader = e.Response.Headers
			}
		case *runtime.EventExceptionThrown:
			d := e.ExceptionDetails
			text := d.Text
			if d.Exception != nil {
				text += " " + d.Exception.Description
			}
			l.exceptions = append(l.exceptions, fmt.Sprintf("%s (%s:%d)", text, d.URL, d.LineNumber))
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				l.console = append(l.console, string(e.Type)+": "+strings.Join(parts, " "))
			}
		}
	}
}

func (l *browserLog) snapshot() (requests []*network.Request, header network.Headers, exceptions, console []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*network.Request(nil), l.requests...), l.pageHeader, append([]string(nil), l.exceptions...), append([]string(nil), l.console...)
}

// header looks a header up by name in any case (DevTools reports them as
// sent: fetch lower-cases them, HTTP/1.1 responses keep Go's case).
func header(h network.Headers, name string) any {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// recordViolations runs in the page before its own scripts (DevTools
// injects it, so the page's policy does not apply to it) and keeps every
// Content-Security-Policy violation the browser reports.
const recordViolations = `
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber);
});
`

// resultText reads the whole result pane through CodeMirror (which renders
// only the lines in view), or null while it holds no data yet.
const resultText = `(() => {
  const el = document.querySelector('.graphiql-response .CodeMirror');
  const text = el && el.CodeMirror ? el.CodeMirror.getValue() : '';
  return text.includes('"data"') || text.includes('"errors"') ? text : null;
})()`

// TestGraphiQLInChromium loads the page in headless Chromium against a
// real sandbox gateway, runs the default query with a bearer token in the
// header editor, and reads the result pane, with the page's policy in force
// and no request leaving the test server.
func TestGraphiQLInChromium(t *testing.T) {
	browserCtx := gatewaytest.Browser(t)
	srv := startGateway(t)
	pageURL := srv.URL + "/"

	log := &browserLog{}
	require.NoError(t, chromedp.Listen(browserCtx, log.listen(pageURL)))

	defer func() {
		if !t.Failed() {
			return
		}
		ctx, cancel := context.WithTimeout(browserCtx, 10*time.Second)
		defer cancel()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Logf("no screenshot: %v", err)
			return
		}
		// The test's temp dir, kept when go test runs with -artifacts.
		path := filepath.Join(t.ArtifactDir(), "graphiql-failure.png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Logf("no screenshot: %v", err)
			return
		}
		t.Logf("screenshot of the page at failure: %s (go test -artifacts keeps it)", path)
		_, _, exceptions, console := log.snapshot()
		t.Logf("page exceptions: %q\nconsole errors and warnings: %q", exceptions, console)
	}()

	// run runs one step of the test with its own deadline.
	run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		ctx, cancel := context.WithTimeout(browserCtx, 30*time.Second)
		defer cancel()
		require.NoError(t, chromedp.Do(ctx, steps...), what)
	}
	eval := func(expr string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](expr)(ctx, t)
			return err
		})
	}
	// value evaluates expr in the page into a Go value.
	value := func(expr string, into any) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			text, err := chromedp.Evaluate[string]("JSON.stringify("+expr+")")(ctx, t)
			if err != nil {
				return err
			}
			return json.Unmarshal([]byte(text), into)
		})
	}

	const token = "graphiql-test-token"
	var (
		tabs          []string
		headersActive bool
		result        string
		violations    []string
		dialogOpen    bool
	)
	run("load the page",
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: recordViolations})
			return err
		}),
		chromedp.Navigate(pageURL),
		chromedp.WaitVisible(chromedp.CSS(".graphiql-execute-button")),
		chromedp.WaitVisible(chromedp.CSS(`.graphiql-sidebar button[aria-label="Open settings dialog"]`)),
		value(`Array.from(document.querySelectorAll('.graphiql-tab .graphiql-tab-button')).map(b => b.textContent.trim())`, &tabs),
		value(`!!document.querySelector('.graphiql-editor-tools button[data-name="headers"].active')`, &headersActive),
	)
	wantTabs := []string{"Overview"}
	for _, tab := range graphiql.Examples(vendorExamples()...) {
		wantTabs = append(wantTabs, tab.Name)
	}
	assert.Equal(t, wantTabs, tabs, "the default query's tab, then the README's examples")
	assert.True(t, headersActive, "the headers editor is open")

	run("type a token into the headers editor and run the default query",
		eval(`(() => {
			const el = document.querySelector('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror');
			el.CodeMirror.setValue('{"Authorization": "Bearer `+token+`"}');
			return true;
		})()`),
		chromedp.Click(chromedp.CSS(".graphiql-execute-button")),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			var err error
			result, err = chromedp.Poll[string](resultText, chromedp.WithPollingTimeout(20*time.Second))(ctx, t)
			return err
		}),
	)
	var out struct {
		Data struct {
			Accounts struct {
				Nodes []struct{ Name string }
			}
			Customers struct {
				Nodes []struct {
					Name   string
					Person *struct {
						Subscriptions []struct{ AudienceName string }
					}
				}
			}
			AccountLists []struct{ Name string }
		}
		Errors []json.RawMessage
	}
	require.NoError(t, json.Unmarshal([]byte(result), &out), result)
	assert.Empty(t, out.Errors, result)
	assert.NotEmpty(t, out.Data.Accounts.Nodes, "AppDirect's accounts in the result pane")
	assert.NotEmpty(t, out.Data.Customers.Nodes, "Apptivo's customers in the result pane")
	assert.Contains(t, result, `"subscriptions"`, "Ortto's subscriptions in the result pane")
	assert.Contains(t, result, `"accountLists"`)
	assert.Contains(t, result, `"vip-customers"`, "Cordial's lists in the result pane")

	// A dialog makes GraphiQL insert a <style> element, which only the
	// page's nonce lets through.
	run("open and close the settings dialog",
		chromedp.Click(chromedp.CSS(`.graphiql-sidebar button[aria-label="Open settings dialog"]`)),
		chromedp.WaitVisible(chromedp.CSS(".graphiql-dialog")),
		value(`!!document.querySelector('.graphiql-dialog')`, &dialogOpen),
		chromedp.Click(chromedp.CSS(".graphiql-dialog-close")),
		chromedp.WaitNotPresent(chromedp.CSS(".graphiql-dialog")),
		value(`window.__cspViolations`, &violations),
	)
	assert.True(t, dialogOpen)
	assert.Empty(t, violations, "the page's Content-Security-Policy blocked something")

	requests, pageHeader, exceptions, console := log.snapshot()
	assert.Empty(t, exceptions, "uncaught exceptions in the page")
	assert.Empty(t, console, "console errors or warnings")
	assert.NotNil(t, header(pageHeader, "Content-Security-Policy"), "the page carries its policy")
	if csp, _ := header(pageHeader, "Content-Security-Policy").(string); csp != "" {
		assert.Contains(t, csp, "script-src 'self';")
	}

	var queries []*network.Request
	for _, r := range requests {
		// data: URLs (the fonts inside graphiql.min.css) never leave the page.
		if !strings.HasPrefix(r.URL, "data:") {
			assert.True(t, strings.HasPrefix(r.URL, srv.URL+"/"), "a request left the test server: %s %s", r.Method, r.URL)
		}
		if r.URL == srv.URL+"/query" {
			queries = append(queries, r)
		}
	}
	require.NotEmpty(t, queries, "GraphiQL sent nothing to /query")
	var ran, introspected bool
	for _, q := range queries {
		assert.Equal(t, "POST", q.Method, "GraphiQL POSTs")
		assert.Equal(t, "application/json", header(q.Headers, "Content-Type"), "GraphiQL sends JSON, which needs no CSRF-prevention header")
		var body strings.Builder
		for _, e := range q.PostDataEntries {
			body.Write(e.Bytes)
		}
		introspected = introspected || strings.Contains(body.String(), "__schema")
		if strings.Contains(body.String(), "query Overview") {
			ran = true
			assert.Equal(t, "Bearer "+token, header(q.Headers, "Authorization"), "the header editor's token is sent")
		}
	}
	assert.True(t, ran, "the default query reached /query")
	assert.True(t, introspected, "GraphiQL loaded the schema (docs, completion)")
}
