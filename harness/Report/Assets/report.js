// The interactive part of the diff report: the page tables and descriptor tables of both kernels at the
// checkpoint chosen in #cp-select. Each checkpoint's state is its own JSON block (#cp-N), parsed only when
// chosen; a page table's entries are rendered only when its node is opened (nodes that hold a marked
// difference are opened from the start).
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('report-data').textContent);
  var cache = {};
  function block(i) {
    if (!(i in cache)) cache[i] = JSON.parse(document.getElementById('cp-' + i).textContent);
    return cache[i];
  }

  // ---- helpers -------------------------------------------------------------------------------
  var ADDR = 0x000FFFFFFFFFF000n, COUNTER = 0x3FF0000000000000n;
  var RANK = { raw: 1, accepted: 2, diverged: 3 };
  function worse(a, b) { return (RANK[b] || 0) > (RANK[a] || 0) ? b : a; }
  function esc(s) { return String(s).replace(/[&<>"]/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; }); }
  function hx(v) { return '0x' + v.toString(16); }
  function canon(v) { v &= 0xFFFFFFFFFFFFn; return (v & 0x800000000000n) ? (v | 0xFFFF000000000000n) : v; }
  function span(level) { return 1n << BigInt(12 + 9 * (level - 1)); }          // bytes one entry maps
  function tableKey(level, va) { return level + ':' + hx(va); }
  function containing(level, va) { return tableKey(level, canon(va & ~(span(level) * 512n - 1n))); }
  function inRange(r, v) { return r && v >= BigInt(r[0]) && v < BigInt(r[1]); }
  function badge(st) { return st ? '<span class="badge ' + st + '">' + (st === 'raw' ? 'raw differs' : st) + '</span>' : ''; }
  var LEVEL_NAME = { 4: 'PML4', 3: 'PDPT', 2: 'PD', 1: 'PT' };
  var PAT_TYPES = { 0: 'UC', 1: 'WC', 4: 'WT', 5: 'WP', 6: 'WB', 7: 'UC-' };

  // ---- marks: the diff's differences at this checkpoint, by what they name ----------------------
  function parseMarks(marks) {
    var m = { table: {}, entry: {}, leaf: {}, subtree: {}, ptOther: [], desc: [], descOther: [] };
    function up(key, st) { m.subtree[key] = worse(m.subtree[key], st); }
    function ancestors(level, va, st) { for (var l = level; l <= 4; l++) up(containing(l, va), st); }
    marks.forEach(function (x) {
      var path = x[0], st = x[1], r;
      if ((r = /^page_tables\.table\[L(\d) (0x[0-9a-f]+)\](\.count)?$/.exec(path))) {
        var lv = +r[1], va = canon(BigInt(r[2]));
        m.table[tableKey(lv, va)] = worse(m.table[tableKey(lv, va)], st);
        up(tableKey(lv, va), st); ancestors(lv + 1, va, st);
      } else if ((r = /^page_tables\.entry\[L(\d) (0x[0-9a-f]+) #(\d+)\]$/.exec(path))) {
        var l2 = +r[1], tva = canon(BigInt(r[2]));
        m.entry[tableKey(l2, tva) + '#' + r[3]] = st;
        up(tableKey(l2, tva), st); ancestors(l2 + 1, tva, st);
      } else if ((r = /^page_tables\.leaf\[(0x[0-9a-f]+)\]$/.exec(path))) {
        var lva = canon(BigInt(r[1]));
        m.leaf[hx(lva)] = st; ancestors(1, lva, st);
      } else if (path.indexOf('page_tables.') === 0) {
        m.ptOther.push(x);
      } else {
        m.desc.push(x);
      }
    });
    return m;
  }
  function descMark(m, prefix) {
    var st = null;
    m.desc.forEach(function (x) { if (x[0] === prefix || x[0].indexOf(prefix + '.') === 0) st = worse(st, x[1]); });
    m.ptOther.forEach(function (x) { if (x[0] === prefix) st = worse(st, x[1]); });
    return st;
  }

  // ---- page tables ---------------------------------------------------------------------------
  function tablesOf(side) {
    var map = new Map();
    if (!side || !side.pt) return map;
    side.pt.tables.forEach(function (t) {
      var va = canon(BigInt(t.va)), key = tableKey(t.l, va);
      if (map.has(key)) return;
      var e = new Map();
      t.e.forEach(function (x) { e.set(x[0], BigInt(x[1])); });
      map.set(key, { level: t.l, va: va, frame: BigInt(t.f), e: e, counter: e.has(0) ? (e.get(0) & COUNTER) >> 52n : 0n });
    });
    return map;
  }

  function entryInfo(level, tva, idx, raw, layout, classified) {
    if (raw === undefined) return null;
    if (idx === 0) raw &= ~COUNTER;
    if (raw === 0n) return null;
    var va = canon(tva + BigInt(idx) * span(level));
    var huge = (level === 2 || level === 3) && (raw & 0x80n) !== 0n;
    var leaf = level === 1 || huge;
    var pa = raw & (huge ? (level === 2 ? 0x000FFFFFFFE00000n : 0x000FFFFFC0000000n) : ADDR);
    var cls = null;
    if (level === 1 && (inRange(layout.imageVirt, va) || inRange(layout.linkRange, va) || inRange(layout.imagePhys, pa))) {
      cls = 'image';
      if (classified) {
        cls = 'other';
        for (var c in layout.sections) if (inRange(layout.sections[c], va)) { cls = c; break; }
      }
    }
    return { raw: raw, va: va, pa: pa, leaf: leaf, huge: huge, level: level, flags: raw & ~(huge ? (level === 2 ? 0x000FFFFFFFE00000n : 0x000FFFFFC0000000n) : ADDR), cls: cls, recursive: level === 4 && idx === 511 };
  }

  function flagsHtml(info, pat) {
    if (!info) return '';
    var r = info.raw, out = [];
    function bit(n) { return (r >> BigInt(n)) & 1n; }
    var names = [['P', 0], ['W', 1], ['U', 2], ['PWT', 3], ['PCD', 4], ['A', 5], ['D', 6]];
    if (info.leaf && info.level === 1) names.push(['PAT', 7]);
    if (info.huge) names.push(['HUGE', 7]);
    if (info.huge) names.push(['PAT', 12]);
    names.push(['G', 8]);
    names.forEach(function (n) { if (bit(n[1])) out.push('<span class="flag">' + n[0] + '</span>'); });
    if (bit(63)) out.push('<span class="flag">NX</span>');
    var avl = r & 0x7FF0000000000E00n;
    if (avl) out.push('<span class="flag off">avl ' + hx(avl) + '</span>');
    if (info.leaf) {
      var idx = Number((info.level === 1 ? bit(7) : bit(12)) * 4n + bit(4) * 2n + bit(3));
      var t = '';
      if (pat) t = ' ' + (PAT_TYPES[Number((BigInt(pat) >> BigInt(8 * idx)) & 7n)] || '?');
      out.push('<span class="flag off" title="PAT index = PAT·4 + PCD·2 + PWT">PAT' + idx + t + '</span>');
    }
    return out.join(' ');
  }

  function sameShape(run, a, b, k, st) {
    function cont(first, x) {
      if (!first || !x) return !first && !x;
      return x.leaf && first.leaf && x.flags === first.flags && x.cls === first.cls && x.pa === first.pa + BigInt(k) * span(first.level);
    }
    return run.st === st && cont(run.a, a) && cont(run.b, b);
  }

  function leafCells(info, count, pat) {
    if (!info) return '<td class="sep muted">—</td><td></td><td></td>';
    var pa = hx(info.pa) + (count > 1 ? ' … ' + hx(info.pa + BigInt(count - 1) * span(info.level)) : '');
    return '<td class="sep">' + pa + (info.huge ? (info.level === 2 ? ' (2 MiB)' : ' (1 GiB)') : '') + '</td><td>' + flagsHtml(info, pat) +
      '</td><td>' + (info.cls ? '<span class="cls">' + esc(info.cls) + '</span>' : '') + '</td>';
  }

  function tableBody(ctx, key) {
    var ta = ctx.A.get(key), tb = ctx.B.get(key), t = ta || tb;
    var level = t.level, tva = t.va;
    var idx = new Set();
    if (ta) ta.e.forEach(function (_, i) { idx.add(i); });
    if (tb) tb.e.forEach(function (_, i) { idx.add(i); });
    var order = Array.from(idx).sort(function (x, y) { return x - y; });
    var out = [], rows = [], run = null;
    function flush() {
      if (!run) return;
      var n = run.count;
      var va = run.a ? run.a.va : run.b.va;
      rows.push('<tr class="' + (run.st ? 'mark-' + run.st : '') + '"><td>#' + run.start + (n > 1 ? '–#' + (run.start + n - 1) + ' <span class="muted">(' + n + ')</span>' : '') +
        '</td><td>' + hx(va) + '</td>' + leafCells(run.a, n, ctx.patA) + leafCells(run.b, n, ctx.patB) + '<td>' + badge(run.st) + '</td></tr>');
      run = null;
    }
    // Leaf rows go into tables; each link to a lower table closes the current one and becomes a node of its own.
    function closeRows() {
      flush();
      if (!rows.length) return;
      out.push('<table><thead><tr><th>entry</th><th>va</th><th class="sep">A frame / page</th><th>A flags</th><th>A class</th>' +
        '<th class="sep">B frame / page</th><th>B flags</th><th>B class</th><th></th></tr></thead><tbody>' + rows.join('') + '</tbody></table>');
      rows = [];
    }
    order.forEach(function (i) {
      var a = entryInfo(level, tva, i, ta ? ta.e.get(i) : undefined, ctx.layoutA, ctx.classified);
      var b = entryInfo(level, tva, i, tb ? tb.e.get(i) : undefined, ctx.layoutB, ctx.classified);
      if (!a && !b) return;
      var link = (a && !a.leaf) || (b && !b.leaf);
      if (link) {
        closeRows();
        var st = ctx.marks.entry[key + '#' + i] || null;
        if (!st && (!a || !b || a.raw !== b.raw)) st = 'raw';
        var x = a || b;
        var side = function (e) { return e ? (e.recursive ? 'recursive → ' : '→ ') + hx(e.pa) + ' ' + flagsHtml(e, null) : '—'; };
        if (x.recursive) {
          out.push('<div class="link ' + (st ? 'mark-' + st : '') + '">#' + i + ' ' + hx(x.va) + ' A ' + side(a) + ' | B ' + side(b) +
            ' <span class="muted">(recursive: not followed)</span>' + badge(st) + '</div>');
          return;
        }
        out.push(tableNode(ctx, tableKey(level - 1, x.va), '#' + i + ' ' + hx(x.va) + ' A ' + side(a) + ' | B ' + side(b), st));
        return;
      }
      var st2 = ctx.marks.leaf[hx((a || b).va)] || null;
      if (!st2 && (!a || !b || a.raw !== b.raw)) st2 = 'raw';
      if (run && i === run.start + run.count && sameShape(run, a, b, run.count, st2)) { run.count++; return; }
      flush();
      run = { start: i, count: 1, a: a, b: b, st: st2 };
    });
    closeRows();
    return out.join('');
  }

  function tableNode(ctx, key, linkText, linkMark) {
    var ta = ctx.A.get(key), tb = ctx.B.get(key);
    var level = +key.split(':')[0];
    var sub = ctx.marks.subtree[key] || null;
    var own = worse(ctx.marks.table[key] || null, linkMark === 'raw' ? null : linkMark);
    function about(t) { return t ? (linkText ? '' : 'frame ' + hx(t.frame) + ', ') + t.e.size + ' entr' + (t.e.size === 1 ? 'y' : 'ies') + ', counter ' + t.counter : 'no table'; }
    var head = (linkText ? linkText + ' ⇒ ' : '') + '<b>L' + level + ' ' + LEVEL_NAME[level] + '</b>' + (linkText ? '' : ' va ' + key.split(':')[1]) +
      ': A ' + about(ta) + ' | B ' + about(tb);
    if (!ta && !tb) return '<div class="muted">' + head + ' (table not recorded)</div>';
    var open = !!sub || level === 4;
    var rawDiff = !ta || !tb || ta.frame !== tb.frame || ta.counter !== tb.counter;
    var cls = own ? 'mark-' + own : '';
    return '<details data-key="' + key + '"' + (open ? ' open' : '') + '><summary class="' + cls + '">' + head +
      badge(own || (rawDiff ? 'raw' : null)) + (sub && sub !== own ? ' <span class="muted">differences inside:</span>' + badge(sub) : '') +
      '</summary><div class="body" data-rendered="' + (open ? '1' : '0') + '">' + (open ? tableBody(ctx, key) : '') + '</div></details>';
  }

  function renderPageTables(el, cp, data) {
    var a = cp.a, b = cp.b;
    var marks = parseMarks(cp.marks);
    var ctx = {
      A: tablesOf(a), B: tablesOf(b), marks: marks, classified: data.classified,
      layoutA: data.layoutA, layoutB: data.layoutB,
      patA: a && a.pt ? a.pt.pat : null, patB: b && b.pt ? b.pt.pat : null,
    };
    var html = '<div id="pt-head" class="mono">checkpoint <b>' + esc(cp.name) + '</b> (' + esc(cp.status.page_tables) + ') — ' +
      'CR3 A ' + (a && a.pt ? a.pt.cr3 : '—') + ' | B ' + (b && b.pt ? b.pt.cr3 : '—') + '; tables A ' + ctx.A.size + ' | B ' + ctx.B.size +
      '; PAT A ' + (ctx.patA || 'not recorded') + ' | B ' + (ctx.patB || 'not recorded') + '</div>';
    if (marks.ptOther.length) {
      html += '<ul class="pt-other">' + marks.ptOther.map(function (x) {
        return '<li class="mark-' + x[1] + '"><code>' + esc(x[0]) + '</code>: A ' + esc(x[2]) + ' | B ' + esc(x[3]) + badge(x[1]) + '</li>';
      }).join('') + '</ul>';
    }
    if (!ctx.A.size && !ctx.B.size) {
      el.innerHTML = html + '<p class="muted">No page tables recorded at this checkpoint.</p>';
      return;
    }
    var rootKey = null;
    [ctx.A, ctx.B].forEach(function (m) { m.forEach(function (t, k) { if (!rootKey && t.level === 4) rootKey = k; }); });
    html += rootKey ? tableNode(ctx, rootKey, null, null) : '<p class="muted">No PML4 recorded.</p>';
    el.innerHTML = html;
    el._ctx = ctx;
  }

  // ---- descriptors ---------------------------------------------------------------------------
  function sideTable(title, cols, rowsA, rowsB, keyOf, cells, marks, prefix) {
    var keys = [], seen = {}, byA = {}, byB = {};
    (rowsA || []).forEach(function (r) { var k = keyOf(r); byA[k] = r; if (!seen[k]) { seen[k] = 1; keys.push(k); } });
    (rowsB || []).forEach(function (r) { var k = keyOf(r); byB[k] = r; if (!seen[k]) { seen[k] = 1; keys.push(k); } });
    var head = '<tr><th>' + cols[0] + '</th>' + cols.slice(1).map(function (c, i) { return '<th' + (i === 0 ? ' class="sep"' : '') + '>A ' + c + '</th>'; }).join('') +
      cols.slice(1).map(function (c, i) { return '<th' + (i === 0 ? ' class="sep"' : '') + '>B ' + c + '</th>'; }).join('') + '<th></th></tr>';
    var body = keys.map(function (k) {
      var ra = byA[k], rb = byB[k];
      var ca = ra ? cells(ra) : null, cb = rb ? cells(rb) : null;
      var st = descMark(marks, prefix(k));
      if (!st && JSON.stringify(ca) !== JSON.stringify(cb)) st = 'raw';
      function tds(c) {
        if (!c) return cols.slice(1).map(function (_, i) { return '<td' + (i === 0 ? ' class="sep muted"' : '') + '>—</td>'; }).join('');
        return c.slice(1).map(function (v, i) { return '<td' + (i === 0 ? ' class="sep"' : '') + '>' + esc(v) + '</td>'; }).join('');
      }
      var label = (ca || cb)[0];
      return '<tr class="' + (st ? 'mark-' + st : '') + '"><td>' + esc(label) + '</td>' + tds(ca) + tds(cb) + '<td>' + badge(st) + '</td></tr>';
    }).join('');
    return '<h4>' + title + '</h4><table class="side"><thead>' + head + '</thead><tbody>' + body + '</tbody></table>';
  }

  function renderDescriptors(regsEl, el, cp) {
    var marks = parseMarks(cp.marks);
    var a = cp.a || {}, b = cp.b || {};
    regsEl.innerHTML = sideTable('Registers', ['register', 'value'], a.regs, b.regs,
      function (r) { return r[0]; }, function (r) { return [r[1], r[2]]; }, marks, function (k) { return k; });
    var da = a.desc || {}, db = b.desc || {};
    var html = '<div id="desc-head" class="mono">checkpoint <b>' + esc(cp.name) + '</b> (' + esc(cp.status.descriptors) + ')' +
      (da.error ? '; A: ' + esc(da.error) : '') + (db.error ? '; B: ' + esc(db.error) : '') + '</div>';
    var other = marks.desc.filter(function (x) { return /^descriptors\.(gdt|idt|tss)\.(bytes|entries|gates)$|^descriptors\.(error|checkpoint)$/.test(x[0]); });
    if (other.length) html += '<ul class="pt-other">' + other.map(function (x) {
      return '<li class="mark-' + x[1] + '"><code>' + esc(x[0]) + '</code>: A ' + esc(x[2].slice(0, 120)) + ' | B ' + esc(x[3].slice(0, 120)) + badge(x[1]) + '</li>';
    }).join('') + '</ul>';
    html += sideTable('GDT', ['selector', 'type', 'base', 'limit', 'DPL', 'P', 'flags', 'access'], da.gdt, db.gdt,
      function (r) { return r.key; }, function (r) { return [r.sel, r.type, r.base, r.limit, String(r.dpl), r.p ? 'P' : '-', r.flags, r.access]; },
      marks, function (k) { return 'descriptors.' + k; });
    html += sideTable('TSS', ['field', 'value'], da.tss, db.tss,
      function (r) { return r[0]; }, function (r) { return [r[1], r[2]]; }, marks, function (k) { return 'descriptors.' + k; });
    html += sideTable('IDT (present gates)', ['vector', 'handler', 'selector', 'IST', 'type', 'DPL', 'P'], da.idt, db.idt,
      function (r) { return r.key; }, function (r) { return [String(r.vector), r.handler, r.sel, String(r.ist), r.type, String(r.dpl), r.p ? 'P' : '-']; },
      marks, function (k) { return 'descriptors.' + k; });
    el.innerHTML = html;
  }

  // ---- checkpoint selection ------------------------------------------------------------------
  var select = document.getElementById('cp-select');
  var ptEl = document.getElementById('pt'), descEl = document.getElementById('desc'), regsEl = document.getElementById('regs');
  D.checkpoints.forEach(function (name, i) {
    var o = document.createElement('option');
    o.value = String(i);
    o.textContent = name;
    select.appendChild(o);
  });
  function show(i) {
    var cp = block(i);
    renderPageTables(ptEl, cp, D);
    renderDescriptors(regsEl, descEl, cp);
    ptEl.setAttribute('data-checkpoint', cp.name);
    descEl.setAttribute('data-checkpoint', cp.name);
  }
  select.addEventListener('change', function () { show(+select.value); });
  ptEl.addEventListener('toggle', function (ev) {
    var d = ev.target;
    if (!d.open || !d.getAttribute || !d.getAttribute('data-key')) return;
    var body = d.querySelector(':scope > .body');
    if (body && body.getAttribute('data-rendered') === '0') {
      body.innerHTML = tableBody(ptEl._ctx, d.getAttribute('data-key'));
      body.setAttribute('data-rendered', '1');
    }
  }, true);
  var initial = D.initial;
  var m = /cp=([^&]+)/.exec(location.hash);
  if (m && D.checkpoints.indexOf(decodeURIComponent(m[1])) >= 0) initial = D.checkpoints.indexOf(decodeURIComponent(m[1]));
  if (D.checkpoints.length) {
    select.value = String(initial);
    show(initial);
  } else {
    ptEl.innerHTML = '<p class="muted">No checkpoint recorded.</p>';
  }
})();
