// Mutual's own script: small optional enhancements. Every page works without it.
(function () {
  'use strict';
  // Offer the browser's time zone where the member has not chosen one yet.
  var zone = '';
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (e) { zone = ''; }
  document.querySelectorAll('input[data-detect-zone]').forEach(function (input) {
    if (!input.value && zone) { input.value = zone; }
  });
})();
