// The "打印" button of the printable forms (a javascript: link would be inline script under the CSP).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    event.preventDefault();
    window.print();
  }
});
