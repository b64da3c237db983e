// A live training session: plays the operator's HLS stream (hls.js, or the browser's own HLS) and sends a
// heartbeat each minute saying whether the page is visible; the server credits at most one minute a minute.
(function () {
  "use strict";
  function start() {
    var box = document.getElementById("pw-player");
    var video = document.getElementById("pw-video");
    var shown = document.getElementById("pw-minutes");
    if (!box || !video) return;
    var cfg = JSON.parse(box.getAttribute("data-player"));
    if (window.Hls && window.Hls.isSupported()) {
      var hls = new window.Hls();
      hls.loadSource(cfg.src);
      hls.attachMedia(video);
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = cfg.src;
    }
    function beat() {
      fetch(cfg.beat, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": box.getAttribute("data-csrf") },
        body: JSON.stringify({ visible: document.visibilityState === "visible" })
      }).then(function (r) { return r.ok ? r.json() : null; }).then(function (d) {
        if (d && shown) shown.textContent = d.minutes;
      }).catch(function () {});
    }
    beat();
    window.setInterval(beat, 60000);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
