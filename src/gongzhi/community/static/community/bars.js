// Progress bars: the width comes from data-width (percent), so pages carry no inline styles.
document.querySelectorAll(".bar > span[data-width]").forEach(function (bar) {
  var value = Math.max(0, Math.min(100, parseFloat(bar.dataset.width) || 0));
  bar.style.width = value + "%";
});
