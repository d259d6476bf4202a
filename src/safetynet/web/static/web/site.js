// A refused or failed htmx request otherwise changes nothing on screen: say so.
document.addEventListener("htmx:responseError", function (event) {
  var status = event.detail.xhr.status;
  var text = status === 403 ? "您的角色无权执行此操作。"
    : status === 404 ? "未找到该内容，或不在您的管辖范围内。"
    : "操作未完成（" + status + "），请刷新页面后重试。";
  var notice = document.getElementById("notice");
  if (!notice) return;
  notice.textContent = text;
  notice.hidden = false;
  window.setTimeout(function () { notice.hidden = true; }, 6000);
});
document.addEventListener("htmx:sendError", function () {
  var notice = document.getElementById("notice");
  if (!notice) return;
  notice.textContent = "网络连接失败，请检查网络后重试。";
  notice.hidden = false;
});

// Forms marked data-confirm="…" ask first (dismissing a lead, refusing a case): the one modal of
// web/base.html shows the question; only its confirm button submits. No inline script (CSP).
// A submit button may carry its own data-confirm (the leads worklist's "排除所选线索").
document.addEventListener("submit", function (event) {
  var form = event.target;
  var submitter = event.submitter;
  var question = (submitter && submitter.dataset && submitter.dataset.confirm) || (form.dataset && form.dataset.confirm);
  if (!form.matches || !question || form.dataset.confirmed === "1") return;
  var modalEl = document.getElementById("confirm-modal");
  if (!modalEl || !window.bootstrap) {
    if (!window.confirm(question)) event.preventDefault();
    return;
  }
  event.preventDefault();
  if (!form.reportValidity()) return;
  modalEl.querySelector(".confirm-text").textContent = question;
  var ok = modalEl.querySelector(".confirm-ok");
  var modal = window.bootstrap.Modal.getOrCreateInstance(modalEl);
  ok.onclick = function () {
    form.dataset.confirmed = "1";
    modal.hide();
    if (form.requestSubmit) form.requestSubmit(submitter || undefined); else form.submit();
    form.dataset.confirmed = "";
  };
  modal.show();
}, true);

// A table header's "select all" box (data-check-all="<name>") ticks every box of that name.
document.addEventListener("change", function (event) {
  var all = event.target;
  if (!all.matches || !all.matches("input[data-check-all]")) return;
  document.querySelectorAll('input[type="checkbox"][name="' + all.dataset.checkAll + '"]').forEach(function (box) {
    box.checked = all.checked;
  });
});
