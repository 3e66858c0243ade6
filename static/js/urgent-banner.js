// The urgent banner's « Masquer » buttons (templates/notices/includes/urgent_banner.html).
(function () {
  // Dismissed alerts are remembered in this browser only (localStorage), never in a cookie.
  // Without JavaScript the banner simply stays, and the page remains usable.
  var PREFIX = "passerelle.alerte-masquee.";
  function stored(id) {
    try { return window.localStorage.getItem(PREFIX + id) === "1"; } catch (e) { return false; }
  }
  var banner = document.querySelector(".urgent-banner");
  if (!banner) { return; }
  var items = banner.querySelectorAll("[data-urgent-notice]");
  var visible = items.length;
  items.forEach(function (item) {
    var id = item.getAttribute("data-urgent-notice");
    if (stored(id)) { item.hidden = true; visible -= 1; return; }
    var button = item.querySelector("[data-dismiss-urgent]");
    button.hidden = false;
    button.addEventListener("click", function () {
      try { window.localStorage.setItem(PREFIX + id, "1"); } catch (e) { /* private mode */ }
      item.hidden = true;
      visible -= 1;
      if (visible === 0) { banner.hidden = true; }
      var main = document.getElementById("contenu");
      if (main) { main.focus(); }
    });
  });
  if (visible === 0) { banner.hidden = true; }
})();
