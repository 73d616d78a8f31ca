// The exporter's status page, kept current: every few seconds the live part of the page is fetched again and
// swapped in place, countdowns tick every second, and times are shown in the browser's time zone (UTC on hover).
// The page is complete without this script; without it, it reloads itself every 30 seconds.
(function () {
  'use strict';
  var live = document.getElementById('live');
  if (!live || !window.fetch || !window.DOMParser) {
    return;
  }
  // The page's own URL, with its ?notice=..., so that the notice stays until the data it announces is there;
  // the address bar loses the query, so that a reload does not announce it again.
  var source = location.href;
  var notedUntil = Date.now() + 120000; // a notice is kept for two minutes, then the plain page is fetched
  if (location.search && window.history && history.replaceState) {
    history.replaceState(null, '', location.pathname);
  }
  var every = Number(live.getAttribute('data-refresh-ms')) || 5000;
  var skew = 0; // the exporter's clock minus the browser's, in milliseconds

  function human(seconds) {
    var s = Math.floor(seconds);
    if (s >= 86400) {
      return Math.floor(s / 86400) + 'd ' + Math.floor((s % 86400) / 3600) + 'h';
    }
    if (s >= 3600) {
      return Math.floor(s / 3600) + 'h ' + Math.floor((s % 3600) / 60) + 'm';
    }
    if (s >= 60) {
      return Math.floor(s / 60) + 'm ' + (s % 60) + 's';
    }
    return s + 's';
  }

  function localize(root) {
    root.querySelectorAll('time[datetime]').forEach(function (t) {
      var d = new Date(t.getAttribute('datetime'));
      if (isNaN(d.getTime())) {
        return;
      }
      t.title = t.textContent;
      t.textContent = d.toLocaleString();
      t.setAttribute('data-local', 'true');
    });
  }

  function readSkew(root) {
    var now = Date.parse(root.getAttribute('data-now'));
    if (!isNaN(now)) {
      skew = now - Date.now();
    }
  }

  function tick() {
    var now = Date.now() + skew;
    document.querySelectorAll('[data-until]').forEach(function (e) {
      var ms = Date.parse(e.getAttribute('data-until')) - now;
      e.textContent = ms >= 0 ? 'in ' + human(ms / 1000) : 'expired ' + human(-ms / 1000) + ' ago';
    });
    document.querySelectorAll('[data-since]').forEach(function (e) {
      e.textContent = human(Math.max(0, now - Date.parse(e.getAttribute('data-since'))) / 1000) + ' ago';
    });
  }

  function showStale(stale) {
    var banner = document.getElementById('stale');
    if (banner) {
      banner.hidden = !stale;
    }
  }

  function adopt(doc) {
    var fresh = doc.getElementById('live');
    if (!fresh) {
      throw new Error('the answer has no status');
    }
    readSkew(fresh);
    localize(fresh);
    live.replaceWith(fresh);
    live = fresh;
    var box = document.getElementById('authorize-box');
    var freshBox = doc.getElementById('authorize-box');
    if (box && freshBox) {
      box.hidden = freshBox.hidden;
    }
    // After a restart of the exporter the form's csrf field of the first load no longer matches.
    var field = document.querySelector('input[name="csrf"]');
    var freshField = doc.querySelector('input[name="csrf"]');
    if (field && freshField) {
      field.value = freshField.value;
    }
    tick();
  }

  function refresh() {
    if (Date.now() > notedUntil) {
      source = location.pathname;
    }
    fetch(source, {cache: 'no-store', credentials: 'same-origin', headers: {'Accept': 'text/html'}})
      .then(function (response) {
        if (!response.ok) {
          throw new Error('HTTP ' + response.status);
        }
        return response.text();
      })
      .then(function (text) {
        adopt(new DOMParser().parseFromString(text, 'text/html'));
        showStale(false);
      })
      .catch(function () {
        showStale(true);
      })
      .then(function () {
        setTimeout(refresh, every);
      });
  }

  readSkew(live);
  localize(live);
  tick();
  setInterval(tick, 1000);
  setTimeout(refresh, every);
}());
