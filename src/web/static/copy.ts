// The only script: copy buttons (and select-on-focus for read-only fields). Pages work without it; the buttons stay
// hidden until it runs. Served from /static/ under a content hash; kept in a module so `tsc` ships it in dist/.
export const COPY_JS = `'use strict';
(function () {
  function copy(field) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(field.value);
    field.select();
    return document.execCommand('copy') ? Promise.resolve() : Promise.reject(new Error('copy refused'));
  }
  document.querySelectorAll('[data-select-on-focus]').forEach(function (field) {
    field.addEventListener('focus', function () { field.select(); });
  });
  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    var field = document.getElementById(button.getAttribute('data-copy'));
    var status = document.getElementById(button.getAttribute('data-copy-status'));
    if (!field) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      copy(field).then(function () {
        if (status) status.textContent = button.getAttribute('data-copied') || '';
      }, function () {
        field.focus();
        field.select();
      });
    });
  });
})();
`;
