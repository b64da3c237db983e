// Open appeals on a Leaflet map. Coordinates are GCJ-02, as are the configured tiles.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("appeal-map");
  if (!box || !window.L) { return; }
  var points = JSON.parse(document.getElementById("appeal-points").textContent);
  var map = L.map(box, { zoomControl: true });
  L.tileLayer(box.dataset.tiles, { subdomains: "1234", maxZoom: 18, attribution: "© 高德地图" }).addTo(map);
  var colours = { late: "#8c1d18", soon: "#a15c00", ok: "#1b6e3a" };
  var bounds = [];
  points.forEach(function (p) {
    var marker = L.circleMarker([p.lat, p.lng], { radius: 8, color: colours[p.state], fillOpacity: 0.8 }).addTo(map);
    var link = document.createElement("a");
    link.href = "/appeals/" + p.id + "/";
    link.textContent = p.title;  // text, never HTML: titles are residents' input
    var popup = document.createElement("div");
    popup.appendChild(link);
    popup.appendChild(document.createElement("br"));
    popup.appendChild(document.createTextNode(p.place + " · " + p.status));
    marker.bindPopup(popup);
    bounds.push([p.lat, p.lng]);
  });
  if (bounds.length) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 }); } else { map.setView([30.3, 120.15], 12); }
});
