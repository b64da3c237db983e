// The main menu's sections: one open at a time; a click elsewhere or Escape closes it.
(function () {
  "use strict";
  function closeAll(except) {
    document.querySelectorAll(".mainnav details.navgroup[open]").forEach(function (d) {
      if (d !== except) d.removeAttribute("open");
    });
  }
  document.addEventListener("toggle", function (event) {
    var d = event.target;
    if (d.classList && d.classList.contains("navgroup") && d.open) closeAll(d);
  }, true);
  document.addEventListener("click", function (event) {
    if (!event.target.closest(".mainnav details.navgroup")) closeAll(null);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeAll(null);
  });
})();
