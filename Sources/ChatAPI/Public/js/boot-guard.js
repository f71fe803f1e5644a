// A classic (non-module) script that runs before the modules: when the browser could not
// download the page's modules (a dropped connection), reload once; if that fails too, say so.
// main.js clears the flag once it runs.
(function guardModuleLoading() {
  'use strict';
  var FLAG = 'chat.bootRetried';
  window.addEventListener('error', function onScriptError(event) {
    var script = event.target;
    if (!(script instanceof HTMLScriptElement) || script.type !== 'module') return;
    if (!sessionStorage.getItem(FLAG)) {
      sessionStorage.setItem(FLAG, '1');
      console.warn('The page could not load its scripts; reloading once.');
      window.location.reload();
      return;
    }
    var reason = document.getElementById('signed-out-reason');
    reason.textContent = 'The page could not load. Check the connection and reload.';
    document.querySelector('#signed-out h2').textContent = 'Could not load';
    document.getElementById('signed-out').hidden = false;
  }, true);
}());
