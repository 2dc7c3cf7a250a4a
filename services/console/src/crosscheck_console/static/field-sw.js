// The service worker of the pages used on site (registered for /field, /followup and
// /verify, each its own scope): pages and their assets come from the
// network when there is one, and from this cache when there is none. Forms are not its
// business: field.js keeps them in IndexedDB and sends them itself.
"use strict";
const CACHE = "crosscheck-field-v1";
const ASSETS = ["/static/console.css", "/static/field.js"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

const FOLDERS = ["/field", "/followup", "/verify"];

function onSite(path) {
  return FOLDERS.some((f) => path === f || path.startsWith(f + "/"));
}

function kept(request) {
  const url = new URL(request.url);
  return request.method === "GET" && url.origin === self.location.origin &&
    (onSite(url.pathname) || url.pathname.startsWith("/static/")) && !url.pathname.endsWith("/sw.js");
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (!kept(request)) return;
  event.respondWith(
    fetch(request)
      .then((answer) => {
        // Only the page itself, never a sign-in redirect or an error page.
        if (answer.ok && answer.type === "basic" && !answer.redirected) {
          const copy = answer.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return answer;
      })
      .catch(() => caches.match(request, { ignoreSearch: true }).then((hit) => hit || Response.error())),
  );
});

// The day's page asks for its places to be kept, so that each opens offline later.
self.addEventListener("message", (event) => {
  const paths = (event.data && event.data.keep) || [];
  const wanted = paths.filter((p) => typeof p === "string" && onSite(p));
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      Promise.all(wanted.map((p) =>
        fetch(p, { credentials: "same-origin" }).then((answer) => {
          if (answer.ok && !answer.redirected) return cache.put(p, answer);
          return undefined;
        }).catch(() => undefined))),
    ),
  );
});

// Signing out forgets the kept pages (they carry names and the form token).
self.addEventListener("message", (event) => {
  if (event.data && event.data.forget) event.waitUntil(caches.delete(CACHE));
});
