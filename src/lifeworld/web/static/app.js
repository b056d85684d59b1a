// Life World: small progressive enhancements. Every page works without this file; with it,
// forms cannot be sent twice by a double tap, secrets copy with one tap, and the app shell
// is kept for offline use. Behaviour hangs on data-* attributes (the CSP forbids inline script).
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

  const enhancers = {
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

  function enhance(root) {
    Object.entries(enhancers).forEach(([selector, apply]) => {
      root.querySelectorAll(selector).forEach((element) => {
        if (element.dataset.enhanced === "1") {
          return;
        }
        element.dataset.enhanced = "1";
        apply(element);
      });
    });
  }

  // Menus made of <details> close on Escape and on a tap elsewhere.
  function closeMenus(except) {
    document.querySelectorAll("details.account-menu[open], details.tab-more[open]").forEach((d) => {
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
      const open = document.querySelector("details.account-menu[open], details.tab-more[open]");
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
  if (document.readyState === "complete") {
    registerServiceWorker();
  } else {
    window.addEventListener("load", registerServiceWorker);
  }

  window.LifeWorld = { enhance, announce };
})();
