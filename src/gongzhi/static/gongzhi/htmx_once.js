// Buttons that ask the server once (e.g. "show the number"): after htmx's request they go away.
// data-remove-after-request="success" removes the button only when the answer was a success, "any" always.
document.addEventListener("htmx:afterRequest", function (event) {
  var button = event.detail.elt;
  if (!button || !button.matches || !button.matches("[data-remove-after-request]")) return;
  if (button.dataset.removeAfterRequest === "any" || event.detail.successful) button.remove();
});
