// Photo inputs (input[type=file][data-max]): show the chosen photos as thumbnails before sending, and say
// plainly when more were chosen than the form takes (the server refuses them with the same message).
function showPhotos(input) {
  const box = document.getElementById(input.dataset.preview);
  if (!box) return;
  box.replaceChildren();
  const files = Array.from(input.files || []);
  const max = Number(input.dataset.max || 9);
  files.forEach((file, i) => {
    if (!file.type.startsWith("image/")) return;
    const figure = document.createElement("figure");
    const img = document.createElement("img");
    img.src = URL.createObjectURL(file);
    img.alt = file.name;
    img.onload = () => URL.revokeObjectURL(img.src);
    if (i >= max) figure.className = "over";
    figure.append(img);
    box.append(figure);
  });
  const note = document.getElementById(input.dataset.preview + "-note");
  if (note) {
    const over = files.length - max;
    note.textContent = over > 0 ? note.dataset.tooMany.replace("{n}", files.length).replace("{extra}", over) : "";
    note.hidden = over <= 0;
    input.setCustomValidity(over > 0 ? note.textContent : "");
  }
}

document.addEventListener("change", (event) => {
  const input = event.target;
  if (input.matches && input.matches("input[type=file][data-preview]")) showPhotos(input);
});
