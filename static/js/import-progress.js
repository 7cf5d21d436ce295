// An import form's progress bar: once the form is sent, and while its answer is awaited,
// ask the server how far the work is (imports.views.progress_status) and show it.
(function () {
  "use strict";
  document.querySelectorAll("form[data-progress-url]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var box = form.querySelector(".import-progress");
      if (!box) { return; }
      var bar = box.querySelector("progress");
      var text = box.querySelector(".import-progress-text");
      box.hidden = false;
      function poll() {
        fetch(form.dataset.progressUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (state) {
            if (state) {  // none yet while the file is still being sent
              if (state.total) {
                bar.max = state.total;
                bar.value = Math.min(state.done, state.total);
              }
              text.textContent = state.text;
              if (state.stage === "finished") { return; }
            }
            window.setTimeout(poll, 400);
          })
          .catch(function () { window.setTimeout(poll, 1000); });
      }
      window.setTimeout(poll, 200);
    });
  });
})();
