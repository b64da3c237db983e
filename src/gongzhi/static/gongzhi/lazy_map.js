// A map that costs nothing until it is wanted: a box with data-lazy-map names the stylesheet and scripts it
// needs (data-css, data-scripts: space-separated, loaded in order). They load when the box comes into view
// or its button is pressed, whichever is first; the page's own map script then draws into the box.
(function () {
  "use strict";
  function load(box) {
    if (box.dataset.lazyMap === "loading") { return; }
    box.dataset.lazyMap = "loading";
    var button = box.querySelector("button");
    if (button) { button.disabled = true; }
    if (box.dataset.css) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = box.dataset.css;
      document.head.appendChild(css);
    }
    var scripts = (box.dataset.scripts || "").split(" ").filter(Boolean);
    (function next() {
      var src = scripts.shift();
      if (!src) {
        if (button) { button.remove(); }
        box.dataset.lazyMap = "loaded";
        return;
      }
      var js = document.createElement("script");
      js.src = src;
      js.addEventListener("load", next);
      document.head.appendChild(js);
    })();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-lazy-map]").forEach(function (box) {
      var button = box.querySelector("button");
      if (button) { button.addEventListener("click", function () { load(box); }); }
      if (!("IntersectionObserver" in window)) { load(box); return; }
      // Half of the box in view: a map whose edge shows at the foot of the first screen waits for a scroll.
      var seen = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) {
          seen.disconnect();
          load(box);
        }
      }, { threshold: 0.5 });
      seen.observe(box);
    });
  });
})();
