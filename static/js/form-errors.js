// After a failed submit, move the focus to the summary of the form's errors (RGAA 11.10), so that
// keyboard and screen reader users learn at once what to correct. No inline script: loaded by base.html.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
})();
