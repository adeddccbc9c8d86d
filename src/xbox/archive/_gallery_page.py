"""The gallery's entry page: ``index.html``, its styles and its script (static text).

The page holds no capture: it loads ``.gallery/manifest.js`` (the months, their games and
counts) and ``.gallery/status.js`` (the at-risk banner) with ``<script src>``, then each
month's ``.gallery/m/YYYY-MM.js`` only when it is shown or searched (``file://`` pages cannot
``fetch()`` in Chromium; a ``<script>`` can). The data files call ``XG.manifest``,
``XG.status`` and ``XG.month``, defined by the first inline script, so that the order they
arrive in never matters. Cards exist only once the script that opens them in the viewer
runs: a click never falls through to the raw file. Without script, ``<noscript>`` says so.
"""

from __future__ import annotations

import html

#: Fields of one capture in a month's data file, in order (the script's R_* indices).
RECORD_FIELDS = ("id", "kind", "game", "recorded", "duration", "size", "url", "thumbnail",
                 "sidecar", "caption", "gamertag")

CSP = ("default-src 'none'; img-src 'self' file: data:; media-src 'self' file:; "
       "style-src 'unsafe-inline'; script-src 'unsafe-inline' 'self' file:")

CSS = """
:root { color-scheme: light dark; --bg: #f4f4f2; --fg: #1b1b1b; --muted: #666; --card: #fff;
  --line: #d8d8d8; --accent: #107c10; --warn: #b35c00; --bad: #b00020; }
@media (prefers-color-scheme: dark) { :root { --bg: #141414; --fg: #eee; --muted: #aaa;
  --card: #222; --line: #333; --accent: #5dc25d; --warn: #f0a040; --bad: #ff6b7f; } }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  background: var(--bg); color: var(--fg); }
header { padding: 10px 16px 0; }
header h1 { font-size: 1.25rem; margin: 0 0 2px; }
header p.summary { margin: 0 0 8px; color: var(--muted); }
.banner { border-left: 5px solid var(--accent); background: var(--card); padding: 6px 12px;
  margin: 0 0 8px; border-radius: 6px; }
.banner.warn { border-color: var(--warn); } .banner.bad { border-color: var(--bad); }
.banner h2 { font-size: 1rem; margin: 0; }
.banner ul { margin: 4px 0 0; padding-left: 20px; }
.banner code { font-size: .9em; overflow-wrap: anywhere; }
.banner details { margin-top: 4px; } .banner summary { cursor: pointer; }
form.tools { position: sticky; top: 0; z-index: 2; display: flex; flex-wrap: wrap; gap: 6px 10px;
  align-items: center; padding: 6px 16px; background: var(--bg); border-bottom: 1px solid var(--line); }
form.tools label { display: inline-flex; gap: 4px; align-items: center; color: var(--muted); }
form.tools input, form.tools select, form.tools button { font: inherit; color: var(--fg);
  background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 3px 6px; }
form.tools input[type=search] { width: 14em; }
form.tools select.game { max-width: 16em; }
.toggle { display: inline-flex; border: 1px solid var(--line); border-radius: 6px; overflow: hidden; }
.toggle label { padding: 3px 8px; cursor: pointer; color: var(--fg); }
.toggle input { position: absolute; opacity: 0; pointer-events: none; }
.toggle label:has(input:checked) { background: var(--accent); color: #fff; }
.count { color: var(--muted); margin-left: auto; font-variant-numeric: tabular-nums; }
main { padding: 4px 16px 24px; }
section.group > h2 { font-size: 1.05rem; margin: 14px 0 6px; display: flex; gap: 8px;
  align-items: baseline; }
section.group > h2 small { color: var(--muted); font-weight: normal; font-size: .85rem; }
section.group h3 { font-size: .85rem; color: var(--muted); margin: 8px 0 4px; font-weight: 600; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(176px, 1fr)); gap: 4px; }
@media (max-width: 520px) { .grid { grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 3px; }
  header, main { padding-left: 8px; padding-right: 8px; }
  form.tools { position: static; padding: 6px 8px; }
  form.tools input[type=search] { width: 100%; } .count { margin-left: 0; } }
a.open { position: relative; display: block; aspect-ratio: 16 / 9; background: #000;
  border-radius: 4px; overflow: hidden; color: #fff; text-decoration: none; }
a.open:focus-visible { outline: 3px solid var(--accent); outline-offset: 1px; }
a.open img { width: 100%; height: 100%; object-fit: cover; display: block; }
a.open .noimg { display: flex; align-items: center; justify-content: center; height: 100%;
  padding: 4px; text-align: center; color: #ccc; font-size: .8rem; }
a.open .tag { position: absolute; left: 0; right: 0; bottom: 0; padding: 10px 5px 2px;
  font-size: .72rem; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  background: linear-gradient(transparent, rgba(0,0,0,.75)); }
.badge { position: absolute; right: 4px; top: 4px; background: rgba(0,0,0,.75); color: #fff;
  font-size: .72rem; padding: 0 5px; border-radius: 4px; font-variant-numeric: tabular-nums; }
.note { color: var(--muted); padding: 12px 0; }
#sentinel { height: 1px; }
dialog { border: 0; padding: 0; background: #000; color: #eee; width: min(1100px, 96vw);
  max-width: 96vw; max-height: 94vh; overflow: auto; }
dialog::backdrop { background: rgba(0,0,0,.85); }
.stage { position: relative; background: #000; }
.stage video, .stage img { display: block; width: 100%; max-height: 76vh; object-fit: contain;
  background: #000; }
.stage button { position: absolute; top: 50%; transform: translateY(-50%); font-size: 2rem;
  line-height: 1; padding: 8px 12px; color: #fff; background: rgba(0,0,0,.45); border: 0;
  border-radius: 6px; cursor: pointer; }
.stage button.prev { left: 6px; } .stage button.next { right: 6px; }
.stage button:disabled { opacity: .2; cursor: default; }
.info { padding: 8px 12px 10px; }
.info h2 { font-size: 1.05rem; margin: 0 0 2px; overflow-wrap: anywhere; }
.info p { margin: 2px 0; color: #bbb; }
.info .links { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; }
.info a, .info button { color: #8fd88f; background: none; border: 0; font: inherit; padding: 0;
  cursor: pointer; }
.info .pos { margin-left: auto; color: #999; font-variant-numeric: tabular-nums; }
footer { color: var(--muted); font-size: .8rem; text-align: center; padding: 16px 0; }
"""

# The first inline script: where the data files put what they hold (in any order).
BOOT = """var XG = {m: null, s: null, d: {}, onmonth: null,
  manifest: function (x) { XG.m = x; }, status: function (x) { XG.s = x; },
  month: function (k, r) { XG.d[k] = r; if (XG.onmonth) { XG.onmonth(k); } }};"""

SCRIPT = r"""
(function () {
  'use strict';
  var R_ID = 0, R_KIND = 1, R_GAME = 2, R_WHEN = 3, R_DUR = 4, R_SIZE = 5, R_URL = 6,
      R_THUMB = 7, R_META = 8, R_CAPTION = 9, R_OWNER = 10;
  var CHUNK = 150;  // cards rendered at a time, as the end of the page comes near
  var MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
                'September', 'October', 'November', 'December'];
  var main = document.querySelector('main');
  var form = document.querySelector('form.tools');
  var count = document.querySelector('.count');
  var sentinel = document.getElementById('sentinel');
  var dialog = document.getElementById('viewer');
  var video = dialog.querySelector('video');
  var image = dialog.querySelector('img');
  var M = XG.m;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function duration(s) {
    if (!s) { return ''; }
    s = Math.round(s);
    var h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), r = s % 60;
    var mm = h ? String(m).padStart(2, '0') : String(m);
    return (h ? h + ':' : '') + mm + ':' + String(r).padStart(2, '0');
  }
  function bytes(n) {
    if (!n) { return ''; }
    var units = ['bytes', 'KB', 'MB', 'GB', 'TB'], i = 0;
    while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
    return (i ? n.toFixed(n < 10 ? 1 : 0) : n) + ' ' + units[i];
  }
  function monthName(key) {
    if (key === 'unknown') { return 'Unknown date'; }
    return MONTHS[+key.slice(5, 7) - 1] + ' ' + key.slice(0, 4);
  }
  function shortWhen(w) {
    return w ? +w.slice(8, 10) + ' ' + MONTHS[+w.slice(5, 7) - 1].slice(0, 3) + ' ' + w.slice(11, 16) : '';
  }
  function longWhen(w) { return w ? w.slice(0, 10) + ' ' + w.slice(11, 16) + ' UTC' : 'unknown date'; }
  function kindName(r) { return r[R_KIND] === 'c' ? 'Clip' : 'Screenshot'; }

  if (!M) {
    main.appendChild(el('p', 'note', 'The gallery\u2019s data (the .gallery folder beside this ' +
      'page) is missing: run xbox archive again to write it.'));
    form.hidden = true;
    return;
  }

  // -- the banner: what is at risk (days left are counted now, as the page is read) ------
  (function banner(s) {
    if (!s) { return; }
    var box = document.getElementById('status');
    box.className = 'banner ' + s.level;
    box.appendChild(el('h2', '', s.heading));
    if (s.lines.length) {
      var ul = el('ul');
      s.lines.forEach(function (line) { ul.appendChild(el('li', '', line)); });
      box.appendChild(ul);
    }
    if (s.at_risk.length) {
      var details = el('details');
      details.appendChild(el('summary', '', 'The ' + s.at_risk_total + ' captures at risk, soonest first'));
      var list = el('ul', 'at-risk');
      s.at_risk.forEach(function (r) {
        var left = (Date.parse(r.expires) - Date.now()) / 86400000, said;
        if (left > 0) { said = left.toFixed(1) + ' days left'; }
        else if (r.still_listed) { said = 'overdue, still listed'; }
        else if (r.listed) { said = 'overdue, not listed since ' + r.listed; }
        else { said = 'overdue'; }
        var li = el('li');
        li.appendChild(el('code', '', r.id));
        li.appendChild(document.createTextNode(
          ' ' + r.kind + ' of ' + r.title + ' (' + r.gamertag + '): ' + said));
        list.appendChild(li);
      });
      if (s.at_risk_total > s.at_risk.length) {
        var more = el('li', '', 'and ' + (s.at_risk_total - s.at_risk.length) + ' more: ');
        more.appendChild(el('code', '', 'xbox archive status'));
        more.appendChild(document.createTextNode(' lists them'));
        list.appendChild(more);
      }
      details.appendChild(list);
      box.appendChild(details);
    }
    box.hidden = false;
  })(XG.s);

  var owners = M.owners.length ? M.owners.join(', ') : 'nobody yet';
  document.title = 'Xbox captures of ' + owners;
  document.querySelector('header h1').textContent = 'Xbox captures of ' + owners;
  document.querySelector('header p.summary').textContent = M.clips + ' clips and ' + M.screenshots +
    ' screenshots; times are UTC.';

  // -- games, from the months' summaries: newest capture first --------------------------
  var games = {}, gameOrder = [];
  M.months.forEach(function (m) {
    Object.keys(m.games).forEach(function (name) {
      var g = games[name];
      if (!g) { g = games[name] = {name: name, n: 0, months: []}; gameOrder.push(g); }
      g.n += m.games[name][0];
      g.months.push(m.key);
    });
  });
  var byMonth = {};
  M.months.forEach(function (m) { byMonth[m.key] = m; });
  var gameSelect = form.querySelector('select.game');
  gameOrder.slice().sort(function (a, b) { return a.name.localeCompare(b.name); })
    .forEach(function (g) {
      var o = el('option', '', g.name + ' (' + g.n + ')');
      o.value = g.name;
      gameSelect.appendChild(o);
    });
  var known = M.months.filter(function (m) { return m.key !== 'unknown'; });
  if (known.length) {
    form.querySelectorAll('input[type=month]').forEach(function (i) {
      i.min = known[known.length - 1].key; i.max = known[0].key;
    });
  }

  // -- the choice, kept in the URL (#by=game&game=...&type=clip&from=...&to=...&q=...) ---
  var state = {};
  function readHash() {
    var p = new URLSearchParams(location.hash.slice(1));
    var type = p.get('type');
    return {by: p.get('by') === 'game' ? 'game' : 'month', game: p.get('game') || '',
            type: type === 'clip' || type === 'screenshot' ? type : '',
            from: p.get('from') || '', to: p.get('to') || '', q: p.get('q') || ''};
  }
  function hashOf(s) {
    var p = new URLSearchParams();
    if (s.by === 'game') { p.set('by', 'game'); }
    ['game', 'type', 'from', 'to', 'q'].forEach(function (k) { if (s[k]) { p.set(k, s[k]); } });
    var text = p.toString();
    return text ? '#' + text : '';
  }
  function toForm(s) {
    form.querySelector('input[name=by][value=' + s.by + ']').checked = true;
    if (s.game && !games[s.game]) {
      var o = el('option', '', s.game + ' (0)'); o.value = s.game; gameSelect.appendChild(o);
    }
    gameSelect.value = s.game;
    form.elements.type.value = s.type;
    form.elements.from.value = s.from;
    form.elements.to.value = s.to;
    form.elements.q.value = s.q;
  }
  function fromForm() {
    return {by: form.querySelector('input[name=by]:checked').value, game: gameSelect.value,
            type: form.elements.type.value, from: form.elements.from.value,
            to: form.elements.to.value, q: form.elements.q.value.trim()};
  }

  // -- which months and groups a choice needs (from the manifest, before any data) -------
  function monthWanted(m, s) {
    if ((s.from || s.to) && m.key === 'unknown') { return false; }
    if (s.from && m.key < s.from) { return false; }
    if (s.to && m.key > s.to) { return false; }
    var n = 0, c = 0;
    if (s.game) {
      var g = m.games[s.game];
      if (!g) { return false; }
      n = g[0]; c = g[1];
    } else { n = m.n; c = m.clips; }
    return s.type === 'clip' ? c > 0 : s.type === 'screenshot' ? n - c > 0 : n > 0;
  }
  function expected(s) {  // exact when no text is searched
    if (s.q) { return null; }
    var total = 0;
    M.months.forEach(function (m) {
      if (!monthWanted(m, s)) { return; }
      var g = s.game ? m.games[s.game] : [m.n, m.clips];
      total += s.type === 'clip' ? g[1] : s.type === 'screenshot' ? g[0] - g[1] : g[0];
    });
    return total;
  }
  function plan(s) {
    var months = M.months.filter(function (m) { return monthWanted(m, s); })
      .map(function (m) { return m.key; });
    if (s.by === 'month') {
      return months.map(function (k) { return {label: monthName(k), months: [k], game: null}; });
    }
    var wanted = {};
    months.forEach(function (k) { wanted[k] = true; });
    return gameOrder.filter(function (g) { return !s.game || g.name === s.game; })
      .map(function (g) {
        return {label: g.name, game: g.name, months: g.months.filter(function (k) { return wanted[k]; })};
      }).filter(function (g) { return g.months.length; });
  }
  function matcher(s) {
    var words = s.q.toLowerCase().split(/\s+/).filter(Boolean);
    return function (r, group) {
      if (group.game !== null && r[R_GAME] !== group.game) { return false; }
      if (s.game && r[R_GAME] !== s.game) { return false; }
      if (s.type && (r[R_KIND] === 'c') !== (s.type === 'clip')) { return false; }
      if (words.length) {
        var hay = (r[R_CAPTION] + ' ' + r[R_GAME]).toLowerCase();
        for (var i = 0; i < words.length; i++) { if (hay.indexOf(words[i]) < 0) { return false; } }
      }
      return true;
    };
  }

  // -- loading a month's data: a <script> (works from file://, where fetch() does not) ----
  var loading = {};
  function load(key) {
    if (XG.d[key]) { return Promise.resolve(); }
    if (!loading[key]) {
      loading[key] = new Promise(function (resolve, reject) {
        var m = byMonth[key];
        var tag = document.createElement('script');
        tag.src = '.gallery/m/' + encodeURIComponent(key) + '.js?v=' + m.hash;
        tag.onload = function () { if (XG.d[key]) { resolve(); } else { reject(new Error(key)); } };
        tag.onerror = function () { delete loading[key]; reject(new Error(key)); };
        document.head.appendChild(tag);
      });
    }
    return loading[key];
  }

  // -- rendering, a chunk at a time -------------------------------------------------------
  var run = 0, groups = [], match = null, shown = [], finished = false, busy = false;
  var cur = {g: 0, m: 0, i: 0, list: null, section: null, grid: null, sectionCount: null};
  var exact = null, missing = [];

  function card(r, i) {
    var a = el('a', 'open ' + (r[R_KIND] === 'c' ? 'clip' : 'screenshot'));
    a.href = r[R_URL];
    a.dataset.i = i;
    a.dataset.id = r[R_ID];
    var label = kindName(r) + ' of ' + r[R_GAME] + ', ' + longWhen(r[R_WHEN]) +
      (r[R_CAPTION] ? ': ' + r[R_CAPTION] : '');
    a.title = label;
    var thumb = r[R_THUMB] || (r[R_KIND] === 's' ? r[R_URL] : '');
    if (thumb) {
      var img = el('img');
      img.loading = 'lazy'; img.decoding = 'async'; img.alt = label; img.src = thumb;
      a.appendChild(img);
    } else { a.appendChild(el('span', 'noimg', r[R_GAME])); }
    if (r[R_KIND] === 'c') { a.appendChild(el('span', 'badge', '\u25b6 ' + duration(r[R_DUR]))); }
    var tag = (state.by === 'month' ? r[R_GAME] + ' \u00b7 ' : '') + shortWhen(r[R_WHEN]);
    a.appendChild(el('span', 'tag', r[R_CAPTION] ? tag + ' \u00b7 ' + r[R_CAPTION] : tag));
    return a;
  }
  var marked = false;
  function say() {
    if (!marked && (shown.length || finished)) {
      marked = true;  // the first cards are on the page, and open the viewer (bench/gallery.py)
      performance.mark('xbox-gallery-ready');
    }
    var text = shown.length + (finished ? '' : '+') + ' shown';
    if (exact !== null) { text = (finished ? shown.length : shown.length + ' of ' + exact) + ' captures'; }
    else if (finished) { text = shown.length + (shown.length === 1 ? ' match' : ' matches'); }
    else { text = shown.length + ' found so far, searching\u2026'; }
    if (missing.length) { text += ' (could not read ' + missing.join(', ') + ')'; }
    count.textContent = text;
    if (finished && !shown.length) {
      main.appendChild(el('p', 'note', M.months.length ? 'Nothing matches.' :
        'Nothing archived yet: run xbox archive GAMERTAG.'));
    }
  }
  function pump(budget) {
    var gen = run;
    return new Promise(function (resolve) {
      function step() {
        if (gen !== run) { resolve(false); return; }
        var frag = null, grid = null;
        function flush() { if (frag) { grid.appendChild(frag); frag = null; } }
        while (budget > 0) {
          var g = groups[cur.g];
          if (!g) { flush(); finished = true; say(); resolve(true); return; }
          var key = g.months[cur.m];
          if (key === undefined) { cur.g++; cur.m = 0; cur.list = null; cur.section = null; continue; }
          if (!XG.d[key]) {
            flush();
            load(key).then(step, function () { missing.push(key); cur.m++; cur.list = null; step(); });
            return;
          }
          if (!cur.list) {
            cur.list = XG.d[key].filter(function (r) { return match(r, g); });
            cur.i = 0;
          }
          if (cur.i === 0 && cur.list.length) {
            flush();
            if (!cur.section) {
              cur.section = el('section', 'group');
              var h = el('h2', '', g.label);
              cur.sectionCount = el('small');
              h.appendChild(cur.sectionCount);
              cur.section.appendChild(h);
              cur.section.dataset.count = 0;
              main.appendChild(cur.section);
            }
            if (g.game !== null) { cur.section.appendChild(el('h3', '', monthName(key))); }
            cur.grid = el('div', 'grid');
            cur.section.appendChild(cur.grid);
          }
          var end = Math.min(cur.list.length, cur.i + budget);
          if (end > cur.i) {
            if (!frag) { frag = document.createDocumentFragment(); grid = cur.grid; }
            for (var i = cur.i; i < end; i++) {
              frag.appendChild(card(cur.list[i], shown.length));
              shown.push(cur.list[i]);
            }
            var n = +cur.section.dataset.count + end - cur.i;
            cur.section.dataset.count = n;
            cur.sectionCount.textContent = n + (n === 1 ? ' capture' : ' captures');
          }
          budget -= end - cur.i;
          cur.i = end;
          if (cur.i >= cur.list.length) { flush(); cur.m++; cur.list = null; }
        }
        flush();
        say();
        // Fetch the next month now, so that scrolling on does not wait for it.
        var next = groups[cur.g] && groups[cur.g].months[cur.m + (cur.list ? 0 : 0)];
        if (next && !XG.d[next]) { load(next).catch(function () {}); }
        resolve(true);
      }
      step();
    });
  }
  function nearEnd() { return sentinel.getBoundingClientRect().top < innerHeight + 1500; }
  function more() {
    if (busy || finished) { return; }
    busy = true;
    var gen = run;
    pump(CHUNK).then(function () {
      if (gen !== run) { return; }
      busy = false;
      if (!finished && nearEnd()) { requestAnimationFrame(more); }
    });
  }
  function apply(s) {
    state = s;
    run++;
    busy = false; finished = false; shown = []; missing = [];
    cur = {g: 0, m: 0, i: 0, list: null, section: null, grid: null, sectionCount: null};
    groups = plan(s);
    match = matcher(s);
    exact = expected(s);
    main.textContent = '';
    if (dialog.open) { dialog.close(); }
    more();
  }
  new IntersectionObserver(function (entries) {
    if (entries[0].isIntersecting) { more(); }
  }, {rootMargin: '1500px'}).observe(sentinel);

  var typing = null;
  form.addEventListener('submit', function (e) { e.preventDefault(); });
  form.addEventListener('input', function (e) {
    clearTimeout(typing);
    typing = setTimeout(function () {
      var s = fromForm();
      history.replaceState(null, '', hashOf(s) || location.pathname + location.search);
      apply(s);
    }, e.target.name === 'q' ? 250 : 0);
  });
  form.querySelector('button.reset').addEventListener('click', function () {
    var s = {by: state.by, game: '', type: '', from: '', to: '', q: ''};
    toForm(s);
    history.replaceState(null, '', hashOf(s) || location.pathname + location.search);
    apply(s);
  });
  window.addEventListener('hashchange', function () {
    var s = readHash();
    if (hashOf(s) !== hashOf(state)) { toForm(s); apply(s); }
  });

  // -- the viewer: one capture at a time, the right element for its kind ------------------
  var at = -1;
  var info = {
    caption: dialog.querySelector('.caption'), meta: dialog.querySelector('.meta'),
    file: dialog.querySelector('a.file'), sidecar: dialog.querySelector('a.sidecar'),
    pos: dialog.querySelector('.pos'), prev: dialog.querySelector('button.prev'),
    next: dialog.querySelector('button.next')};
  function clear() {
    // Nothing of the previous capture stays: no source, no frame, no picture.
    video.pause();
    video.removeAttribute('src');
    video.removeAttribute('poster');
    video.load();
    image.removeAttribute('src');
    image.alt = '';
  }
  function show(i) {
    var r = shown[i];
    if (!r) { return; }
    at = i;
    clear();
    var clip = r[R_KIND] === 'c';
    video.hidden = !clip;
    image.hidden = clip;
    if (clip) {
      if (r[R_THUMB]) { video.poster = r[R_THUMB]; }
      video.src = r[R_URL];
      video.play().catch(function () {});
    } else {
      image.alt = 'Screenshot of ' + r[R_GAME];
      image.src = r[R_URL];
    }
    info.caption.textContent = r[R_CAPTION] || kindName(r) + ' of ' + r[R_GAME];
    var parts = [r[R_GAME], longWhen(r[R_WHEN])];
    if (clip && r[R_DUR]) { parts.push(duration(r[R_DUR])); }
    if (r[R_SIZE]) { parts.push(bytes(r[R_SIZE])); }
    if (M.owners.length > 1 && r[R_OWNER]) { parts.push(r[R_OWNER]); }
    info.meta.textContent = kindName(r) + ' \u00b7 ' + parts.join(' \u00b7 ');
    info.file.href = r[R_URL];
    info.sidecar.hidden = !r[R_META];
    if (r[R_META]) { info.sidecar.href = r[R_META]; }
    info.pos.textContent = (i + 1) + ' of ' + (exact !== null ? exact : shown.length + (finished ? '' : '+'));
    info.prev.disabled = i === 0;
    info.next.disabled = finished && i === shown.length - 1;
    dialog.dataset.id = r[R_ID];
    if (!dialog.open) { dialog.showModal(); }
  }
  function step(delta) {
    var i = at + delta;
    if (i < 0) { return; }
    if (i < shown.length) { show(i); return; }
    if (finished) { return; }
    var gen = run;
    pump(CHUNK).then(function () { if (gen === run && i < shown.length) { show(i); } });
  }
  document.addEventListener('click', function (e) {
    var a = e.target.closest && e.target.closest('a.open');
    if (!a || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) { return; }
    e.preventDefault();
    show(+a.dataset.i);
  });
  info.prev.addEventListener('click', function () { step(-1); });
  info.next.addEventListener('click', function () { step(1); });
  dialog.querySelector('button.close').addEventListener('click', function () { dialog.close(); });
  dialog.addEventListener('close', function () {
    clear();
    var a = main.querySelector('a.open[data-i="' + at + '"]');
    if (a) { a.focus({preventScroll: false}); }
  });
  // On the document, whatever has the focus (the video's own controls would seek instead).
  document.addEventListener('keydown', function (e) {
    if (!dialog.open || e.altKey || e.ctrlKey || e.metaKey) { return; }
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      e.stopPropagation();
      step(e.key === 'ArrowRight' ? 1 : -1);
    }
  }, true);

  state = readHash();
  toForm(state);
  apply(state);
})();
"""


def index_page(folder_name: str) -> str:
    """``index.html``: the same for every archive of one folder name (no capture in it)."""
    name = html.escape(folder_name)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="generator" content="xbox archive">
<title>Xbox captures</title>
<style>{CSS}</style>
<script>{BOOT}</script>
<script src=".gallery/manifest.js"></script>
<script src=".gallery/status.js"></script>
</head>
<body>
<header>
<h1>Xbox captures</h1>
<p class="summary">in {name}</p>
<div class="banner" id="status" hidden></div>
</header>
<form class="tools" autocomplete="off">
<span class="toggle" role="radiogroup" aria-label="group by"><label><input type="radio" name="by"
value="month" checked>by month</label><label><input type="radio" name="by" value="game">by
game</label></span>
<label>game <select class="game" name="game"><option value="">all games</option></select></label>
<label>type <select name="type"><option value="">clips and screenshots</option>
<option value="clip">clips</option><option value="screenshot">screenshots</option></select></label>
<label>from <input type="month" name="from"></label>
<label>to <input type="month" name="to"></label>
<input type="search" name="q" placeholder="search captions and games" aria-label="search">
<button type="button" class="reset">clear</button>
<span class="count" aria-live="polite"></span>
</form>
<main>
<noscript><p class="note">The gallery needs JavaScript. The captures themselves are the files in
the folders beside this page.</p></noscript>
</main>
<div id="sentinel"></div>
<dialog id="viewer" aria-label="capture">
<div class="stage"><video controls playsinline preload="metadata" hidden></video><img alt="" hidden>
<button type="button" class="prev" aria-label="previous (left arrow)">&#8249;</button>
<button type="button" class="next" aria-label="next (right arrow)">&#8250;</button></div>
<div class="info"><h2 class="caption"></h2><p class="meta"></p>
<p class="links"><a class="file" href="#">open the file</a><a class="sidecar" href="#">metadata</a>
<span class="pos"></span><button type="button" class="close"
aria-label="close (Escape)">close &#10005;</button></p></div>
</dialog>
<footer>Made by <code>xbox archive</code>; a run rewrites only what changed.</footer>
<script>{SCRIPT}</script>
</body>
</html>
"""
