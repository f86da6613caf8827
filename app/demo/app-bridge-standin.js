// A local stand-in for the Shopify admin host, used only in demo mode (DEMO_MODE=1). The real App Bridge
// is a script from Shopify's CDN that talks to the admin around the app's iframe; here there is no admin,
// so this script gives the app the same `window.shopify` surface it uses: session tokens (signed by the
// app's own demo endpoint with the demo app's secret), fetch with the token attached, a product resource
// picker, toasts, the nav menu and the bounce-page reload.
(function () {
  "use strict";
  var params = new URLSearchParams(location.search);
  var shop = params.get("shop") || sessionStorage.getItem("demo-shop") || "";
  if (shop) sessionStorage.setItem("demo-shop", shop);
  var cached = null;

  function idToken() {
    if (cached && cached.expires > Date.now() + 5000) return Promise.resolve(cached.token);
    return originalFetch("/demo/session-token?shop=" + encodeURIComponent(shop))
      .then(function (r) {
        if (!r.ok) throw new Error("Demo session token refused (" + r.status + ")");
        return r.json();
      })
      .then(function (body) {
        cached = { token: body.token, expires: Date.now() + body.expiresIn * 1000 };
        return body.token;
      });
  }

  var originalFetch = window.fetch.bind(window);
  function sameOrigin(input) {
    var url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    return new URL(url, location.href).origin === location.origin;
  }
  window.fetch = function (input, init) {
    if (!sameOrigin(input)) return originalFetch(input, init);
    return idToken().then(function (token) {
      var headers = new Headers((init && init.headers) || (input instanceof Request ? input.headers : undefined));
      headers.set("Authorization", "Bearer " + token);
      var next = Object.assign({}, init, { headers: headers });
      return originalFetch(input, next).then(function (response) {
        if (response.status === 401 && response.headers.get("X-Shopify-Retry-Invalid-Session-Request")) {
          cached = null;
          return idToken().then(function (fresh) {
            headers.set("Authorization", "Bearer " + fresh);
            return originalFetch(input, Object.assign({}, init, { headers: headers }));
          });
        }
        // As App Bridge does: the app asked for a top-level redirect (Shopify's billing approval page).
        var reauthorize = response.headers.get("X-Shopify-API-Request-Failure-Reauthorize-Url");
        if (response.status === 401 && reauthorize) {
          window.top.location.href = reauthorize;
          return new Promise(function () {});
        }
        return response;
      });
    });
  };

  // The bounce page: get a token and reload the page the library asked for, with the token.
  var reload = params.get("shopify-reload");
  if (reload) {
    idToken().then(function (token) {
      var target = new URL(reload, location.href);
      if (target.origin !== location.origin) throw new Error("Refusing to reload another origin");
      target.searchParams.set("id_token", token);
      location.replace(target.href);
    });
  }

  function el(tag, style, text) {
    var node = document.createElement(tag);
    if (style) node.setAttribute("style", style);
    if (text) node.textContent = text;
    return node;
  }

  function toast(message, opts) {
    var node = el(
      "div",
      "position:fixed;left:50%;bottom:24px;transform:translateX(-50%);z-index:10000;padding:12px 16px;border-radius:10px;font:14px/1.4 system-ui,sans-serif;color:#fff;background:" +
        (opts && opts.isError ? "#8e1f0b" : "#303030"),
      message,
    );
    node.setAttribute("role", "status");
    document.body.appendChild(node);
    setTimeout(
      function () {
        node.remove();
      },
      (opts && opts.duration) || 3000,
    );
  }

  function resourcePicker(options) {
    return new Promise(function (resolve, reject) {
      if (!options || options.type !== "product") return reject(new Error("The demo picker only picks products"));
      var multiple = Boolean(options.multiple);
      var overlay = el(
        "div",
        "position:fixed;inset:0;background:rgba(0,0,0,.45);z-index:9999;display:flex;align-items:center;justify-content:center;font:14px/1.4 system-ui,sans-serif",
      );
      var dialog = el(
        "div",
        "background:#fff;border-radius:12px;width:min(560px,92vw);max-height:80vh;display:flex;flex-direction:column;box-shadow:0 10px 40px rgba(0,0,0,.3)",
      );
      dialog.setAttribute("role", "dialog");
      dialog.setAttribute("aria-modal", "true");
      dialog.setAttribute("aria-label", "Select product");
      var header = el("div", "padding:16px 20px;border-bottom:1px solid #e3e3e3;font-weight:650;font-size:16px", "Select product");
      var list = el("div", "overflow:auto;padding:8px 0");
      list.setAttribute("role", "listbox");
      var footer = el("div", "padding:12px 20px;border-top:1px solid #e3e3e3;display:flex;justify-content:flex-end;gap:8px");
      var cancel = el("button", "padding:6px 12px;border-radius:8px;border:1px solid #ccc;background:#fff;cursor:pointer", "Cancel");
      var select = el("button", "padding:6px 12px;border-radius:8px;border:0;background:#303030;color:#fff;cursor:pointer", "Select");
      footer.append(cancel, select);
      dialog.append(header, list, footer);
      overlay.appendChild(dialog);
      document.body.appendChild(overlay);
      var chosen = [];
      function close(value) {
        overlay.remove();
        resolve(value);
      }
      cancel.onclick = function () {
        close(undefined);
      };
      select.onclick = function () {
        close(chosen.length ? chosen : undefined);
      };
      window
        .fetch("/demo/products")
        .then(function (r) {
          return r.json();
        })
        .then(
          function (body) {
            body.products.forEach(function (product) {
              var row = el("label", "display:flex;align-items:center;gap:12px;padding:8px 20px;cursor:pointer");
              row.setAttribute("role", "option");
              var input = el("input");
              input.type = multiple ? "checkbox" : "radio";
              input.name = "demo-product";
              input.setAttribute("aria-label", product.title);
              var img = el("img", "width:40px;height:40px;object-fit:cover;border-radius:6px;background:#eee");
              img.src = product.imageUrl || "";
              img.alt = "";
              row.append(input, img, el("span", "", product.title));
              input.onchange = function () {
                var selection = {
                  id: product.id,
                  title: product.title,
                  images: product.imageUrl ? [{ originalSrc: product.imageUrl }] : [],
                };
                if (!multiple) chosen = [selection];
                else if (input.checked) chosen.push(selection);
                else
                  chosen = chosen.filter(function (c) {
                    return c.id !== product.id;
                  });
              };
              list.appendChild(row);
            });
          },
          function (error) {
            overlay.remove();
            reject(error);
          },
        );
    });
  }

  window.shopify = {
    config: {
      apiKey: (document.currentScript && document.currentScript.dataset.apiKey) || "",
      shop: shop,
      locale: params.get("locale") || "en",
    },
    environment: { embedded: true, mobile: false, pos: false },
    idToken: idToken,
    toast: { show: toast, hide: function () {} },
    resourcePicker: resourcePicker,
    loading: function () {},
    saveBar: {
      show: function () {
        return Promise.resolve();
      },
      hide: function () {
        return Promise.resolve();
      },
      toggle: function () {},
    },
    modal: {
      show: function () {
        return Promise.resolve();
      },
      hide: function () {
        return Promise.resolve();
      },
      toggle: function () {},
    },
  };

  // The admin draws the app's nav menu; here a slim bar stands in for it. It draws in a shadow root so
  // the page's own markup (which React hydrates) is left exactly as the server sent it.
  if (!customElements.get("ui-nav-menu")) {
    customElements.define(
      "ui-nav-menu",
      class extends HTMLElement {
        connectedCallback() {
          if (this.shadowRoot) return;
          var root = this.attachShadow({ mode: "open" });
          root.innerHTML =
            "<style>:host{display:flex;gap:16px;align-items:center;padding:10px 20px;background:#1a1a1a;color:#fff;font:13px system-ui,sans-serif}" +
            "::slotted(a){color:#fff}.badge{padding:2px 8px;border-radius:6px;background:#ffd79d;color:#4f2b00;font-weight:600}</style>" +
            '<span class="badge"></span><slot></slot><a class="admin" style="margin-left:auto;color:#fff"></a>';
          root.querySelector(".badge").textContent = "Demo admin · " + shop;
          // The admin's product list, where the app's product-page and bulk actions live.
          var zh = (params.get("locale") || "").toLowerCase().indexOf("zh") === 0;
          var admin = root.querySelector(".admin");
          admin.href = "/demo/admin?locale=" + (zh ? "zh-TW" : "en");
          admin.textContent = zh ? "後台商品列表（動作）" : "Admin products (actions)";
        }
      },
    );
  }
})();
