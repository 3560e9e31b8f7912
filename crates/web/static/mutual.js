// Mutual's own script: small optional enhancements. Every page works without it.
(function () {
  'use strict';
  // Offer the browser's time zone where the member has not chosen one yet.
  var zone = '';
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (e) { zone = ''; }
  document.querySelectorAll('input[data-detect-zone], input[data-browser-zone]').forEach(function (input) {
    if (!input.value && zone) { input.value = zone; }
  });
  // The crisis offer after a post or message with crisis language: the page has scrolled to it;
  // focusing it too makes a screen reader start there, before the post.
  var offer = window.location.hash === '#support' && document.getElementById('support');
  if (offer) { offer.focus(); }
  // "Use my location": the browser's position goes into the form, never anywhere else.
  if (navigator.geolocation) {
    document.querySelectorAll('button[data-locate]').forEach(function (button) {
      var target = document.getElementById(button.getAttribute('data-locate'));
      if (!target) { return; }
      button.hidden = false;
      button.addEventListener('click', function () {
        button.disabled = true;
        navigator.geolocation.getCurrentPosition(function (position) {
          target.value = position.coords.latitude.toFixed(4) + ',' + position.coords.longitude.toFixed(4);
          button.disabled = false;
        }, function () { button.disabled = false; }, { maximumAge: 600000, timeout: 10000 });
      });
    });
  }
  // A conversation updates itself while open: on each new message the page is shown again,
  // unless the member is typing, who is told instead (nothing they typed is lost).
  var live = document.querySelector('[data-live]');
  if (live && window.EventSource) {
    var events = new EventSource(live.getAttribute('data-live'));
    events.addEventListener('message', function () {
      var typing = document.querySelector('#send textarea');
      if (!typing || !typing.value.trim()) { window.location.reload(); return; }
      var notice = document.getElementById('new-messages');
      if (notice) { notice.hidden = false; }
    });
  }
  // The phone menu: without the script "Menu" is a link to the menu (shown while it is the
  // page's target); with it, a button that opens and closes it in place.
  var link = document.querySelector('a.menu-toggle');
  var menu = document.getElementById('menu');
  if (link && menu) {
    var toggle = document.createElement('button');
    toggle.type = 'button';
    toggle.className = 'menu-toggle';
    toggle.textContent = link.textContent;
    toggle.setAttribute('aria-controls', 'menu');
    toggle.setAttribute('aria-expanded', 'false');
    link.replaceWith(toggle);
    toggle.addEventListener('click', function () {
      var open = menu.classList.toggle('open');
      toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
    });
  }
  document.querySelectorAll('button[data-print]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () { window.print(); });
  });
})();
