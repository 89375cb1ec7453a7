// Small enhancements only: every page works without this file.
// - the unread notifications count refreshes itself (every minute, and when the tab is shown)
// - "Preview" under Markdown fields shows the post as it will look
(function () {
  "use strict";

  function csrfToken(form) {
    var field = form && form.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  // live unread count -------------------------------------------------------------------
  var bell = document.querySelector("a.bell");
  function showUnread(count) {
    if (!bell) return;
    var badge = bell.querySelector(".badge");
    if (count > 0) {
      if (!badge) {
        badge = document.createElement("span");
        badge.className = "badge";
        bell.appendChild(document.createTextNode(" "));
        bell.appendChild(badge);
      }
      badge.textContent = String(count);
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = " unread";
      badge.appendChild(hidden);
    } else if (badge) {
      badge.remove();
    }
  }
  function refreshUnread() {
    if (!bell || document.hidden) return;
    fetch("/notifications/unread", { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) { if (body) showUnread(body.unread); })
      .catch(function () { /* offline: try again later */ });
  }
  if (bell) {
    window.setInterval(refreshUnread, 60000);
    document.addEventListener("visibilitychange", refreshUnread);
    window.addEventListener("focus", refreshUnread);
  }

  // Markdown preview --------------------------------------------------------------------
  document.querySelectorAll("textarea[data-preview]").forEach(function (textarea) {
    var form = textarea.form;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--secondary button--small preview-button";
    button.textContent = "Preview";
    var output = document.createElement("div");
    output.className = "prose preview";
    output.setAttribute("aria-live", "polite");
    output.id = textarea.id + "-preview";
    output.hidden = true;
    button.setAttribute("aria-controls", output.id);
    textarea.insertAdjacentElement("afterend", output);
    textarea.insertAdjacentElement("afterend", button);
    button.addEventListener("click", function () {
      var body = new URLSearchParams();
      body.set("body", textarea.value);
      fetch("/preview", {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": csrfToken(form), "Content-Type": "application/x-www-form-urlencoded" },
        body: body.toString(),
      })
        .then(function (response) { return response.json(); })
        .then(function (result) {
          output.hidden = false;
          output.innerHTML = result.html || "<p>Nothing to preview yet.</p>";
        });
    });
  });
})();
