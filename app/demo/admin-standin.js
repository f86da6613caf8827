// The demo admin's product list (demo mode only): where a merchant meets the app's two admin actions.
// A row's "Generate photos" opens the product-page action for that product; selecting products shows
// the bulk action. Each opens the real extension bundle in a modal, as the admin does. Data comes from
// the app's /demo/products (session token attached by the App Bridge stand-in loaded before this).
(function () {
  "use strict";
  var config = window.__DEMO_ADMIN__;
  var t = config.texts;
  var root = document.getElementById("admin");
  var selected = new Set();

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key.indexOf("on") === 0) node.addEventListener(key.slice(2), attrs[key]);
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(child);
    });
    return node;
  }

  function openExtension(handle, productIds, opener) {
    var url =
      "/demo/extension/" +
      handle +
      "?locale=" +
      encodeURIComponent(config.locale) +
      "&selected=" +
      encodeURIComponent(productIds.join(","));
    var frame = el("iframe", { src: url, title: config.extensionNames[handle], class: "frame" });
    var dialog = el("div", { role: "dialog", "aria-modal": "true", "aria-label": config.extensionNames[handle], class: "dialog" }, [frame]);
    var overlay = el("div", { class: "overlay" }, [dialog]);
    function close() {
      overlay.remove();
      window.removeEventListener("message", onMessage);
      document.removeEventListener("keydown", onKey);
      if (opener) opener.focus();
    }
    function onMessage(event) {
      if (
        event.origin === location.origin &&
        event.source === frame.contentWindow &&
        event.data &&
        event.data.type === "demo-extension:close"
      )
        close();
    }
    function onKey(event) {
      if (event.key === "Escape") close();
    }
    overlay.addEventListener("click", function (event) {
      if (event.target === overlay) close();
    });
    window.addEventListener("message", onMessage);
    document.addEventListener("keydown", onKey);
    document.body.appendChild(overlay);
    frame.focus();
  }

  function render(products) {
    var bulkBar = el("div", { class: "bulk", hidden: "" });
    var bulkCount = el("span");
    var bulkButton = el("button", { type: "button", class: "primary", text: config.extensionNames["bulk-action"] });
    bulkButton.addEventListener("click", function () {
      openExtension("bulk-action", Array.from(selected), bulkButton);
    });
    bulkBar.append(bulkCount, bulkButton);

    function refresh() {
      bulkBar.hidden = selected.size === 0;
      bulkCount.textContent = t.selected.replace("{count}", String(selected.size));
      all.checked = selected.size === products.length && products.length > 0;
      all.indeterminate = selected.size > 0 && selected.size < products.length;
    }

    var all = el("input", { type: "checkbox", "aria-label": t.selectAll });
    all.addEventListener("change", function () {
      products.forEach(function (p) {
        if (all.checked) selected.add(p.id);
        else selected.delete(p.id);
      });
      Array.prototype.forEach.call(root.querySelectorAll("tbody input[type=checkbox]"), function (box) {
        box.checked = all.checked;
      });
      refresh();
    });

    var rows = products.map(function (product) {
      var box = el("input", { type: "checkbox", "aria-label": t.select.replace("{title}", product.title) });
      box.addEventListener("change", function () {
        if (box.checked) selected.add(product.id);
        else selected.delete(product.id);
        refresh();
      });
      var action = el("button", {
        type: "button",
        text: config.extensionNames["product-action"],
        "aria-label": config.extensionNames["product-action"] + " – " + product.title,
      });
      action.addEventListener("click", function () {
        openExtension("product-action", [product.id], action);
      });
      var thumb = el("img", { src: product.imageUrl || "data:,", alt: "", width: "40", height: "40" });
      return el("tr", {}, [
        el("td", {}, [box]),
        el("td", {}, [thumb]),
        el("td", { class: "title", text: product.title }),
        el("td", { class: "actions" }, [action]),
      ]);
    });

    var table = el("table", {}, [
      el("caption", { text: t.products, class: "visually-hidden" }),
      el("thead", {}, [
        el("tr", {}, [
          el("th", { scope: "col" }, [all]),
          el("th", { scope: "col", text: "" }),
          el("th", { scope: "col", text: t.product }),
          el("th", { scope: "col", text: t.actions }),
        ]),
      ]),
      el("tbody", {}, rows),
    ]);
    root.replaceChildren(el("h1", { text: t.products }), bulkBar, el("div", { class: "card" }, [table]));
    refresh();
  }

  root.textContent = t.loading;
  fetch("/demo/products")
    .then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    })
    .then(function (body) {
      render(body.products);
    })
    .catch(function (error) {
      root.replaceChildren(el("p", { role: "alert", text: t.failed + " (" + error.message + ")" }));
    });
})();
