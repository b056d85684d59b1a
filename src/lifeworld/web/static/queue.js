// Life World: activities logged while the home server cannot be reached wait here (IndexedDB)
// until it answers again. Loaded by the pages and by the service worker (importScripts), so
// both can send the queue; a Web Lock lets only one of them send at a time, oldest first.
// docs/OFFLINE.md describes the rule the server applies to these late entries.
"use strict";

(function (global) {
  const DB_NAME = "lifeworld";
  const QUEUE = "queue";
  const OUTCOMES = "outcomes";
  const LOCK = "lifeworld-queue";
  const ENDPOINT = "/api/v1/me/activities";
  const SYNC_TAG = "lifeworld-queue";

  function request(req) {
    return new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }

  let opening = null;

  function open() {
    if (!opening) {
      const req = global.indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => {
        const db = req.result;
        // `seq` keeps the order the person logged them in.
        db.createObjectStore(QUEUE, { keyPath: "seq", autoIncrement: true });
        db.createObjectStore(OUTCOMES, { keyPath: "key" });
      };
      opening = request(req).catch((error) => {
        opening = null;
        throw error;
      });
    }
    return opening;
  }

  function done(tx) {
    return new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new Error("transaction aborted"));
    });
  }

  async function all(store) {
    const db = await open();
    return request(db.transaction(store).objectStore(store).getAll());
  }

  function newKey() {
    if (global.crypto && typeof global.crypto.randomUUID === "function") {
      return global.crypto.randomUUID();
    }
    const bytes = global.crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // A form nonce as the server makes them: 18 random bytes, base64url (24 characters).
  function newNonce() {
    const bytes = global.crypto.getRandomValues(new Uint8Array(18));
    const text = global.btoa(String.fromCharCode(...bytes));
    return text.replace(/\+/g, "-").replace(/\//g, "_");
  }

  // Keep one activity to send later: `body` is the JSON of POST /api/v1/me/activities.
  // `key`: the page's key for a form it may have delivered; a key this device already used
  // (a page saved for offline use keeps its nonce) gives way to a new one.
  async function add({ user, csrf, body, label, key }) {
    const used = key ? [...(await all(QUEUE)), ...(await all(OUTCOMES))] : [];
    const entry = {
      key: key && !used.some((e) => e.key === key) ? key : newKey(),
      user: String(user),
      csrf,
      label,
      body,
      occurred_at: new Date().toISOString(),
    };
    const db = await open();
    const tx = db.transaction(QUEUE, "readwrite");
    tx.objectStore(QUEUE).add(entry);
    await done(tx);
    return entry;
  }

  async function waiting(user) {
    return (await all(QUEUE)).filter((e) => user === undefined || e.user === String(user));
  }

  async function outcomes(user) {
    const list = await all(OUTCOMES);
    return list
      .filter((o) => user === undefined || o.user === String(user))
      .sort((a, b) => a.seq - b.seq);
  }

  async function dismiss(keys) {
    const db = await open();
    const tx = db.transaction(OUTCOMES, "readwrite");
    keys.forEach((key) => tx.objectStore(OUTCOMES).delete(key));
    await done(tx);
  }

  // The entry leaves the queue and its outcome is kept, in one transaction: never one without
  // the other, so an answer is neither lost nor the entry sent again.
  async function settle(entry, outcome) {
    const db = await open();
    const tx = db.transaction([QUEUE, OUTCOMES], "readwrite");
    tx.objectStore(QUEUE).delete(entry.seq);
    tx.objectStore(OUTCOMES).put({
      key: entry.key,
      seq: entry.seq,
      user: entry.user,
      label: entry.label,
      occurred_at: entry.occurred_at,
      ...outcome,
    });
    await done(tx);
  }

  function withLock(work) {
    const locks = global.navigator && global.navigator.locks;
    return locks ? locks.request(LOCK, work) : work();
  }

  // Answers worth another try later: the server or the sign-in, not the activity itself.
  function retryLater(status, code) {
    if (status >= 500 || [401, 403, 408, 425, 429].includes(status)) {
      return true;
    }
    return status === 409 && code === "idempotency_conflict";
  }

  function describe(data) {
    const a = data.activity;
    let text = "+" + a.xp_gained.overall.toLocaleString() + " XP";
    if (a.energy_used) {
      text += ", " + a.energy_used + " energy used (" + data.energy_left + " left)";
    }
    if (a.late) {
      text += "; its day had closed, so it counts today";
    }
    (data.milestones || []).forEach((m) => {
      text += "; milestone reached: " + m.type.replace(/_/g, " ").toLowerCase();
    });
    return text + ".";
  }

  // Send the waiting entries of `user` (all when undefined), oldest first, one at a time,
  // each with its own Idempotency-Key. `csrf`: the page's token; else each entry's own.
  // Stops at the first entry that cannot be settled now; returns what happened.
  function send({ user, csrf } = {}) {
    return withLock(async () => {
      const result = { recorded: 0, refused: 0, left: 0, stopped: null };
      for (;;) {
        const entries = await waiting(user);
        const entry = entries[0];
        if (!entry) {
          return result;
        }
        let response;
        let data = null;
        try {
          response = await global.fetch(ENDPOINT, {
            method: "POST",
            credentials: "same-origin",
            cache: "no-store",
            headers: {
              "Content-Type": "application/json",
              Accept: "application/json",
              "X-CSRF-Token": csrf || entry.csrf,
              "Idempotency-Key": entry.key,
            },
            body: JSON.stringify({ ...entry.body, occurred_at: entry.occurred_at }),
          });
          data = await response.json().catch(() => null);
        } catch (error) {
          result.left = entries.length;
          result.stopped = "offline";
          return result;
        }
        const code = data && data.error ? data.error.code : null;
        if (response.status === 409 && code === "already_recorded") {
          // The page's own send of it was recorded; only the answer was lost.
          await settle(entry, {
            status: "recorded",
            late: false,
            xp: null,
            message: "when it was first sent (only the answer was lost), so not a second time.",
          });
          result.recorded += 1;
        } else if (response.ok && data && data.activity) {
          await settle(entry, {
            status: "recorded",
            late: Boolean(data.activity.late),
            xp: data.activity.xp_gained.overall,
            message: describe(data),
          });
          result.recorded += 1;
        } else if (retryLater(response.status, code)) {
          result.left = entries.length;
          result.stopped = response.status === 401 || response.status === 403 ? "sign-in" : "later";
          return result;
        } else {
          const message = data && data.error ? data.error.message : "Refused (" + response.status + ").";
          await settle(entry, { status: "refused", code, message });
          result.refused += 1;
        }
      }
    });
  }

  global.LifeWorldQueue = {
    add,
    newNonce,
    waiting,
    outcomes,
    dismiss,
    send,
    SYNC_TAG,
  };
})(self);
