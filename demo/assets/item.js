// Browser-style item page for the NetSword demo marketplace: fetches /browser/_data/item/ID and renders it
// into #detail, then sets data-ready="1". Text goes in through textContent only.
(function () {
  "use strict";
  var detail = document.getElementById("detail");
  var id = detail.getAttribute("data-id");

  function add(tag, cls, text) {
    var node = document.createElement(tag);
    node.className = cls;
    node.textContent = text;
    detail.appendChild(node);
    return node;
  }

  function load(attempt) {
    fetch("/browser/_data/item/" + encodeURIComponent(id)).then(function (response) {
      if (response.ok) return response.json();
      if (response.status === 404 || attempt >= 6) throw new Error("HTTP " + response.status);
      return new Promise(function (resolve) { setTimeout(resolve, 1000); }).then(function () { return load(attempt + 1); });
    }).then(function (item) {
      if (!item) return;
      detail.textContent = "";
      var img = document.createElement("img");
      img.className = "main";
      img.src = item.images[0];
      img.alt = item.title;
      detail.appendChild(img);
      add("h1", "title", item.title);
      if (item.price !== null) add("span", "price", "¥" + item.price);
      add("span", "category", item.category);
      var shop = add("span", "shop", item.shop);
      shop.setAttribute("data-seller-id", item.shop_id);
      add("span", "loc", item.loc);
      add("span", "ships-from", item.ships_from);
      add("div", "desc", item.desc);
      detail.setAttribute("data-ready", "1");
    }).catch(function (error) {
      detail.setAttribute("data-error", String(error));
    });
  }
  load(0);
})();
