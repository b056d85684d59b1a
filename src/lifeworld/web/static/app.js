// Life World OS: small progressive enhancements. Every page works without this file; with it,
// forms cannot be sent twice by a double tap, secrets copy with one tap, the app shell is kept
// for offline use, and activities logged offline are queued and sent later. Behaviour hangs
// on data-* attributes (the CSP forbids inline script).
"use strict";

(function () {
  const announcer = () => document.querySelector("[data-announcer]");

  function announce(message) {
    const region = announcer();
    if (!region) {
      return;
    }
    region.textContent = "";
    window.setTimeout(() => {
      region.textContent = message;
    }, 50);
  }

  function copyText(input) {
    input.focus();
    input.select();
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(input.value);
    }
    // Plain http on the home network is not a secure context: fall back to the selection.
    return new Promise((resolve, reject) => {
      try {
        document.execCommand("copy") ? resolve() : reject(new Error("copy refused"));
      } catch (error) {
        reject(error);
      }
    });
  }

  const MENUS = "details.account-menu[open], details.tab-more[open], details.nav-more[open]";

  function formatHours(hours) {
    const minutes = Math.floor(hours * 60);
    const whole = Math.floor(minutes / 60);
    const rest = minutes % 60;
    if (whole === 0) {
      return rest + " min";
    }
    return rest ? whole + " h " + String(rest).padStart(2, "0") + " min" : whole + " h";
  }

  // Replace the page's <main> with the one of a server-rendered page (after a form POST),
  // keeping the scroll position and moving focus to the message the server put there.
  function swapMain(html, url, anchorId) {
    const next = new DOMParser().parseFromString(html, "text/html");
    const fresh = next.querySelector("main");
    const main = document.querySelector("main");
    if (!fresh || !main) {
      return false;
    }
    const y = window.scrollY;
    main.replaceChildren(...Array.from(fresh.childNodes));
    document.title = next.title;
    const target = new URL(url, window.location.href);
    if (target.pathname + target.search !== window.location.pathname + window.location.search) {
      window.history.pushState({}, "", target.pathname + target.search);
    }
    enhance(main);
    window.scrollTo(0, y);
    const scope = (anchorId && main.querySelector("#" + CSS.escape(anchorId))) || main;
    const message =
      scope.querySelector(".form-error, [aria-invalid=true], .flash") ||
      main.querySelector(".form-error, [aria-invalid=true], .flash");
    if (message) {
      if (!message.matches("input, select, textarea")) {
        message.setAttribute("tabindex", "-1");
      }
      message.focus({ preventScroll: true });
      message.scrollIntoView({ block: "nearest" });
      announce(message.textContent.replace(/\s+/g, " ").trim());
    }
    return true;
  }

  function previewBody(form) {
    const value = (name) => {
      const field = form.elements.namedItem(name);
      return field && "value" in field ? field.value.trim() : "";
    };
    const asNumber = (text) => (text !== "" && !Number.isNaN(Number(text)) ? Number(text) : text);
    const body = { type: value("type") || "CUSTOM" };
    if (value("description")) {
      body.description = value("description");
    }
    const categories = {};
    ["capacity", "engines", "oxygen", "meaning", "optionality"].forEach((name) => {
      if (value("xp_" + name)) {
        categories[name] = asNumber(value("xp_" + name));
      }
    });
    body.custom_xp = { categories };
    if (value("xp_overall")) {
      body.custom_xp.overall = asNumber(value("xp_overall"));
    }
    const changes = {};
    ["gold", "oxygen"].forEach((name) => {
      if (value(name)) {
        changes[name] = asNumber(value(name));
      }
    });
    if (Object.keys(changes).length) {
      body.resource_changes = changes;
    }
    return body;
  }

  // Numbers as the server writes them on the page: the locale it chose from the browser's languages.
  const numberLocale = document.documentElement.dataset.numberLocale || undefined;

  function describePreview(data) {
    const gained = data.activity.xp_gained;
    const areas = Object.entries(gained.categories)
      .filter(([, xp]) => xp > 0)
      .map(([name, xp]) => name + " +" + xp.toLocaleString(numberLocale))
      .join(", ");
    let text = "Logged now, this gives +" + gained.overall.toLocaleString(numberLocale) + " XP";
    if (areas) {
      text += " (" + areas + ")";
    }
    text += " for " + data.activity.energy_used + " energy, leaving " + data.energy_left + ".";
    return text;
  }

  // Connect a phone: ask the HTTPS address from the plain page; the request only gets an
  // answer when the phone trusts the server's certificate.
  function checkTrust(box) {
    const status = box.querySelector("[data-trust-status]");
    const retry = box.querySelector("[data-trust-retry]");
    const open = box.querySelector("[data-trust-open]");
    const run = () => {
      status.textContent = "Checking whether this phone trusts your server…";
      fetch(box.dataset.trustCheck, { cache: "no-store", credentials: "omit" })
        .then((response) => response.json())
        .then((body) => {
          if (!body.trusted) {
            throw new Error("not over HTTPS");
          }
          box.dataset.trusted = "yes";
          status.textContent = "Yes: this phone trusts your Life World OS server.";
          open.hidden = false;
        })
        .catch(() => {
          box.dataset.trusted = "no";
          status.textContent =
            "Not yet: this phone does not trust your server. Install the certificate above " +
            "(on an iPhone, also turn on full trust), then check again.";
          open.hidden = true;
        })
        .finally(() => {
          retry.hidden = false;
        });
    };
    retry.addEventListener("click", run);
    run();
  }

  // Offline logging (docs/OFFLINE.md): activities the server could not take are queued on
  // this device (queue.js) and sent when it answers; the sync box says how many wait, then
  // what each earned or why it was refused, until the person dismisses it.
  const offline = (function () {
    const Q = window.LifeWorldQueue;
    const body = document.body;
    const user = body.dataset.user;
    let since = null; // when this page found the server unreachable
    let sending = false;

    function clock(date) {
      return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
    }

    function canQueue(form) {
      const path = new URL(form.action, window.location.href).pathname;
      return Boolean(Q && user && window.indexedDB && path === "/activities");
    }

    function entryFor(form, submitter) {
      const type = submitter && submitter.name === "type" ? submitter.value : "";
      if (type && type !== "CUSTOM") {
        const name = submitter.querySelector(".quick-name");
        return { body: { type }, label: name ? name.textContent.trim() : type };
      }
      const payload = previewBody(form);
      return { body: payload, label: payload.description || "Custom activity" };
    }

    function el(tag, className, text) {
      const node = document.createElement(tag);
      if (className) {
        node.className = className;
      }
      if (text) {
        node.textContent = text;
      }
      return node;
    }

    function plural(n, one, many) {
      return n + " " + (n === 1 ? one : many);
    }

    async function render() {
      const box = document.querySelector("[data-sync]");
      if (!box || !Q || !user) {
        return;
      }
      let waiting = [];
      let outcomes = [];
      try {
        [waiting, outcomes] = await Promise.all([Q.waiting(user), Q.outcomes(user)]);
      } catch (error) {
        return; // no IndexedDB (a private window may refuse it): nothing was queued either
      }
      const parts = [];
      if (since) {
        const copy = body.dataset.offlineCopy ? " This page is as it was then." : "";
        parts.push(el("p", "sync-offline", "Offline since " + clock(since) + "." + copy));
      }
      if (waiting.length) {
        const text =
          plural(waiting.length, "activity", "activities") +
          " waiting to be sent. They go as soon as your server answers.";
        parts.push(el("p", "sync-waiting", text));
      }
      if (outcomes.length) {
        const list = el("ul", "sync-outcomes");
        outcomes.forEach((o) => {
          const item = el("li", "sync-" + o.status);
          const when = clock(new Date(o.occurred_at));
          const head = o.label + " (" + when + "): ";
          item.textContent =
            o.status === "recorded" ? head + "logged, " + o.message : head + "not logged. " + o.message;
          list.append(item);
        });
        const dismiss = el("button", "btn btn-ghost btn-small", "OK");
        dismiss.type = "button";
        dismiss.addEventListener("click", () => {
          Q.dismiss(outcomes.map((o) => o.key)).then(render);
        });
        parts.push(el("p", "sync-title", "Sent from this device:"), list, dismiss);
      }
      box.replaceChildren(...parts);
      box.hidden = parts.length === 0;
    }

    function wentOffline() {
      if (!since) {
        since = new Date();
      }
      render();
    }

    // Show the page's newest state after entries were recorded.
    function refresh() {
      if (body.dataset.offlineCopy) {
        window.location.reload(); // the saved copy: load the page itself now it answers
        return;
      }
      fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then((response) => (response.ok ? response.text() : null))
        .then((html) => {
          if (html) {
            swapMain(html, window.location.href, null);
          }
        })
        .catch(() => {});
    }

    async function flush() {
      if (!Q || !user || sending) {
        return;
      }
      sending = true;
      let result = null;
      try {
        result = await Q.send({ user, csrf: body.dataset.csrf });
      } catch (error) {
        result = null;
      } finally {
        sending = false;
      }
      if (result && result.stopped === "offline") {
        wentOffline();
        return;
      }
      if (result && (result.recorded || result.refused)) {
        since = null;
        await render();
        announce(
          plural(result.recorded, "queued activity", "queued activities") +
            " logged" +
            (result.refused ? ", " + result.refused + " refused" : "") +
            ".",
        );
        if (result.recorded) {
          refresh();
        }
        return;
      }
      if (body.dataset.offlineCopy) {
        reloadWhenReachable(); // nothing queued: the saved copy gives way once the server answers
      } else if (result) {
        since = null;
      }
      render();
    }

    function reloadWhenReachable() {
      fetch("/api/v1/ping", { cache: "no-store" })
        .then((response) => {
          if (response.ok) {
            window.location.reload();
          }
        })
        .catch(() => wentOffline());
    }

    function askForSync() {
      if (!("serviceWorker" in navigator) || !window.isSecureContext) {
        return;
      }
      navigator.serviceWorker.ready
        .then((registration) => registration.sync && registration.sync.register(Q.SYNC_TAG))
        .catch(() => {}); // no Background Sync: the page sends on "online" and on load
    }

    // `sent`: the page already sent this form and lost the answer, so it may have been
    // recorded: the queued copy carries the form's nonce as its key (`form:<nonce>`), which
    // the server has claimed if it was. Either way the form gets a new nonce, so tapping it
    // again is a new activity.
    async function queue(form, submitter, sent) {
      const entry = entryFor(form, submitter);
      const nonce = form.elements.namedItem("form_nonce");
      const key = sent && nonce && nonce.value ? "form:" + nonce.value : undefined;
      try {
        await Q.add({ user, csrf: body.dataset.csrf, body: entry.body, label: entry.label, key });
      } catch (error) {
        announce("This device could not keep the activity: try again when the server answers.");
        return;
      }
      if (nonce) {
        nonce.value = Q.newNonce();
      }
      delete form.dataset.sending;
      form.querySelectorAll("button[type=submit]").forEach((button) => {
        button.disabled = false;
        button.removeAttribute("aria-busy");
      });
      wentOffline();
      announce(entry.label + " kept on this device; it is sent when your server answers.");
      askForSync();
    }

    function start() {
      if (!Q || !user) {
        return;
      }
      if (body.dataset.offlineCopy) {
        const saved = new Date(body.dataset.offlineCopy);
        since = Number.isNaN(saved.getTime()) ? new Date() : saved;
      }
      window.addEventListener("online", flush);
      window.addEventListener("offline", wentOffline);
      if ("serviceWorker" in navigator) {
        navigator.serviceWorker.addEventListener("message", (event) => {
          if (event.data && event.data.type === "lifeworld-queue") {
            const r = event.data.result || {};
            render();
            if (r.recorded) {
              refresh();
            }
          }
        });
      }
      document.querySelectorAll('form[action="/logout"]').forEach((form) => {
        form.addEventListener("submit", () => {
          if ("caches" in window) {
            caches.delete("lifeworld-pages");
          }
          if (navigator.serviceWorker && navigator.serviceWorker.controller) {
            navigator.serviceWorker.controller.postMessage({ type: "lifeworld-signed-out" });
          }
        });
      });
      if (body.dataset.offlineCopy) {
        window.setInterval(flush, 15000); // the device may be online while the server is off
      }
      render();
      flush();
    }

    return { canQueue, queue, start };
  })();

  const enhancers = {
    "[data-trust-check]": checkTrust,
    // A form is sent once: later submits are ignored until the page changes.
    "form[data-once]": (form) => {
      form.addEventListener("submit", (event) => {
        if (form.dataset.sending === "1") {
          event.preventDefault();
          return;
        }
        form.dataset.sending = "1";
        form.querySelectorAll("button[type=submit]").forEach((button) => {
          button.setAttribute("aria-busy", "true");
          window.setTimeout(() => {
            button.disabled = true;
          }, 0);
        });
      });
    },

    // Send the form in the background and show the page the server answers with, without
    // a full reload. Without JavaScript the same form posts and redirects as usual.
    "form[data-swap]": (form) => {
      form.addEventListener("submit", (event) => {
        if (event.defaultPrevented) {
          return;
        }
        event.preventDefault();
        const submitter = event.submitter;
        const data = new FormData(form, submitter);
        const anchor = form.closest("[id]");
        const queueable = offline.canQueue(form);
        if (queueable && navigator.onLine === false) {
          offline.queue(form, submitter, false);
          return;
        }
        fetch(form.action, {
          method: "POST",
          body: new URLSearchParams(data),
          credentials: "same-origin",
          headers: { Accept: "text/html" },
        })
          .then((response) => response.text().then((html) => ({ response, html })))
          .then(({ response, html }) => {
            if (!swapMain(html, response.url, anchor ? anchor.id : null)) {
              window.location.assign(response.url);
            }
          })
          .catch(() => {
            if (queueable) {
              offline.queue(form, submitter, true); // kept on this device, sent when it answers
              return;
            }
            // The server did not answer: send it the plain way (the service worker may
            // show the offline page).
            if (submitter && submitter.name) {
              const carried = document.createElement("input");
              carried.type = "hidden";
              carried.name = submitter.name;
              carried.value = submitter.value;
              form.append(carried);
            }
            form.submit();
          });
      });
    },

    // The live energy: drains locally between page loads from the numbers the server sent.
    "[data-energy-live]": (box) => {
      const usable = Number(box.dataset.usable);
      const drain = Number(box.dataset.drainPerHour);
      const restored = box.dataset.restoredAt ? Date.parse(box.dataset.restoredAt) : NaN;
      const skew = Date.parse(box.dataset.serverNow) - Date.now();
      if (Number.isNaN(restored) || !drain || Number.isNaN(skew)) {
        return;
      }
      const valueEl = box.querySelector("[data-live-value]");
      const hoursEl = box.querySelector("[data-live-hours]");
      const meter = box.querySelector("[data-meter]");
      const fill = box.querySelector("[data-meter-fill]");
      const cap = meter ? Number(meter.getAttribute("aria-valuemax")) : usable;
      const tick = () => {
        if (!box.isConnected) {
          window.clearInterval(timer);
          return;
        }
        const elapsed = Math.max(0, (Date.now() + skew - restored) / 3600000);
        const live = Math.max(0, usable - Math.floor(elapsed * drain));
        const left = live ? Math.max(0, usable / drain - elapsed) : 0;
        if (valueEl) {
          valueEl.textContent = String(live);
        }
        if (hoursEl) {
          hoursEl.textContent = formatHours(left);
        }
        if (meter && fill) {
          meter.setAttribute("aria-valuenow", String(live));
          fill.setAttribute("width", cap ? ((Math.min(live, cap) / cap) * 100).toFixed(1) : "0");
        }
      };
      const timer = window.setInterval(tick, 30000);
      tick();
    },

    // The custom activity's XP as the server would count it now (nothing is written).
    "[data-preview]": (box) => {
      const form = box.closest("form");
      const out = box.querySelector("[data-preview-output]");
      const csrf = document.body.dataset.csrf;
      if (!form || !out || !csrf) {
        return;
      }
      let timer = 0;
      let asked = 0;
      const show = (text, refused) => {
        out.hidden = false;
        out.classList.toggle("is-refused", refused);
        out.replaceChildren(Object.assign(document.createElement("p"), { textContent: text }));
      };
      const ask = () => {
        const body = previewBody(form);
        const mine = ++asked;
        fetch(box.dataset.preview, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
          body: JSON.stringify(body),
        })
          .then((response) => response.json().then((data) => ({ response, data })))
          .then(({ response, data }) => {
            if (mine !== asked) {
              return; // an older answer arriving late
            }
            if (response.ok) {
              show(describePreview(data), false);
            } else if (data.error && Array.isArray(data.error.details) && data.error.details[0]) {
              show("Check the numbers: " + data.error.details[0].reason, true);
            } else if (data.error) {
              show(data.error.message, true);
            }
          })
          .catch(() => {
            out.hidden = true;
          });
      };
      box.addEventListener("input", () => {
        window.clearTimeout(timer);
        timer = window.setTimeout(ask, 300);
      });
      ask();
    },

    "[data-copy]": (button) => {
      const input = document.getElementById(button.dataset.copy);
      if (!input) {
        return;
      }
      button.hidden = false;
      const label = button.querySelector("span");
      button.addEventListener("click", () => {
        copyText(input).then(
          () => {
            if (label) {
              label.textContent = "Copied";
              window.setTimeout(() => {
                label.textContent = "Copy";
              }, 2000);
            }
            announce("Copied to the clipboard.");
          },
          () => announce("Select the text and copy it by hand."),
        );
      });
    },

    "[data-secret]": (input) => {
      input.addEventListener("focus", () => input.select());
    },

    "[data-reveal]": (checkbox) => {
      const input = document.getElementById(checkbox.dataset.reveal);
      const label = checkbox.closest("label");
      if (!input || !label) {
        return;
      }
      label.hidden = false;
      checkbox.addEventListener("change", () => {
        input.type = checkbox.checked ? "text" : "password";
      });
    },

    "[data-timezone-detect]": (button) => {
      const input = button.closest(".field")?.querySelector("input[data-timezone]");
      let zone = "";
      try {
        zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
      } catch (error) {
        zone = "";
      }
      const known = input?.list && Array.from(input.list.options).some((o) => o.value === zone);
      if (!input || !zone || !known) {
        return;
      }
      const refresh = () => {
        button.hidden = input.value === zone;
      };
      button.textContent = "Use this device's timezone: " + zone;
      button.addEventListener("click", () => {
        input.value = zone;
        refresh();
        announce("Timezone set to " + zone + ".");
      });
      input.addEventListener("input", refresh);
      refresh();
    },

    "[data-back]": (button) => {
      if (window.history.length < 2) {
        return;
      }
      button.hidden = false;
      button.addEventListener("click", () => window.history.back());
    },

    // The offline page: try again by hand, and by itself as soon as the server answers
    // (the device may be online while the home server is off, so "online" is not enough).
    "[data-reload]": (link) => {
      link.addEventListener("click", (event) => {
        event.preventDefault();
        window.location.reload();
      });
      let checking = false;
      const check = () => {
        if (checking || !navigator.onLine) {
          return;
        }
        checking = true;
        fetch("/api/v1/health", { cache: "no-store" })
          .then(() => window.location.reload())
          .catch(() => {
            checking = false;
          });
      };
      window.addEventListener("online", check);
      window.setInterval(check, 3000);
    },
  };

  // Which enhancers already run on an element (one element may match several selectors).
  const applied = new WeakMap();

  function enhance(root) {
    Object.entries(enhancers).forEach(([selector, apply]) => {
      root.querySelectorAll(selector).forEach((element) => {
        const done = applied.get(element) || new Set();
        if (done.has(selector)) {
          return;
        }
        done.add(selector);
        applied.set(element, done);
        apply(element);
      });
    });
  }

  // Menus made of <details> close on Escape and on a tap elsewhere.
  function closeMenus(except) {
    document.querySelectorAll(MENUS).forEach((d) => {
      if (d !== except) {
        d.open = false;
      }
    });
  }

  document.addEventListener("click", (event) => {
    closeMenus(event.target.closest("details"));
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      const open = document.querySelector(MENUS);
      if (open) {
        open.open = false;
        open.querySelector("summary")?.focus();
      }
    }
  });

  // Coming back with the back button: the page may be restored with its buttons disabled.
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) {
      return;
    }
    document.querySelectorAll("form[data-once]").forEach((form) => {
      delete form.dataset.sending;
      form.querySelectorAll("button[type=submit]").forEach((button) => {
        button.disabled = false;
        button.removeAttribute("aria-busy");
      });
    });
  });

  function focusFirstError() {
    const invalid = document.querySelector("[aria-invalid=true], .form-error");
    if (invalid) {
      if (!invalid.matches("input, select, textarea")) {
        invalid.setAttribute("tabindex", "-1");
      }
      invalid.focus();
    }
  }

  function registerServiceWorker() {
    if ("serviceWorker" in navigator && window.isSecureContext) {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
        // Without a service worker the app still works; only the offline page is missing.
      });
    }
  }

  enhance(document);
  focusFirstError();
  offline.start();
  if (document.readyState === "complete") {
    registerServiceWorker();
  } else {
    window.addEventListener("load", registerServiceWorker);
  }

  window.LifeWorld = { enhance, announce };
})();
