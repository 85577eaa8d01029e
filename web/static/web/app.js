// Small page behaviours that htmx does not cover. No inline scripts: everything is wired here by data attributes.
(function () {
  "use strict";

  // Person picker: a search result button fills the hidden person id and shows who was chosen.
  document.addEventListener("click", function (event) {
    var option = event.target.closest("[data-pick-target]");
    if (!option) return;
    event.preventDefault();
    var id = option.dataset.pickTarget;
    var input = document.getElementById(id);
    if (input) input.value = option.dataset.pickValue;
    var label = document.getElementById(id + "-label");
    if (label) label.textContent = option.dataset.pickLabel;
    var results = document.getElementById(id + "-results");
    if (results) results.innerHTML = "";
    var search = document.getElementById(id + "-search");
    if (search) search.value = "";
  });

  // A partial request that ended on the login page (session expired): reload the whole page there.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.responseURL && xhr.responseURL.indexOf("/login/") !== -1) {
      event.detail.shouldSwap = false;
      window.location.href = xhr.responseURL;
    }
  });

  // htmx does not swap error responses; say what happened instead of doing nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var text = status === 403 ? "无此操作权限" : status === 404 ? "记录不存在或不在您的管辖范围内" : "操作失败，请稍后重试";
    window.alert(text);
  });
})();
