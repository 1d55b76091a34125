// Browser-style search results for the NetSword demo marketplace: nothing is in the HTML until this runs.
// Fetches /browser/_data 20 at a time into #results; #load-more loads the next batch; #results gets
// data-done="1" when everything is shown. All text goes in through textContent, never innerHTML.
(function () {
  "use strict";
  var results = document.getElementById("results");
  var button = document.getElementById("load-more");
  var query = new URLSearchParams(window.location.search).get("q") || "";
  var nextOffset = 0;
  var loading = false;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function card(item) {
    var div = el("div", "card");
    div.setAttribute("data-id", item.id);
    var link = el("a", "title", item.title);
    link.href = "/browser/item/" + encodeURIComponent(item.id);
    div.appendChild(link);
    if (item.price !== null) div.appendChild(el("span", "price", "¥" + item.price));
    div.appendChild(el("span", "shop", item.shop));
    div.appendChild(el("span", "loc", item.loc));
    return div;
  }

  function finish() {
    results.setAttribute("data-done", "1");
    if (button && button.parentNode) button.parentNode.removeChild(button);
  }

  // The server answers 429 or 5xx now and then, as real platforms do: wait and try again.
  function fetchPage(url, attempt) {
    return fetch(url).then(function (response) {
      if (response.ok) return response.json();
      if (attempt >= 6) throw new Error("HTTP " + response.status);
      var wait = 1000 * (Number(response.headers.get("Retry-After")) || 0.3 * (attempt + 1));
      return new Promise(function (resolve) { setTimeout(resolve, wait); })
        .then(function () { return fetchPage(url, attempt + 1); });
    });
  }

  function loadMore() {
    if (loading || nextOffset === null) return;
    loading = true;
    if (button) button.disabled = true;
    var url = "/browser/_data?q=" + encodeURIComponent(query) + "&offset=" + nextOffset + "&limit=20";
    fetchPage(url, 0).then(function (data) {
      data.items.forEach(function (item) { results.appendChild(card(item)); });
      results.setAttribute("data-count", String(results.children.length));
      nextOffset = data.next_offset;
      if (nextOffset === null) finish();
    }).catch(function (error) {
      results.setAttribute("data-error", String(error));
    }).then(function () {
      loading = false;
      if (button) button.disabled = false;
    });
  }

  if (button) button.addEventListener("click", loadMore);
  loadMore();
})();
