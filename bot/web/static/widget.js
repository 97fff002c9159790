/* 微短剧政策助手 widget: <script src="http://HOST/widget.js" data-title="微短剧政策助手" defer></script>
   Adds a floating chat bubble that opens HOST/widget in an iframe. No dependencies. */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  if (!script || window.__weiduanjuWidget) return;
  window.__weiduanjuWidget = true;
  var base = new URL(script.src, location.href).origin;
  var title = script.getAttribute("data-title") || "微短剧政策助手";

  var bubble = document.createElement("button");
  bubble.type = "button";
  bubble.id = "wdj-bubble";
  bubble.setAttribute("aria-label", title);
  bubble.textContent = "💬";
  bubble.style.cssText = "position:fixed;right:16px;bottom:16px;width:56px;height:56px;border-radius:50%;border:0;" +
    "background:#b91c1c;color:#fff;font-size:26px;cursor:pointer;box-shadow:0 4px 12px rgba(0,0,0,.25);z-index:2147483646;";

  var frame = document.createElement("iframe");
  frame.id = "wdj-frame";
  frame.title = title;
  frame.src = base + "/widget?title=" + encodeURIComponent(title) + "&origin=" + encodeURIComponent(location.origin);
  frame.style.cssText = "position:fixed;right:16px;bottom:84px;width:min(380px,calc(100vw - 32px));" +
    "height:min(600px,calc(100vh - 110px));border:1px solid #e5e7eb;border-radius:12px;background:#fff;" +
    "box-shadow:0 8px 24px rgba(0,0,0,.2);z-index:2147483647;display:none;";

  bubble.addEventListener("click", function () {
    var open = frame.style.display === "none";
    frame.style.display = open ? "block" : "none";
    bubble.textContent = open ? "✕" : "💬";
  });
  document.body.appendChild(frame);
  document.body.appendChild(bubble);
})();
