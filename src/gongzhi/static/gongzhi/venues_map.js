// Venues on a Leaflet map (GCJ-02, as the configured tiles). Three maps share this file:
// #venue-map: venues near me; #coverage-map: venues with their circles and buildings coloured by the
// distance to the nearest venue; #siting-map: the same with the sites of the exact and greedy plans.
// On "venues near me" this file is loaded only when the map is wanted (lazy_map.js), after the page has
// loaded: it then draws at once.
function venueMaps() {
  if (!window.L || !window.gongzhiMap) { return; }
  var levelColour = {
    subdistrict_centre: "#8c1d18", community_centre: "#c0392b", station: "#d35400",
    waystation: "#1f618d", shared: "#6c3483",
  };

  function base(box, places) {
    return gongzhiMap(box, { places: places });
  }

  function venues(map, rows, bounds, circles) {
    rows.forEach(function (v) {
      var colour = levelColour[v.level] || "#8c1d18";
      L.circleMarker([v.lat, v.lng], { radius: 7, color: "#fff", weight: 2, fillColor: colour, fillOpacity: 1 })
        .bindPopup(gongzhiMap.text(v.name)).addTo(map);
      if (circles) {
        L.circle([v.lat, v.lng], { radius: circles, color: colour, weight: 1, fillOpacity: 0.04 }).addTo(map);
      }
      bounds.push([v.lat, v.lng]);
    });
  }

  var near = document.getElementById("venue-map");
  if (near) {
    var rows = JSON.parse(document.getElementById("venue-points").textContent);
    var map = base(near, rows);
    var bounds = [];
    rows.forEach(function (v) {
      var marker = L.circleMarker([v.lat, v.lng], {
        radius: 8, color: "#fff", weight: 2, fillColor: levelColour[v.level] || "#8c1d18", fillOpacity: 1,
      });
      var link = document.createElement("a");
      link.href = "/venues/" + v.id + "/";
      link.textContent = v.name;
      marker.bindPopup(link).addTo(map);
      bounds.push([v.lat, v.lng]);
    });
    if (bounds.length) { map.fitBounds(bounds.slice(0, 12), { padding: [20, 20], maxZoom: 15 }); } else { map.setView([30.3, 120.15], 12); }
  }

  ["coverage-map", "siting-map"].forEach(function (id) {
    var box = document.getElementById(id);
    if (!box) { return; }
    var data = JSON.parse(document.getElementById("coverage-data").textContent);
    var map = base(box, data.venues.concat(data.greedy || [], data.exact || []));
    var bounds = [];
    var d = data.distance;
    data.buildings.forEach(function (b) {
      var colour = b.distance === null ? "#555" : b.distance <= d ? "#1b6e3a" : b.distance <= 2 * d ? "#a15c00" : "#8c1d18";
      L.circleMarker([b.lat, b.lng], { radius: 3, stroke: false, fillColor: colour, fillOpacity: 0.85 })
        .bindPopup(gongzhiMap.text(b.name + " · " + b.residents + "人 · " + (b.distance === null ? "—" : b.distance + "m")))
        .addTo(map);
      bounds.push([b.lat, b.lng]);
    });
    venues(map, data.venues, [], d);
    [["greedy", "#1f618d", 9], ["exact", "#f1c40f", 7]].forEach(function (plan) {
      (data[plan[0]] || []).forEach(function (s) {
        L.circle([s.lat, s.lng], { radius: d, color: plan[1], weight: 2, dashArray: "6 4", fillOpacity: 0.08 }).addTo(map);
        // the whole circle in view (metres to degrees near the site)
        var dLat = d / 111320, dLng = d / (111320 * Math.cos(s.lat * Math.PI / 180));
        bounds.push([s.lat - dLat, s.lng - dLng], [s.lat + dLat, s.lng + dLng]);
        L.circleMarker([s.lat, s.lng], { radius: plan[2], color: "#222", weight: 1, fillColor: plan[1], fillOpacity: 1 })
          .bindPopup(gongzhiMap.text(s.name)).addTo(map);
      });
    });
    if (bounds.length) { map.fitBounds(bounds, { padding: [16, 16] }); } else { map.setView([30.3, 120.15], 12); }
  });
}
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", venueMaps);
} else {
  venueMaps();
}
