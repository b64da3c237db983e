/* Gongzhi's service worker, served at /sw.js so that its scope is the whole site.
 *
 * Keeps: the offline page and the static files of the shell (style sheet, scripts, icons), fetched when
 * it installs and refreshed in the background each time they are used.
 * Never keeps: pages (they show a person's own appeals, points and messages), photos, API answers, and
 * anything but a GET: a form sent without network fails as it would without the worker.
 */
"use strict";

const CACHE = "gongzhi-shell-v1";
const OFFLINE_URL = "/offline/";
const SHELL = [OFFLINE_URL, "/manifest.webmanifest"];

// The offline page names the static files it needs (its style sheet and logo): keep those with it.
async function keepShell() {
  const cache = await caches.open(CACHE);
  await cache.addAll(SHELL);
  const page = await cache.match(OFFLINE_URL);
  if (!page) return;
  const html = await page.text();
  const assets = Array.from(html.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g), (m) => m[1]);
  await cache.addAll([...new Set(assets)]);
}

self.addEventListener("install", (event) => {
  event.waitUntil(keepShell().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("gongzhi-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

function isStatic(url) {
  return url.origin === self.location.origin && url.pathname.startsWith("/static/");
}

// Static files: from the cache at once, refreshed from the network behind the scenes.
async function staticFirst(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request);
  const fresh = fetch(request)
    .then((response) => {
      if (response.ok && response.type === "basic") cache.put(request, response.clone());
      return response;
    })
    .catch(() => undefined);
  return kept || (await fresh) || Response.error();
}

// Pages: always from the network; without network, the offline page.
async function pageOrOffline(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const cache = await caches.open(CACHE);
    return (await cache.match(OFFLINE_URL)) || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return; // writes go to the network untouched, never cached
  const url = new URL(request.url);
  if (isStatic(url)) {
    event.respondWith(staticFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(pageOrOffline(request));
  }
  // everything else (photos, API, media): the browser's own fetch, nothing kept
});
