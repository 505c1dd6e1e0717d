// Background export page: while the export is being made, fetch the page again every two seconds
// and update the status in place (focus and reading position stay). Without JavaScript the page
// has a "Check again" link instead.
(function () {
  function poll() {
    var status = document.getElementById("export-status");
    if (!status || status.getAttribute("data-refresh") !== "yes") {
      return;
    }
    window.setTimeout(function () {
      fetch(window.location.href, { credentials: "same-origin" })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          var next = new DOMParser().parseFromString(html, "text/html").getElementById("export-status");
          if (next) {
            status.innerHTML = next.innerHTML;
            status.setAttribute("data-refresh", next.getAttribute("data-refresh"));
            poll();
          }
        });
    }, 2000);
  }
  poll();
})();

// A "Copy the link" button for a set-password link just made: hidden without JavaScript (the link
// is selectable in its box either way); says "Copied." in a status region when it worked.
(function () {
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector("[data-copied]");
    if (!source || !navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.value).then(function () {
        status.textContent = status.getAttribute("data-copied");
      });
    });
  });
})();
