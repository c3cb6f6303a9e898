// The release board updates itself: when the store changes (a change stream from the board)
// and once a minute (windows open, checks fall due). The page reads the same without it.
(function () {
  "use strict";
  var body = document.body;
  var live = document.getElementById("live");

  function localize(root) {
    var format = new Intl.DateTimeFormat(undefined, {
      weekday: "short", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", timeZoneName: "short"
    });
    root.querySelectorAll("time[datetime]").forEach(function (node) {
      var when = new Date(node.getAttribute("datetime"));
      if (isNaN(when)) { return; }
      if (node.classList.contains("local")) {
        node.textContent = format.format(when);
      } else {
        node.title = "your time: " + format.format(when);
      }
    });
    root.querySelectorAll(".local-only").forEach(function (node) { node.hidden = false; });
    var zone = root.querySelector("form.zone input[name=tz]");
    if (zone && !zone.value) {
      zone.placeholder = Intl.DateTimeFormat().resolvedOptions().timeZone || zone.placeholder;
    }
  }

  var refreshing = false;
  function refresh() {
    if (refreshing) { return; }
    refreshing = true;
    fetch(window.location.href, { headers: { "Accept": "text/html" }, cache: "no-store" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var main = page.getElementById("main");
        if (main) {
          document.getElementById("main").replaceWith(main);
          localize(main);
          document.title = page.title;
          body.dataset.token = page.body.dataset.token;
        }
      })
      .catch(function () { /* the next change or minute tries again */ })
      .then(function () { refreshing = false; });
  }

  localize(document);
  window.setInterval(refresh, 60000);
  if (!window.EventSource || !body.dataset.events) { return; }
  var changes = new EventSource(body.dataset.events);
  changes.addEventListener("open", function () { live.hidden = false; live.textContent = "live"; });
  changes.addEventListener("error", function () { live.textContent = "reconnecting"; });
  changes.addEventListener("change", function (event) {
    if (event.data !== body.dataset.token) {
      body.dataset.token = event.data;
      refresh();
    }
  });
}());
