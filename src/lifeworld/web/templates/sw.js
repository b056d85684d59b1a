// Life World OS service worker: keeps the app shell so a friendly page shows when the home
// server cannot be reached, and the last Today and Activities pages the person saw, shown
// offline with the time they were saved; activities logged offline are sent from the queue
// (queue.js) when the connection returns, by Background Sync where the browser has it.
const VERSION = {{ version | tojson }};
const SHELL = {{ shell | tojson }};
const OFFLINE_URL = "/offline";
const CACHE = "lifeworld-shell-" + VERSION;
// The signed-in person's own pages: kept across versions, dropped on sign-out.
const PAGES = "lifeworld-pages";
const KEPT_PAGES = ["/", "/activities"];
const SAVED_AT = "x-lifeworld-saved-at";

importScripts({{ queue_url | tojson }});

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names
          .filter((name) => name.startsWith("lifeworld-") && name !== CACHE && name !== PAGES)
          .map((name) => caches.delete(name)),
      ))
      .then(() => self.clients.claim()),
  );
});

async function offlinePage() {
  const cached = await caches.match(OFFLINE_URL);
  return cached || new Response("Life World OS is offline.", {
    status: 503,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
  });
}

async function cacheFirst(request) {
  const hit = await caches.match(request);
  if (hit) {
    return hit;
  }
  const response = await fetch(request);
  if (response.ok) {
    const copy = response.clone();
    caches.open(CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

// A kept page from the network when it answers (a copy is saved), else the saved copy marked
// with the time it was saved, so the page can say "offline since".
async function keptPage(request, path) {
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    return savedPage(path);
  }
  const type = response.headers.get("content-type") || "";
  if (response.redirected) {
    await caches.delete(PAGES); // signed out: nothing personal stays on the device
  } else if (response.status === 200 && type.startsWith("text/html")) {
    const body = await response.clone().text();
    const headers = new Headers(response.headers);
    headers.set(SAVED_AT, new Date().toISOString());
    const cache = await caches.open(PAGES);
    await cache.put(path, new Response(body, { status: 200, headers }));
  }
  return response;
}

async function savedPage(path) {
  const cache = await caches.open(PAGES);
  const saved = await cache.match(path);
  if (!saved) {
    return offlinePage();
  }
  const savedAt = saved.headers.get(SAVED_AT) || "";
  const html = (await saved.text()).replace("<body ", '<body data-offline-copy="' + savedAt + '" ');
  return new Response(html, { status: 200, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

function tellPages(result) {
  return self.clients.matchAll({ type: "window" }).then((pages) => {
    pages.forEach((page) => page.postMessage({ type: "lifeworld-queue", result }));
  });
}

self.addEventListener("sync", (event) => {
  if (event.tag !== self.LifeWorldQueue.SYNC_TAG) {
    return;
  }
  // Rejected while the server cannot be reached, so the browser tries again later.
  event.waitUntil(
    self.LifeWorldQueue.send().then((result) => tellPages(result).then(() => {
      if (result.stopped) {
        throw new Error("queue not sent: " + result.stopped);
      }
    })),
  );
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "lifeworld-signed-out") {
    event.waitUntil(caches.delete(PAGES));
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    if (url.search === "" && KEPT_PAGES.includes(url.pathname)) {
      event.respondWith(keptPage(request, url.pathname));
    } else {
      event.respondWith(fetch(request).catch(offlinePage));
    }
    return;
  }
  if (url.pathname.startsWith("/static/") && url.searchParams.has("v")) {
    event.respondWith(cacheFirst(request));
  }
});
