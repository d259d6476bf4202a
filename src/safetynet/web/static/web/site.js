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
