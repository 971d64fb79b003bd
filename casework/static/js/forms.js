// A page sent back with mistakes: focus moves to its error summary, which screen readers
// announce (it is also role=alert); each entry links to its field. No inline scripts (CSP).
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
});
