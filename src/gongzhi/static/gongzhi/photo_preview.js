// Photo inputs (input[type=file][data-preview]): show the chosen photos as thumbnails before sending. When
// more are chosen than the form takes (data-max), keep the first ones and say so, so that nobody has to
// choose them all again after the server refuses the lot.
function showPhotos(input) {
  const box = document.getElementById(input.dataset.preview);
  if (!box) return;
  const max = Number(input.dataset.max || 9);
  const chosen = Array.from(input.files || []);
  const note = document.getElementById(input.dataset.preview + "-note");
  if (chosen.length > max && typeof DataTransfer !== "undefined") {
    const kept = new DataTransfer();
    chosen.slice(0, max).forEach((file) => kept.items.add(file));
    input.files = kept.files;
  }
  const files = Array.from(input.files || []);
  box.replaceChildren();
  files.forEach((file) => {
    if (!file.type.startsWith("image/")) return;
    const figure = document.createElement("figure");
    const img = document.createElement("img");
    img.src = URL.createObjectURL(file);
    img.alt = file.name;
    img.onload = () => URL.revokeObjectURL(img.src);
    figure.append(img);
    box.append(figure);
  });
  if (note) {
    const over = chosen.length - max;
    const trimmed = files.length <= max;
    const text = over > 0 ? note.dataset.tooMany.replace("{n}", chosen.length).replace("{extra}", over) : "";
    note.textContent = over > 0 && trimmed && note.dataset.kept ? note.dataset.kept.replace("{n}", chosen.length) : text;
    note.hidden = over <= 0;
  }
}

document.addEventListener("change", (event) => {
  const input = event.target;
  if (input.matches && input.matches("input[type=file][data-preview]")) showPhotos(input);
});
