// A hand-typed `#L15` lands on the block holding line 15: blocks carry the line they start
// on (`id="L12"`), so with no exact match scroll to the greatest anchored line before it.
// Without JavaScript such a link just opens the page at the top.
(function () {
  "use strict";
  function nearest() {
    var m = /^#L(\d+)$/.exec(window.location.hash);
    if (!m || document.getElementById("L" + m[1])) return;
    var want = parseInt(m[1], 10), best = null, bestLine = 0;
    var all = document.querySelectorAll("main [id^='L']");
    for (var i = 0; i < all.length; i++) {
      var n = /^L(\d+)$/.exec(all[i].id);
      if (!n) continue;
      var line = parseInt(n[1], 10);
      if (line <= want && line >= bestLine) { best = all[i]; bestLine = line; }
    }
    if (best) best.scrollIntoView();
  }
  window.addEventListener("hashchange", nearest);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", nearest);
  } else {
    nearest();
  }
})();
