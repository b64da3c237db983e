// Intake form for staff: "Use this category" puts the suggested category into the select.
document.addEventListener("click", (event) => {
  const button = event.target.closest(".use-suggestion");
  if (!button) return;
  const select = document.querySelector("select[name=category]");
  if (select) {
    select.value = button.dataset.category;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    button.disabled = true;
  }
});
