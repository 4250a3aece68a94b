// Site search: the header box, over the index `tssa build` writes to search/ (see
// src/render/search.rs for its format). Vanilla, no inline anything (the CSP forbids it);
// without JavaScript the box stays hidden, so there is no dead control.
(function () {
  "use strict";
  var wrap = document.querySelector(".site-search");
  var input = document.getElementById("site-search");
  var panel = document.getElementById("search-results");
  if (!wrap || !input || !panel || !window.fetch) return;

  var root = document.documentElement.getAttribute("data-root") || "";
  var MAX_PAGES = 12;
  var MAX_EXPANSIONS = 60;
  var index = null;
  var shards = {};
  var texts = {};
  var active = -1;
  var options = [];
  var seq = 0;

  wrap.hidden = false;
  var listbox = document.createElement("div");
  listbox.id = "search-listbox";
  listbox.setAttribute("role", "listbox");
  listbox.setAttribute("aria-label", "Search results");
  var status = document.createElement("p");
  status.className = "search-status";
  status.setAttribute("role", "status");
  panel.appendChild(status);
  panel.appendChild(listbox);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-controls", "search-listbox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");

  function getJSON(path) {
    return fetch(root + path).then(function (r) {
      if (!r.ok) throw new Error(path + ": " + r.status);
      return r.json();
    });
  }

  function loadIndex() {
    if (!index) {
      index = getJSON("search/index.json").then(function (data) {
        // Each section's place within its page, for the page's snippet file.
        var counts = {};
        data.sections.forEach(function (s) {
          var p = s[0];
          s.push(counts[p] = (counts[p] || 0));
          counts[p] += 1;
        });
        data.shardSet = {};
        data.shards.forEach(function (k) { data.shardSet[k] = true; });
        return data;
      });
    }
    return index;
  }

  // The same words as the index: lowercase runs of letters and digits, no one-letter ASCII
  // words, nothing over 32 characters (src/render/search.rs, `tokens`).
  function tokens(text) {
    var words = text.toLowerCase().match(/[\p{Alphabetic}\p{N}]+/gu) || [];
    return words.filter(function (w) {
      var n = Array.from(w).length;
      return !(n === 1 && w.charCodeAt(0) < 128) && n <= 32;
    });
  }

  function shardKey(word) {
    var c = Array.from(word)[0];
    return /^[a-z0-9]$/.test(c) ? c : "u" + c.codePointAt(0).toString(16);
  }

  function shard(data, word) {
    var key = shardKey(word);
    if (!data.shardSet[key]) return Promise.resolve({});
    if (!shards[key]) shards[key] = getJSON("search/terms/" + key + ".json");
    return shards[key];
  }

  // Section → weight for one query word; the last word also matches as a prefix.
  function postings(terms, word, prefix) {
    var hits = {};
    function add(list, factor) {
      for (var i = 0; i < list.length; i += 2) {
        var w = list[i + 1] * factor;
        if (!(hits[list[i]] >= w)) hits[list[i]] = w;
      }
    }
    if (terms[word]) add(terms[word], 1);
    if (prefix) {
      var n = 0;
      for (var term in terms) {
        if (term !== word && term.lastIndexOf(word, 0) === 0) {
          add(terms[term], 0.7);
          if (++n >= MAX_EXPANSIONS) break;
        }
      }
    }
    return hits;
  }

  // Pages holding every word, best first, each with its best section.
  function rank(data, perWord) {
    var pages = null;
    perWord.forEach(function (hits) {
      var byPage = {};
      for (var s in hits) {
        var p = data.sections[s][0];
        (byPage[p] = byPage[p] || {})[s] = hits[s];
      }
      var df = Object.keys(byPage).length;
      var idf = Math.log(1 + data.pages.length / Math.max(df, 1));
      var next = {};
      for (var page in byPage) {
        if (pages && !pages[page]) continue;
        var entry = pages ? pages[page] : { score: 0, sections: {} };
        var best = 0;
        for (var sec in byPage[page]) {
          var w = byPage[page][sec] * idf;
          best = Math.max(best, w);
          entry.sections[sec] = (entry.sections[sec] || 0) + w;
        }
        entry.score += best;
        next[page] = entry;
      }
      pages = next;
    });
    return Object.keys(pages || {}).map(function (p) {
      var e = pages[p];
      var best = null;
      for (var s in e.sections) {
        if (best === null || e.sections[s] > e.sections[best]) best = s;
      }
      return { page: +p, score: e.score, section: +best };
    }).sort(function (a, b) { return b.score - a.score || a.page - b.page; });
  }

  function search(query) {
    var words = tokens(query);
    var prefix = !/[^\p{Alphabetic}\p{N}]$/u.test(query);
    if (!words.length) return Promise.resolve(null);
    return loadIndex().then(function (data) {
      return Promise.all(words.map(function (w) { return shard(data, w); })).then(function (terms) {
        var perWord = words.map(function (w, i) {
          return postings(terms[i], w, prefix && i === words.length - 1);
        });
        return { data: data, words: words, results: rank(data, perWord).slice(0, MAX_PAGES) };
      });
    });
  }

  // The snippet texts of `page`'s sections, from the file it shares with its project.
  function pageText(data, page) {
    var x = data.pages[page].x;
    if (!texts[x]) {
      texts[x] = getJSON("search/text/" + x + ".json").catch(function () { return {}; });
    }
    return texts[x].then(function (file) { return file[page] || []; });
  }

  // A short stretch of `text` around the first query word, the words marked. Words match at
  // their start only, as in the index ("harbor" is not marked inside "goharbor").
  function snippet(text, words) {
    var re = new RegExp("(?<![\\p{Alphabetic}\\p{N}])(?:" + words.join("|") +
      ")[\\p{Alphabetic}\\p{N}]*", "giu");
    var first = re.exec(text);
    var at = first ? first.index : 0;
    var start = at > 60 ? text.indexOf(" ", at - 60) + 1 : 0;
    if (start > at) start = at;
    var piece = (start > 0 ? "…" : "") + text.slice(start, start + 180) +
      (start + 180 < text.length ? "…" : "");
    var span = document.createElement("span");
    span.className = "search-snippet";
    var last = 0;
    re.lastIndex = 0;
    piece.replace(re, function (m, offset) {
      span.appendChild(document.createTextNode(piece.slice(last, offset)));
      var mark = document.createElement("mark");
      mark.textContent = m;
      span.appendChild(mark);
      last = offset + m.length;
      return m;
    });
    span.appendChild(document.createTextNode(piece.slice(last)));
    return span;
  }

  function option(found, result, text, n) {
    var page = found.data.pages[result.page];
    var sec = found.data.sections[result.section];
    var a = document.createElement("a");
    a.setAttribute("role", "option");
    a.setAttribute("aria-selected", "false");
    a.id = "search-option-" + n;
    a.tabIndex = -1;
    a.href = root + page.u + (sec[2] ? "#" + sec[2] : "");
    var title = document.createElement("span");
    title.className = "search-title";
    title.textContent = page.t + (sec[1] ? " › " + sec[1] : "");
    var kind = document.createElement("span");
    kind.className = "search-kind";
    kind.textContent = page.k;
    a.appendChild(title);
    a.appendChild(kind);
    if (text) a.appendChild(snippet(text, found.words));
    return a;
  }

  function show(found) {
    listbox.textContent = "";
    options = [];
    active = -1;
    input.removeAttribute("aria-activedescendant");
    if (!found) return close();
    var pages = found.results.map(function (r) { return r.page; });
    return Promise.all(pages.map(function (p) { return pageText(found.data, p); })).then(function (all) {
      var groups = {};
      var order = [];
      found.results.forEach(function (r, i) {
        var g = found.data.pages[r.page].g;
        if (!groups[g]) {
          order.push(g);
          groups[g] = document.createElement("div");
          groups[g].setAttribute("role", "group");
          groups[g].setAttribute("aria-label", g);
          var label = document.createElement("div");
          label.className = "search-group";
          label.setAttribute("aria-hidden", "true");
          label.textContent = g;
          groups[g].appendChild(label);
        }
        var text = all[i][found.data.sections[r.section][3]] || "";
        var opt = option(found, r, text, options.length);
        options.push(opt);
        groups[g].appendChild(opt);
      });
      order.forEach(function (g) { listbox.appendChild(groups[g]); });
      var n = found.results.length;
      // An empty listbox is not a valid one: hidden until it has options.
      listbox.hidden = n === 0;
      status.textContent = n ? n + (n === 1 ? " result" : " results") : "No results";
      open();
    });
  }

  function open() {
    panel.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function close() {
    panel.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function move(step) {
    if (!options.length) return;
    if (active >= 0) options[active].setAttribute("aria-selected", "false");
    active = (active + step + options.length) % options.length;
    var opt = options[active];
    opt.setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", opt.id);
    opt.scrollIntoView({ block: "nearest" });
  }

  function run() {
    var mine = ++seq;
    search(input.value).then(function (found) {
      if (mine === seq) return show(found);
    }).catch(function () {
      status.textContent = "Search is unavailable: the index could not be loaded.";
      open();
    });
  }

  var timer = 0;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 60);
  });
  input.addEventListener("focus", function () {
    loadIndex().catch(function () {});
    if (input.value && options.length) open();
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (panel.hidden && input.value) open();
      move(e.key === "ArrowDown" ? 1 : -1);
    } else if (e.key === "Enter") {
      var opt = options[active >= 0 ? active : 0];
      if (opt && !panel.hidden) {
        e.preventDefault();
        window.location.href = opt.href;
      }
    } else if (e.key === "Escape") {
      if (!panel.hidden) close();
      else input.value = "";
    }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    var tag = t && t.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (t && t.isContentEditable)) return;
    e.preventDefault();
    input.focus();
    input.select();
  });
  document.addEventListener("click", function (e) {
    if (!wrap.contains(e.target)) close();
  });
})();
