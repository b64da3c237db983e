// A "print" button (data-print) on printable pages: minutes and mediation agreements.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
