// Forms on cacheable pages carry no CSRF token (a token would set a cookie on every visitor and
// keep the page out of the front cache). When the person starts to write, this fetches one from
// /csrf/ (never cached) and adds it to the form. Without JavaScript, or if the fetch fails, the
// form still posts: the server answers with a confirmation step that carries a token and keeps
// what was typed (kb/views/feedback.py).
(function () {
  function addToken(form) {
    if (form.querySelector("input[name=csrfmiddlewaretoken]")) { return Promise.resolve(); }
    if (!form._csrfPromise) {
      form._csrfPromise = fetch(form.getAttribute("data-csrf-url"), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data || !data.token) { return; }
          var input = document.createElement("input");
          input.type = "hidden";
          input.name = "csrfmiddlewaretoken";
          input.value = data.token;
          form.appendChild(input);
        })
        .catch(function () { /* the confirmation step takes over */ });
    }
    return form._csrfPromise;
  }
  document.querySelectorAll("form[data-csrf-url]").forEach(function (form) {
    var start = function () { addToken(form); };
    form.addEventListener("focusin", start, { once: true });
    form.addEventListener("input", start, { once: true });
    form.addEventListener("submit", function (event) {
      if (form.querySelector("input[name=csrfmiddlewaretoken]")) { return; }
      event.preventDefault();
      addToken(form).then(function () { form.submit(); });
    });
  });
})();
