// Confirmation before an irreversible step: forms carry data-confirm="…" (no inline script, CSP).
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
