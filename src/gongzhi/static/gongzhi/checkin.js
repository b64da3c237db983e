// Check-in by location: ask the phone for its position, then send the form.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches("[data-locate]") || form.dataset.located) return;
  event.preventDefault();
  if (!navigator.geolocation) { form.submit(); return; }
  navigator.geolocation.getCurrentPosition(function (pos) {
    form.lat.value = pos.coords.latitude;
    form.lng.value = pos.coords.longitude;
    form.dataset.located = "1";
    form.submit();
  }, function () { form.submit(); }, { enableHighAccuracy: true, timeout: 15000 });
});
