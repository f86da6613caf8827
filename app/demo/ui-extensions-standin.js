// A local stand-in for the admin's host of UI extensions, used only in demo mode (DEMO_MODE=1). In the
// admin, an action extension's bundle runs in a sandbox and its `s-*` elements are drawn by Shopify; here
// the bundle that `shopify app build` made runs as it is in an iframe of the demo admin, and this script
// gives it what the admin would: the `shopify` global (extend, data.selected, i18n from the extension's
// own locale files, auth.idToken, query, close) and plain drawings of the `s-*` elements it uses.
// window.__EXTENSION__ = { target, selected, locale, messages, appPath } is set by the page first.
(function () {
  "use strict";
  var config = window.__EXTENSION__;

  // --- the `shopify` global ---------------------------------------------------------------------
  var cached = null;
  function idToken() {
    if (cached && cached.expires > Date.now() + 5000) return Promise.resolve(cached.token);
    return fetch("/demo/session-token?shop=" + encodeURIComponent(config.shop))
      .then(function (r) {
        if (!r.ok) throw new Error("Demo session token refused (" + r.status + ")");
        return r.json();
      })
      .then(function (body) {
        cached = { token: body.token, expires: Date.now() + body.expiresIn * 1000 };
        return body.token;
      });
  }

  function lookup(key) {
    return key.split(".").reduce(function (node, part) {
      return node == null ? undefined : node[part];
    }, config.messages);
  }
  // The admin's i18n.translate: nested keys, {{name}} values, and "one"/"other" plural forms by `count`.
  function translate(key, values) {
    var entry = lookup(key);
    if (entry && typeof entry === "object" && values && typeof values.count === "number") {
      var rule = new Intl.PluralRules(config.locale).select(values.count);
      entry = entry[rule] !== undefined ? entry[rule] : entry.other;
    }
    if (typeof entry !== "string") return key;
    return entry.replace(/\{\{\s*(\w+)\s*\}\}/g, function (_, name) {
      return values && values[name] !== undefined ? String(values[name]) : "";
    });
  }

  // Direct API access: the admin runs the query with the app's scopes; here the app's demo endpoint does.
  function query(document, options) {
    return idToken().then(function (token) {
      return fetch("/demo/extension-graphql", {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: "Bearer " + token },
        body: JSON.stringify({ query: document, variables: (options && options.variables) || {} }),
      }).then(function (r) {
        return r.json();
      });
    });
  }

  function close() {
    parent.postMessage({ type: "demo-extension:close" }, location.origin);
  }

  window.shopify = {
    extension: { target: config.target },
    data: {
      selected: config.selected.map(function (id) {
        return { id: id };
      }),
    },
    i18n: { translate: translate, locale: config.locale },
    auth: { idToken: idToken },
    query: query,
    close: close,
    extend: function (target, render) {
      if (target !== config.target) throw new Error("This page hosts " + config.target + ", not " + target);
      Promise.resolve(render()).catch(function (error) {
        console.error(error);
      });
    },
  };

  // --- the s-* elements -------------------------------------------------------------------------
  var FONT = "font:14px/1.45 -apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Noto Sans TC',sans-serif;";

  function define(name, render, observed, methods) {
    if (customElements.get(name)) return;
    var Element = class extends HTMLElement {
      static get observedAttributes() {
        return observed || [];
      }
      connectedCallback() {
        if (!this.shadowRoot) {
          this.attachShadow({ mode: "open" }).innerHTML = render;
          if (methods && methods.setup) methods.setup.call(this);
        }
        if (methods && methods.update) methods.update.call(this);
      }
      attributeChangedCallback() {
        if (this.shadowRoot && methods && methods.update) methods.update.call(this);
      }
    };
    if (methods && methods.properties) Object.defineProperties(Element.prototype, methods.properties);
    customElements.define(name, Element);
  }

  define(
    "s-admin-action",
    "<style>:host{display:block;" +
      FONT +
      "color:#303030}h2{margin:0;padding:16px 20px;font-size:16px;font-weight:650;border-bottom:1px solid #e3e3e3}" +
      ".body{padding:16px 20px}.footer{display:flex;justify-content:flex-end;gap:8px;padding:12px 20px;border-top:1px solid #e3e3e3}</style>" +
      '<h2></h2><div class="body"><slot></slot></div><div class="footer"><slot name="secondary-actions"></slot><slot name="primary-action"></slot></div>',
    ["heading"],
    {
      update: function () {
        this.shadowRoot.querySelector("h2").textContent = this.getAttribute("heading") || "";
      },
    },
  );
  define("s-stack", "<style>:host{display:flex;flex-direction:column;gap:12px}</style><slot></slot>");
  define("s-paragraph", "<style>:host{display:block;margin:0}</style><slot></slot>");
  define("s-text", "<style>:host{display:inline}:host([type=strong]){font-weight:650}</style><slot></slot>");
  define(
    "s-banner",
    "<style>div{display:block;padding:12px 14px;border-radius:10px;background:#eaf4ff;border:1px solid #b4d8ff}" +
      ".success{background:#cdfee1;border-color:#7be0a8}.critical{background:#fedad9;border-color:#f9a4a0}" +
      "strong{display:block;margin-bottom:4px}</style><div><strong></strong><slot></slot></div>",
    ["heading", "tone"],
    {
      update: function () {
        var box = this.shadowRoot.querySelector("div");
        var tone = this.getAttribute("tone") || "info";
        box.className = tone;
        box.setAttribute("role", tone === "critical" ? "alert" : "status");
        this.shadowRoot.querySelector("strong").textContent = this.getAttribute("heading") || "";
      },
    },
  );
  define("s-link", "<style>a{color:#005bd3;text-decoration:underline;cursor:pointer}</style><a><slot></slot></a>", ["href"], {
    setup: function () {
      var self = this;
      this.shadowRoot.querySelector("a").addEventListener("click", function (event) {
        event.preventDefault();
        var href = self.getAttribute("href") || "";
        // `app:` links open a page of the app in the admin: here, the demo's embedded app page.
        if (href.indexOf("app:") === 0) {
          var target = new URL("/" + href.slice(4).replace(/^\//, ""), location.origin);
          new URLSearchParams(config.appQuery).forEach(function (value, key) {
            target.searchParams.set(key, value);
          });
          top.location.href = target.pathname + target.search;
        } else {
          top.location.href = href;
        }
      });
    },
    update: function () {
      this.shadowRoot.querySelector("a").setAttribute("href", this.getAttribute("href") || "#");
    },
  });
  define(
    "s-button",
    "<style>button{" +
      FONT +
      "padding:6px 14px;border-radius:8px;border:1px solid #c9c9c9;background:#fff;color:#303030;cursor:pointer;font-weight:550}" +
      "button.primary{background:#303030;border-color:#303030;color:#fff}button:disabled{opacity:.55;cursor:default}" +
      "button:focus-visible{outline:2px solid #005bd3;outline-offset:2px}</style><button type=button><slot></slot></button>",
    ["variant", "disabled", "loading"],
    {
      setup: function () {
        var self = this;
        // A disabled button's clicks do not reach the extension's handler, as in the admin.
        this.addEventListener(
          "click",
          function (event) {
            if (self.hasAttribute("disabled") || self.hasAttribute("loading")) event.stopImmediatePropagation();
          },
          true,
        );
      },
      update: function () {
        var button = this.shadowRoot.querySelector("button");
        button.className = this.getAttribute("variant") === "primary" ? "primary" : "";
        button.disabled = this.hasAttribute("disabled") || this.hasAttribute("loading");
        button.setAttribute("aria-busy", String(this.hasAttribute("loading")));
      },
    },
  );
  define(
    "s-choice-list",
    "<style>fieldset{border:0;margin:0;padding:0;display:flex;flex-direction:column;gap:8px}legend{padding:0;margin-bottom:6px;font-weight:550}</style>" +
      "<fieldset><legend></legend><slot></slot></fieldset>",
    ["label", "disabled"],
    {
      update: function () {
        this.shadowRoot.querySelector("legend").textContent = this.getAttribute("label") || "";
        this.shadowRoot.querySelector("fieldset").disabled = this.hasAttribute("disabled");
        this.shadowRoot.querySelector("fieldset").setAttribute("role", "radiogroup");
        this.shadowRoot.querySelector("fieldset").setAttribute("aria-label", this.getAttribute("label") || "");
      },
      properties: {
        values: {
          get: function () {
            if (this._chosen !== undefined) return [this._chosen];
            return Array.prototype.filter
              .call(this.querySelectorAll("s-choice"), function (choice) {
                return choice.hasAttribute("selected");
              })
              .map(function (choice) {
                return choice.getAttribute("value");
              });
          },
        },
      },
    },
  );
  define(
    "s-choice",
    "<style>label{display:flex;gap:8px;align-items:center;cursor:pointer}input{margin:0;width:16px;height:16px}</style>" +
      "<label><input type=radio><span><slot></slot></span></label>",
    ["selected", "value"],
    {
      setup: function () {
        var self = this;
        this.shadowRoot.querySelector("input").addEventListener("change", function () {
          var list = self.closest("s-choice-list");
          if (!list || list.hasAttribute("disabled")) return;
          list._chosen = self.getAttribute("value");
          list.dispatchEvent(new Event("change"));
          list._chosen = undefined;
        });
      },
      update: function () {
        var input = this.shadowRoot.querySelector("input");
        input.checked = this.hasAttribute("selected");
        var list = this.closest("s-choice-list");
        input.disabled = Boolean(list && list.hasAttribute("disabled"));
      },
    },
  );
})();
