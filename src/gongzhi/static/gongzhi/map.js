// The one map helper every Leaflet map uses: the configured tile source (data-tiles on the map's box:
// GONGZHI_MAP_TILES, a tile server, the app's own /tiles/ folder, or "" / "off" for none) and, when no tile
// loads (offline, the server unreachable, tiles turned off), a readable map without them: a plain
// background with the page's places drawn as labelled points, never an empty grey canvas.
(function () {
  var WAIT_MS = 4000;  // no tile by then: draw the plain map

  function textOf(value) {
    var span = document.createElement("span");
    span.textContent = String(value || "");  // a place's name is text, never HTML (Leaflet sets a string as HTML)
    return span;
  }

  function drawPlaces(layer, places) {
    layer.clearLayers();
    (places || []).forEach(function (p) {
      if (p.lat == null || p.lng == null) { return; }
      L.circleMarker([p.lat, p.lng], { radius: 5, color: "#5b4636", weight: 1, fillColor: "#fffaf0", fillOpacity: 1, interactive: false })
        .bindTooltip(textOf(p.name), { permanent: true, direction: "auto", className: "map-place-label", offset: [6, 0] })
        .addTo(layer);
    });
  }

  function notice(text) {
    var control = L.control({ position: "bottomleft" });
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "map-offline-note");
      div.textContent = text;  // text, never HTML
      return div;
    };
    return control;
  }

  // gongzhiMap(box, { places: [{name, lat, lng}], zoomControl, map }) -> the Leaflet map.
  // ``places`` are the labels drawn when there are no tiles (the points the page draws stay on top);
  // ``map`` holds further options of the Leaflet map. ``map.gongzhiPlaces(places)`` changes the labels.
  window.gongzhiMap = function (box, options) {
    options = options || {};
    var settings = { zoomControl: options.zoomControl !== false };
    Object.keys(options.map || {}).forEach(function (k) { settings[k] = options.map[k]; });
    var map = L.map(box, settings);
    var source = (box.dataset.tiles || "").trim();
    var plain = false;
    var tiles = null;
    var loaded = false;
    var labels = L.layerGroup();

    function goPlain() {
      if (plain) { return; }
      plain = true;
      if (tiles) { tiles.setOpacity(0); }  // hidden, not removed: Leaflet fails on tiles that answer after removal
      box.classList.add("map-plain");
      box.dataset.mapMode = "plain";
      drawPlaces(labels, options.places);
      labels.addTo(map);
      notice(box.dataset.offlineNote || document.body.dataset.mapOfflineNote || "").addTo(map);
    }

    if (!source || source === "off") {
      goPlain();
    } else {
      tiles = L.tileLayer(source, {
        subdomains: box.dataset.subdomains || "1234",
        maxZoom: 18,
        attribution: box.dataset.attribution || (source.indexOf("autonavi.com") >= 0 ? "© 高德地图" : ""),
      });
      tiles.on("tileload", function () { loaded = true; box.dataset.mapMode = "tiles"; });
      tiles.on("load", function () { if (!loaded) { goPlain(); } });  // every tile of the view failed
      tiles.addTo(map);
      window.setTimeout(function () { if (!loaded) { goPlain(); } }, WAIT_MS);
    }
    map.gongzhiPlain = function () { return plain; };
    map.gongzhiPlaces = function (places) {
      options.places = places;
      if (plain) { drawPlaces(labels, places); }
    };
    return map;
  };
  // A tooltip's or popup's content as text (Leaflet sets a string as HTML): for every map's names.
  window.gongzhiMap.text = textOf;
})();
