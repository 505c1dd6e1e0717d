// The live screen (app/live): every few seconds, fetch the figures again (rendered on the server, with
// approved texts only) and put them in place. Without JavaScript the page has a "Refresh now" link.
// When the display link ends or the sign-in does, the screen says so and stops asking.
(function () {
  var figures = document.getElementById("live-figures");
  if (!figures || !window.fetch) {
    return;
  }
  var url = figures.getAttribute("data-refresh-url");
  var seconds = parseInt(figures.getAttribute("data-refresh-seconds"), 10) || 5;

  function stop() {
    var notice = document.createElement("p");
    notice.className = "live-problems";
    notice.setAttribute("role", "alert");
    notice.textContent = figures.getAttribute("data-stopped");
    figures.parentNode.insertBefore(notice, figures);
  }

  function refresh() {
    // redirect "manual": an ended sign-in answers with a redirect to the sign-in page; do not follow it.
    fetch(url, { credentials: "same-origin", cache: "no-store", redirect: "manual" })
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 404 || response.status === 400) {
          stop();
          return null;
        }
        return response.ok ? response.text() : "";
      })
      .then(function (html) {
        if (html === null) {
          return;
        }
        if (html) {
          figures.innerHTML = html;
        }
        later();
      })
      .catch(later); // the network dropped for a moment: try again at the next turn
  }

  function later() {
    window.setTimeout(refresh, seconds * 1000);
  }

  later();
})();
