// Starts GraphiQL on Switchyard's page. It is a file rather than an inline
// <script> so that the page's Content-Security-Policy allows scripts from
// 'self' only; the settings come from the page's JSON data block
// (#graphiql-config), which the browser never executes.
(function () {
  'use strict';

  var config = JSON.parse(document.getElementById('graphiql-config').textContent);

  // GraphiQL's dialogs lock scrolling by inserting a <style> element
  // (react-remove-scroll); it tags the element with this nonce, which the
  // page's style-src allows. The nonce changes with every page load.
  window.__webpack_nonce__ = config.styleNonce;

  // createFetcher POSTs application/json (and reads multipart/mixed for
  // @defer), which needs no CSRF-prevention header.
  var fetcher = GraphiQL.createFetcher({
    url: new URL(config.endpoint, window.location.href).toString(),
  });

  // A tab's own headers (X-Switchyard-Plan, say) are added to the
  // default ones, so the Authorization line stays in every tab.
  function tabHeaders(tab) {
    if (!tab.headers) return config.defaultHeaders;
    try {
      var h = JSON.parse(config.defaultHeaders || '{}');
      var own = JSON.parse(tab.headers);
      Object.keys(own).forEach(function (k) { h[k] = own[k]; });
      return JSON.stringify(h, null, 2);
    } catch (e) {
      return tab.headers;
    }
  }

  var tabs = [{ query: config.defaultQuery, headers: config.defaultHeaders }].concat(
    (config.tabs || []).map(function (tab) {
      return { query: tab.query, variables: tab.variables, headers: tabHeaders(tab) };
    }),
  );

  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: config.defaultQuery,
      defaultHeaders: config.defaultHeaders,
      defaultTabs: tabs,
      isHeadersEditorEnabled: true,
      // Open the headers pane, where an Authorization: Bearer token goes.
      defaultEditorToolsVisibility: 'headers',
      // Tokens stay in the page: never written to localStorage.
      shouldPersistHeaders: false,
    }),
  );
})();
