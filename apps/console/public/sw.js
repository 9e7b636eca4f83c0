/* global self, caches */
/*
 * The console's service worker (registered by main.tsx, scope /console/). It keeps one thing: the console's own
 * offline page. A page of the console opened while the server cannot be reached shows that page instead of the
 * browser's error page; everything else (the app, its assets, the API, the sockets) goes to the network as usual,
 * so a new build is never hidden behind a cache. No inline script or style: it keeps to the console's CSP.
 */
const CACHE = 'kapok-offline-v1';
const OFFLINE = '/console/offline.html';
const SHELL = [OFFLINE, '/console/offline.js', '/console/offline.css'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && url.pathname.startsWith('/console')) {
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE)));
  } else if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});
