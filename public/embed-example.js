// Example host of Carryover's embed mode (README: Embedding). Plain script, no dependency.
(function () {
  var frame = document.getElementById('carryover');
  var log = document.getElementById('log');
  var pending = null; // a bundle to post once the report says it is ready
  var ready = false;
  // the app lives next to this page; it accepts messages from this page's origin only
  var app = new URL('./index.html', location.href);
  // this page's own ?embed=plan or ?chart=roi|fit passes through (default: the whole report)
  var own = new URLSearchParams(location.search);
  if (own.get('chart')) app.searchParams.set('chart', own.get('chart'));
  else app.searchParams.set('embed', own.get('embed') || 'report');
  app.searchParams.set('allow', location.origin);
  frame.src = app.href;

  function write(line) {
    log.textContent += line + '\n';
  }
  function send(bundle) {
    // the sandboxed frame's origin is opaque ('null'), so '*' is the only target origin that reaches it;
    // the message goes to that one window
    frame.contentWindow.postMessage({ type: 'carryover:load', version: 1, bundle: bundle }, '*');
  }
  window.addEventListener('message', function (e) {
    if (e.source !== frame.contentWindow) return; // only the embedded report talks to this page
    var m = e.data || {};
    if (typeof m.type !== 'string' || m.type.indexOf('carryover:') !== 0) return;
    write(JSON.stringify(m));
    document.body.setAttribute('data-last-event', m.type);
    if (m.type === 'carryover:ready') {
      ready = true;
      if (pending) send(pending);
    }
  });
  if (location.hash.indexOf('#share=') === 0) pending = location.hash.slice(1);
  document.getElementById('bundle-file').addEventListener('change', function (e) {
    var file = e.target.files && e.target.files[0];
    if (!file) return;
    file.arrayBuffer().then(function (buf) {
      pending = new Uint8Array(buf);
      if (ready) send(pending);
    });
  });
})();
