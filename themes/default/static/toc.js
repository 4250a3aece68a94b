// The document TOC, enhanced: open beside the text on wide screens (on phones it stays a
// closed "On this page" control at the top), and the section being read marked in it.
// Without this script the TOC is still there, one tap away.
(function () {
  "use strict";
  var toc = document.querySelector("nav.toc");
  if (!toc) { return; }
  var details = toc.querySelector("details");
  var wide = window.matchMedia("(min-width: 60.01rem)");
  function fit() { if (details) { details.open = wide.matches; } }
  fit();
  if (wide.addEventListener) { wide.addEventListener("change", fit); }
  if (!("IntersectionObserver" in window)) { return; }

  var headings = [];
  var linkOf = new Map();
  toc.querySelectorAll('a[href^="#"]').forEach(function (link) {
    var id;
    try { id = decodeURIComponent(link.getAttribute("href").slice(1)); } catch (e) { return; }
    var heading = document.getElementById(id);
    if (heading) { headings.push(heading); linkOf.set(heading, link); }
  });
  var current = null;

  // The current section is the last heading that reached the top of the window (a
  // heading a TOC link jumped to is at the very top, and is the one marked).
  function update() {
    var limit = 40;
    var found = null;
    for (var i = 0; i < headings.length; i++) {
      if (headings[i].getBoundingClientRect().top > limit) { break; }
      found = headings[i];
    }
    var link = found ? linkOf.get(found) : null;
    if (link === current) { return; }
    if (current) { current.removeAttribute("aria-current"); current.classList.remove("is-current"); }
    current = link;
    if (link) {
      link.setAttribute("aria-current", "true");
      link.classList.add("is-current");
      keepInView(link);
    }
  }

  // A TOC of hundreds of entries scrolls inside the sidebar; keep the current one in sight
  // there without moving the page.
  function keepInView(link) {
    var box = toc.closest(".sidebar");
    if (!box || !wide.matches || box.scrollHeight <= box.clientHeight) { return; }
    var top = link.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
    if (top < box.scrollTop + 32 || top > box.scrollTop + box.clientHeight - 48) {
      box.scrollTop = top - box.clientHeight / 3;
    }
  }

  var observer = new IntersectionObserver(update, { rootMargin: "0px 0px -95% 0px" });
  headings.forEach(function (heading) { observer.observe(heading); });
  update();
})();
