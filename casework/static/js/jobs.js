// A job's page follows its progress without reloading (no inline scripts: CSP). Without
// JavaScript the page has a Refresh link; the status line is a polite live region, so a
// screen reader hears the state change, not every tick.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("job-progress");
  if (!box || box.dataset.finished === "true") { return; }
  var url = box.dataset.progressUrl;
  var bar = box.querySelector("progress");
  var lastStatus = null;
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        if (bar && data.total) { bar.max = data.total; bar.value = data.done; }
        if (lastStatus !== null && data.status !== lastStatus) { window.location.reload(); return; }
        lastStatus = data.status;
        if (data.status === "queued" || data.status === "running") { setTimeout(poll, 2000); }
        else { window.location.reload(); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 2000);
});
