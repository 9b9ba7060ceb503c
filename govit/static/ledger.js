// A long check or import (the ledger page, issue 20; the auditor's 完整校验) shows that it is working.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form.ledger-busy").forEach(function (form) {
    form.addEventListener("submit", function () {
      var bar = form.querySelector(".ledger-progress");
      if (bar) { bar.classList.remove("d-none"); }
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    });
  });
});
