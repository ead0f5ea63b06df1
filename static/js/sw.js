/* The offline shell's service worker (served by visits.offline.service_worker, which fills in
   the allow-list and the cache name). It keeps exactly the addresses of the allow-list — the
   shell with its empty forms, its static files, the day's list by reference number and time —
   and nothing else: any other request is not even looked at, so no page with a name, a note or
   a document can end up in the cache. Those addresses are fetched from the network first (the
   day's list is today's); the cached copy answers only when the network does not.
   Drafts are not the worker's business: the page keeps them encrypted (static/js/offline.js). */
"use strict";

var CACHE = "__CACHE_NAME__";
var ALLOWED = "__OFFLINE_URLS__";

function allowed(request) {
  if (request.method !== "GET") { return null; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.search) { return null; }
  return ALLOWED.indexOf(url.pathname) === -1 ? null : url.pathname;
}

function keep(path, response) {
  // Only a plain answer of our own (no redirect to the sign-in page, no error page).
  if (!response || response.status !== 200 || response.redirected || response.type !== "basic") {
    return Promise.resolve();
  }
  var copy = response.clone();
  return caches.open(CACHE).then(function (cache) { return cache.put(path, copy); });
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    Promise.all(ALLOWED.map(function (path) {
      return fetch(path, {credentials: "same-origin", cache: "no-store"})
        .then(function (response) { return keep(path, response); })
        .catch(function () { /* offline while installing: the next visit fills it */ });
    })).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("caseworks-offline-") === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var path = allowed(event.request);
  if (path === null) { return; }  // not on the list: the browser's own way, never cached
  event.respondWith(
    fetch(event.request).then(function (response) {
      return keep(path, response).then(function () { return response; });
    }).catch(function () {
      return caches.open(CACHE).then(function (cache) {
        return cache.match(path, {ignoreVary: true, ignoreSearch: true});
      }).then(function (found) {
        return found || Response.error();
      });
    })
  );
});
