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
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches || !form.matches("form[data-confirm]") || form.dataset.confirmed === "1") return;
  var modalEl = document.getElementById("confirm-modal");
  if (!modalEl || !window.bootstrap) {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    return;
  }
  event.preventDefault();
  if (!form.reportValidity()) return;
  modalEl.querySelector(".confirm-text").textContent = form.dataset.confirm;
  var ok = modalEl.querySelector(".confirm-ok");
  var modal = window.bootstrap.Modal.getOrCreateInstance(modalEl);
  ok.onclick = function () {
    form.dataset.confirmed = "1";
    modal.hide();
    if (form.requestSubmit) form.requestSubmit(event.submitter || undefined); else form.submit();
  };
  modal.show();
}, true);
