// The spot of an appeal on a map (GCJ-02, as the tiles and as stored).
// On the intake form it is optional: the map opens on the chosen place and a tap sets the mark into the
// form's hidden lat/lng fields. On an appeal's page it is shown.
var SPOT = { radius: 11, color: "#fff", weight: 3, fillColor: "#b3261e", fillOpacity: 1 };

function spotMap(box, at, zoom, places) {
  return gongzhiMap(box, { places: places || [] }).setView(at, zoom);
}

document.addEventListener("DOMContentLoaded", function () {
  var shown = document.getElementById("spot-map");
  if (!shown || !window.L || !window.gongzhiMap) { return; }
  var at = [parseFloat(shown.dataset.lat), parseFloat(shown.dataset.lng)];
  var label = shown.dataset.place ? [{ name: shown.dataset.place, lat: at[0], lng: at[1] }] : [];
  L.circleMarker(at, SPOT).addTo(spotMap(shown, at, 17, label));
});

document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("pin-map");
  if (!box) { return; }
  var details = box.closest("details");
  var form = box.closest("form");
  var lat = form.querySelector("input[name=lat]");
  var lng = form.querySelector("input[name=lng]");
  var place = form.querySelector("select[name=node]");
  var text = document.getElementById("pin-text");
  var clear = document.getElementById("pin-clear");
  var points = JSON.parse(document.getElementById("place-points").textContent);
  var map = null;
  var mark = null;

  function centre() {
    var p = place && points[place.value];
    return p ? { at: p, zoom: 17 } : { at: [30.3, 120.15], zoom: 12 };
  }
  function show(latlng) {
    // A drawn circle, not Leaflet's default pin: its image path does not survive hashed static names.
    if (mark) { mark.setLatLng(latlng); } else { mark = L.circleMarker(latlng, SPOT).addTo(map); }
    lat.value = latlng.lat.toFixed(6);
    lng.value = latlng.lng.toFixed(6);
    text.textContent = text.dataset.marked;
    clear.hidden = false;
  }
  // The intake form loads Leaflet and the map helper only when the map is opened (most residents never
  // open it): the stylesheet, then leaflet.js, then map.js.
  function withLeaflet(then) {
    if (!box.dataset.leafletJs) { return; }
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = box.dataset.leafletCss;
    document.head.appendChild(css);
    var scripts = [box.dataset.leafletJs, box.dataset.mapJs];
    box.dataset.leafletJs = "";
    (function next() {
      var src = scripts.shift();
      if (!src) { then(); return; }
      var js = document.createElement("script");
      js.src = src;
      js.addEventListener("load", next);
      document.head.appendChild(js);
    })();
  }
  function open() {
    if (!window.L || !window.gongzhiMap) { withLeaflet(open); return; }
    if (map) { map.invalidateSize(); return; }
    var start = centre();
    // Without tiles the form's places are drawn with their names, so a spot can still be told apart.
    var named = [];
    if (place) {
      Array.prototype.forEach.call(place.options, function (o) {
        var p = points[o.value];
        if (p) { named.push({ name: o.textContent.trim(), lat: p[0], lng: p[1] }); }
      });
    }
    map = spotMap(box, start.at, start.zoom, named);
    if (lat.value && lng.value) { show(L.latLng(parseFloat(lat.value), parseFloat(lng.value))); map.setView(mark.getLatLng(), 17); }
    map.on("click", function (event) { show(event.latlng); });
  }
  clear.addEventListener("click", function () {
    if (mark) { map.removeLayer(mark); mark = null; }
    lat.value = ""; lng.value = "";
    text.textContent = text.dataset.none;
    clear.hidden = true;
  });
  if (place) {
    place.addEventListener("change", function () {
      if (map && !mark) { var c = centre(); map.setView(c.at, c.zoom); }
    });
  }
  details.addEventListener("toggle", function () { if (details.open) { open(); } });
  if (details.open) { open(); }
});
