// Confirmation before an irreversible step: forms carry data-confirm="…" (no inline script, CSP).
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
// A print button (data-print): the page's print stylesheet does the rest (no inline script, CSP).
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) {
    window.print();
  }
});
