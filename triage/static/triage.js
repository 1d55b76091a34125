// NetSword triage: keyboard triage for the queue and the lead page. Served from /static under
// CSP script-src 'self'; it reads ids from data- attributes and submits ordinary forms carrying the CSRF token.
(function () {
  "use strict";

  function typing(event) {
    var el = event.target;
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  function submitAction(leadId, kind, status, next) {
    var form = document.getElementById("action-form");
    if (!form || !leadId) return;
    form.action = "/leads/" + encodeURIComponent(leadId) + "/" + kind;
    form.elements.status.value = status || "";
    form.elements.next.value = next;
    form.submit();
  }

  function openDismiss(leadId, next) {
    var dialog = document.getElementById("dismiss-dialog");
    var form = document.getElementById("dismiss-form");
    if (!dialog || !form || !leadId) return;
    form.action = "/leads/" + encodeURIComponent(leadId) + "/status";
    form.elements.next.value = next;
    dialog.showModal();
    document.getElementById("dismiss-reason").focus();
  }

  function setupDialog() {
    var cancel = document.getElementById("dismiss-cancel");
    var dialog = document.getElementById("dismiss-dialog");
    if (cancel && dialog) cancel.addEventListener("click", function () { dialog.close(); });
  }

  function withAt(index) {
    var url = new URL(window.location.href);
    url.searchParams.set("at", String(index));
    return url.pathname + url.search;
  }

  function setupQueue() {
    var table = document.getElementById("queue");
    if (!table) return;
    var rows = Array.prototype.slice.call(table.querySelectorAll("tr.lead"));
    var canTriage = table.getAttribute("data-can-triage") === "1";
    var current = Math.min(parseInt(table.getAttribute("data-at") || "0", 10) || 0, rows.length - 1);

    function select(index) {
      if (!rows.length) return;
      current = Math.max(0, Math.min(index, rows.length - 1));
      rows.forEach(function (row, i) { row.classList.toggle("selected", i === current); });
      rows[current].scrollIntoView({ block: "nearest" });
    }
    rows.forEach(function (row, i) { row.addEventListener("click", function () { select(i); }); });
    select(current);

    document.addEventListener("keydown", function (event) {
      if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (document.querySelector("dialog[open]")) return;
      var row = rows[current];
      var leadId = row ? row.getAttribute("data-lead-id") : null;
      var next = withAt(current);
      switch (event.key) {
        case "j": select(current + 1); break;
        case "k": select(current - 1); break;
        case "Enter": if (row) row.querySelector("td.title a").click(); break;
        case "x": if (row) { var box = row.querySelector("input.pick"); if (box) box.checked = !box.checked; } break;
        case "c": if (canTriage) submitAction(leadId, "status", "confirmed", next); break;
        case "d": if (canTriage) openDismiss(leadId, next); break;
        case "a": if (canTriage) submitAction(leadId, "assign", "", next); break;
        default: return;
      }
      event.preventDefault();
    });
  }

  function setupLead() {
    var article = document.getElementById("lead");
    if (!article || article.getAttribute("data-can-triage") !== "1") return;
    var leadId = article.getAttribute("data-lead-id");
    var here = window.location.pathname + window.location.search;
    var dismiss = document.getElementById("btn-dismiss");
    if (dismiss) dismiss.addEventListener("click", function () { openDismiss(leadId, here); });
    document.addEventListener("keydown", function (event) {
      if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (document.querySelector("dialog[open]")) return;
      if (event.key === "c") submitAction(leadId, "status", "confirmed", here);
      else if (event.key === "d") openDismiss(leadId, here);
      else if (event.key === "a") submitAction(leadId, "assign", "", here);
      else return;
      event.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupDialog();
    setupQueue();
    setupLead();
  });
})();
