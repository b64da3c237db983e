// Open appeals on a Leaflet map. Coordinates are GCJ-02, as are the configured tiles.
// Appeals at the same place (most are pinned to their compound) and close together gather into one
// numbered circle, coloured by the most pressing deadline inside it; a tap opens them.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("appeal-map");
  if (!box || !window.L || !L.markerClusterGroup || !window.gongzhiMap) { return; }
  var points = JSON.parse(document.getElementById("appeal-points").textContent);
  var places = {};
  points.forEach(function (p) { places[p.place] = places[p.place] || { name: p.place, lat: p.lat, lng: p.lng }; });
  var map = gongzhiMap(box, { places: Object.keys(places).map(function (k) { return places[k]; }) });
  var colours = { late: "#8c1d18", soon: "#a15c00", ok: "#1b6e3a" };
  var rank = { late: 2, soon: 1, ok: 0 };
  var group = L.markerClusterGroup({
    showCoverageOnHover: false,
    maxClusterRadius: 40,
    spiderfyDistanceMultiplier: 1.6,
    iconCreateFunction: function (cluster) {
      var worst = "ok";
      cluster.getAllChildMarkers().forEach(function (m) {
        if (rank[m.options.state] > rank[worst]) { worst = m.options.state; }
      });
      var count = cluster.getChildCount();
      var size = count < 10 ? 34 : count < 100 ? 40 : 48;
      return L.divIcon({
        html: "<span>" + count + "</span>",
        className: "appeal-cluster state-" + worst,
        iconSize: [size, size],
      });
    },
  });
  var bounds = [];
  points.forEach(function (p) {
    var marker = L.circleMarker([p.lat, p.lng], {
      radius: 9, color: colours[p.state], fillOpacity: 0.8, state: p.state,
    });
    var link = document.createElement("a");
    link.href = "/appeals/" + p.id + "/";
    link.textContent = p.title;  // text, never HTML: titles are residents' input
    var popup = document.createElement("div");
    popup.appendChild(link);
    popup.appendChild(document.createElement("br"));
    popup.appendChild(document.createTextNode(p.place + " · " + p.status));
    marker.bindPopup(popup);
    group.addLayer(marker);
    bounds.push([p.lat, p.lng]);
  });
  group.addTo(map);
  if (bounds.length) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 }); } else { map.setView([30.3, 120.15], 12); }
});
