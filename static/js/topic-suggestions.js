// New topic form: while the person types the title, show the topics and guide pages that may
// already answer it, in the polite live region below the field (screen readers announce it).
// Once shown here, the form needs no confirmation step: it says so with a hidden field.
(function () {
  "use strict";
  var region = document.getElementById("topic-suggestions");
  if (!region || !window.fetch) {
    return;
  }
  var form = region.closest("form");
  var title = form && form.querySelector("input[name='subject']");
  if (!title) {
    return;
  }
  var url = region.getAttribute("data-suggestions-url");
  var timer = null;
  var lastAsked = "";
  var controller = null;

  function markSeen() {
    if (!form.querySelector("input[name='suggestions_vues']")) {
      var seen = document.createElement("input");
      seen.type = "hidden";
      seen.name = "suggestions_vues";
      seen.value = "1";
      form.appendChild(seen);
    }
  }

  function ask() {
    var text = title.value.trim();
    if (text === lastAsked) {
      return;
    }
    lastAsked = text;
    if (text.length < 8) {
      region.innerHTML = "";
      return;
    }
    if (controller) {
      controller.abort();
    }
    controller = window.AbortController ? new AbortController() : null;
    fetch(url + "?titre=" + encodeURIComponent(text), {
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        return response.ok ? response.text() : "";
      })
      .then(function (html) {
        region.innerHTML = html;
        markSeen();
      })
      .catch(function () {
        /* aborted or offline: the confirmation step still shows the suggestions */
      });
  }

  title.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 400);
  });
})();
