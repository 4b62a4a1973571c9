// callsteer emulator UI: lists calls and draws the selected call's sequence diagram, live.
// Plain JS, no framework, no build step: the emulator serves this file from its binary.
'use strict';

(() => {
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const UNASSIGNED = '_unassigned';
  // Layout (px). The App–Service gap is wide because request labels are the longest.
  const TIME_W = 76;
  const APP_X = TIME_W + 70;
  const SERVICE_X = APP_X + 400;
  const PARTICIPANT_GAP = 230;
  const HEAD_Y = 12;
  const HEAD_H = 44;
  const FIRST_ROW_Y = HEAD_Y + HEAD_H + 34;
  const ROW_H = 40;

  const $ = (id) => document.getElementById(id);
  const state = {
    calls: [],
    items: new Map(), // key -> timeline item, every call
    selected: null, // call connection id, or UNASSIGNED
    selectedKey: null, // the arrow whose JSON is shown
    renderPending: false,
  };

  // ---------- data ----------

  async function fetchJson(url, options) {
    const response = await fetch(url, options);
    const text = await response.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch { body = text; }
    if (!response.ok) {
      const message = body && body.error ? `${body.error.code}: ${body.error.message}` : `${response.status} ${text}`;
      throw new Error(message);
    }
    return body;
  }

  function upsert(item) {
    if (item && item.key) state.items.set(item.key, item);
  }

  async function loadCalls() {
    const body = await fetchJson('/emulator/calls');
    state.calls = (body && body.value) || [];
    renderCalls();
    if (!state.selected) {
      const fromHash = decodeURIComponent((location.hash.match(/call=([^&]+)/) || [])[1] || '');
      if (fromHash && (fromHash === UNASSIGNED || state.calls.some((c) => c.callConnectionId === fromHash))) {
        select(fromHash, false);
      } else if (state.calls.length) {
        select(state.calls[0].callConnectionId, false);
      }
    }
  }

  async function loadTimeline(id) {
    const url = id === UNASSIGNED
      ? '/emulator/ui/unassigned/timeline'
      : `/emulator/ui/calls/${encodeURIComponent(id)}/timeline`;
    const body = await fetchJson(url);
    for (const item of body.items || []) upsert(item);
    scheduleRender();
  }

  let callsTimer = null;
  function refreshCallsSoon() {
    if (callsTimer) return;
    callsTimer = setTimeout(() => {
      callsTimer = null;
      loadCalls().catch((e) => setFeed(`cannot list calls: ${e.message}`, 'down'));
    }, 250);
  }

  function setFeed(text, cls) {
    const el = $('feed-status');
    el.textContent = text;
    el.className = `feed ${cls || ''}`;
  }

  function connectFeed() {
    const source = new EventSource('/emulator/ui/stream');
    source.addEventListener('hello', () => {
      setFeed('live: updates as they happen', 'live');
      // Reload what may have happened while the feed was down.
      refreshCallsSoon();
      if (state.selected) loadTimeline(state.selected).catch(() => {});
    });
    source.addEventListener('item', (e) => {
      try { upsert(JSON.parse(e.data)); } catch { return; }
      refreshCallsSoon();
      scheduleRender();
    });
    source.addEventListener('lagged', () => {
      if (state.selected) loadTimeline(state.selected).catch(() => {});
    });
    source.onerror = () => setFeed('live feed interrupted — reconnecting…', 'down');
  }

  // ---------- calls list ----------

  function age(createdAt) {
    const t = Date.parse(createdAt);
    if (Number.isNaN(t)) return '';
    const s = Math.max(0, Math.round((Date.now() - t) / 1000));
    if (s < 60) return `${s} s old`;
    if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s old`;
    return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min old`;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null) continue;
      if (k === 'class') node.className = v; else node.setAttribute(k, v);
    }
    for (const c of children) node.append(c);
    return node;
  }

  function renderCalls() {
    const list = $('calls');
    const hadFocus = list.contains(document.activeElement) ? document.activeElement.dataset.call : null;
    list.replaceChildren();
    $('calls-empty').hidden = state.calls.length > 0;
    const entries = state.calls.map((c) => {
      const who = (c.participants || []).map((p) => p.identifier && p.identifier.rawId).filter(Boolean);
      const button = el('button', {
        type: 'button', class: 'call', 'data-call': c.callConnectionId,
        'aria-pressed': String(state.selected === c.callConnectionId),
      },
      el('span', { class: 'id mono' }, c.callConnectionId),
      el('span', { class: 'meta' },
        el('span', { class: `state state-${c.state}` }, c.state), ` · ${c.origin} · `,
        el('span', { class: 'age', 'data-created': c.createdAt }, age(c.createdAt))),
      el('span', { class: 'who' }, who.length ? `with ${who.join(', ')}` : 'no other participant'));
      return el('li', {}, button);
    });
    const other = el('button', {
      type: 'button', class: 'call', 'data-call': UNASSIGNED,
      'aria-pressed': String(state.selected === UNASSIGNED),
    }, el('span', {}, 'Other traffic'),
    el('span', { class: 'meta' }, 'IncomingCall deliveries, reject, redirect, refused requests'));
    entries.push(el('li', {}, other));
    list.append(...entries);
    for (const b of list.querySelectorAll('button.call')) {
      b.addEventListener('click', () => select(b.dataset.call, true));
    }
    if (hadFocus) {
      const again = list.querySelector(`button[data-call="${CSS.escape(hadFocus)}"]`);
      if (again) again.focus();
    }
  }

  function tickAges() {
    for (const span of document.querySelectorAll('.age[data-created]')) {
      span.textContent = age(span.dataset.created);
    }
  }

  function select(id, byUser) {
    state.selected = id;
    state.selectedKey = null;
    showDetails(null);
    history.replaceState(null, '', `#call=${encodeURIComponent(id)}`);
    for (const b of document.querySelectorAll('button.call')) {
      b.setAttribute('aria-pressed', String(b.dataset.call === id));
    }
    $('download-svg').disabled = false;
    loadTimeline(id).catch((e) => setResult(`cannot load the timeline: ${e.message}`, true));
    scheduleRender();
    if (byUser) $('diagram-section').focus();
  }

  // ---------- diagram ----------

  function selectedCall() {
    return state.calls.find((c) => c.callConnectionId === state.selected) || null;
  }

  function belongs(item, call) {
    if (state.selected === UNASSIGNED) {
      return !item.callConnectionId && item.kind !== 'participant';
    }
    if (item.callConnectionId === state.selected) return true;
    // The IncomingCall that an answered call came from.
    return Boolean(call && item.kind === 'event' && item.channel === 'eventGrid'
      && item.serverCallId === call.serverCallId);
  }

  function resultOf(item) {
    const r = item.resultInformation || (item.detail && item.detail.resultInformation);
    return r && typeof r === 'object' ? r : null;
  }

  function isFailure(item) {
    if (item.kind === 'request') return item.status >= 400 || item.responseDropped;
    if (item.kind === 'event') {
      const r = resultOf(item);
      return item.status === 'failed' || /Failed$/.test(item.type) || Boolean(r && r.code >= 400);
    }
    return item.change === 'failed';
  }

  function shortPath(item) {
    let path = (item.path || '').split('?')[0];
    if (item.callConnectionId) path = path.split(item.callConnectionId).join('{id}');
    return path.replace(/^\/calling\/callConnections/, '…');
  }

  function attemptsText(item) {
    const n = (item.attempts || []).length;
    const last = n ? item.attempts[n - 1] : null;
    const lastText = last ? (last.status ? ` (last ${last.status})` : ' (no connection)') : '';
    return `${item.status}, ${n} attempt${n === 1 ? '' : 's'}${item.status === 'delivered' && n === 1 ? '' : lastText}`;
  }

  function eventName(item) {
    return item.type || 'event';
  }

  // One arrow: from/to are lifeline ids; name is what the tests and screen readers read first.
  function arrowFor(item) {
    if (item.kind === 'request') {
      const outcome = item.outcome && item.outcome !== 'executed' ? ` · ${item.outcome}` : '';
      const dropped = item.responseDropped ? ' · response dropped' : '';
      return {
        from: 'app', to: 'service', name: item.operation,
        label: `${item.operation}  ${item.method} ${shortPath(item)} → ${item.status} · ${item.latencyMs} ms${outcome}${dropped}`,
      };
    }
    if (item.kind === 'event') {
      const r = resultOf(item);
      const code = r ? ` · ${r.code}/${r.subCode}` : '';
      const via = item.channel === 'eventGrid' ? ' (Event Grid)' : '';
      return {
        from: 'service', to: 'app', name: eventName(item),
        label: `${eventName(item)}${via}${code} · ${attemptsText(item)}`,
      };
    }
    const p = `p:${item.participant}`;
    const d = item.detail || {};
    switch (item.change) {
      case 'invited':
        return { from: 'service', to: p, name: 'invited', label: `invite (${d.for || '?'}; behaves: ${d.behavior || '?'})` };
      case 'answered':
        return { from: p, to: 'service', name: 'answered', label: 'answered' };
      case 'failed': {
        const r = resultOf(item) || {};
        return { from: p, to: 'service', name: 'failed', label: `✗ failed ${r.code}/${r.subCode} ${r.message || ''}`.trim() };
      }
      case 'canceled':
        return { from: 'service', to: p, name: 'canceled', label: 'invitation canceled' };
      case 'joined':
        return { from: p, to: 'service', name: 'joined', label: 'joined the call' };
      case 'left':
        return { from: 'service', to: p, name: 'left', label: 'left the call' };
      default:
        return { from: 'service', to: p, name: item.change, label: item.change };
    }
  }

  function lifelinesFor(call, items) {
    const ids = [];
    const add = (raw) => { if (raw && !ids.includes(raw)) ids.push(raw); };
    for (const item of items) if (item.kind === 'participant') add(item.participant);
    if (call) {
      for (const t of call.targets || []) add(t);
      for (const p of call.participants || []) add(p.identifier && p.identifier.rawId);
    }
    return [
      { id: 'app', title: 'App', sub: 'your application' },
      { id: 'service', title: 'Service', sub: 'Call Automation (emulator)' },
      ...ids.map((raw) => ({ id: `p:${raw}`, title: raw, sub: 'participant' })),
    ];
  }

  function svgEl(tag, attrs, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== undefined && v !== null) node.setAttribute(k, String(v));
    }
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // When it started: a request is logged once answered, so its start is its time less latency.
  function startOf(item) {
    const t = Date.parse(item.time);
    return item.kind === 'request' ? t - (item.latencyMs || 0) : t;
  }

  function relTime(ms) {
    return Number.isNaN(ms) ? '' : `+${(ms / 1000).toFixed(3)} s`;
  }

  function scheduleRender() {
    if (state.renderPending) return;
    state.renderPending = true;
    requestAnimationFrame(() => {
      state.renderPending = false;
      render();
    });
  }

  function render() {
    const host = $('diagram');
    if (!state.selected) {
      host.replaceChildren(el('p', { class: 'hint' }, 'Select a call to see its sequence diagram.'));
      return;
    }
    const call = selectedCall();
    const items = [...state.items.values()].filter((i) => belongs(i, call)).sort((a, b) => a.order - b.order);
    $('diagram-title').textContent = state.selected === UNASSIGNED
      ? 'Traffic that belongs to no call connection'
      : `Call ${state.selected}${call ? ` (${call.state})` : ''}`;
    const lifelines = lifelinesFor(call, items);
    const x = new Map();
    lifelines.forEach((l, i) => x.set(l.id, i === 0 ? APP_X : SERVICE_X + (i - 1) * PARTICIPANT_GAP));
    const width = Math.max(...x.values()) + 150;
    const height = FIRST_ROW_Y + Math.max(items.length, 1) * ROW_H + 10;

    const focusedKey = host.contains(document.activeElement) ? document.activeElement.dataset.key : null;
    const svg = svgEl('svg', {
      xmlns: SVG_NS, class: 'seq', width, height, viewBox: `0 0 ${width} ${height}`,
      role: 'group', 'aria-label': `Sequence diagram, ${items.length} arrows`,
    });
    svg.append(svgEl('rect', { class: 'bg', x: 0, y: 0, width, height }));

    // The heads are drawn last, on a band of their own, so that they can stay in view while
    // the diagram scrolls (see pinHeads).
    const heads = svgEl('g', { class: 'heads' });
    heads.append(svgEl('rect', { class: 'bg', x: 0, y: 0, width, height: HEAD_Y + HEAD_H + 6 }));
    for (const l of lifelines) {
      const cx = x.get(l.id);
      const g = svgEl('g', { class: 'lifeline', 'data-lifeline': l.title });
      g.append(svgEl('line', { x1: cx, y1: HEAD_Y + HEAD_H, x2: cx, y2: height - 4 }));
      const head = svgEl('g', { class: 'head' });
      const w = Math.min(PARTICIPANT_GAP - 16, Math.max(110, l.title.length * 8 + 20, l.sub.length * 6.5 + 20));
      head.append(svgEl('rect', { x: cx - w / 2, y: HEAD_Y, width: w, height: HEAD_H, rx: 6 }));
      head.append(svgEl('text', { x: cx, y: HEAD_Y + 19, 'text-anchor': 'middle' }, l.title));
      head.append(svgEl('text', { x: cx, y: HEAD_Y + 35, 'text-anchor': 'middle', class: 'sub' }, l.sub));
      heads.append(head);
      svg.append(g);
    }

    const t0 = Math.min(...items.map(startOf).filter((t) => !Number.isNaN(t)));
    // Rows are in causal order; the clocks behind the times are only millisecond-exact, so a
    // time never goes backwards on screen.
    let shown = 0;
    items.forEach((item, row) => {
      const at = startOf(item) - t0;
      if (!Number.isNaN(at)) shown = Math.max(shown, at);
      const a = arrowFor(item);
      const y = FIRST_ROW_Y + row * ROW_H;
      const x1 = x.get(a.from);
      const x2 = x.get(a.to);
      if (x1 === undefined || x2 === undefined) return;
      const fail = isFailure(item);
      const pending = item.kind === 'event' && item.status === 'pending';
      const classes = ['arrow', item.kind, fail ? 'fail' : '', pending ? 'pending' : '',
        item.key === state.selectedKey ? 'selected' : ''].filter(Boolean).join(' ');
      const label = fail && !a.label.startsWith('✗') ? `✗ ${a.label}` : a.label;
      // A participant arrow's text doesn't name the participant: its lifeline does.
      const spoken = item.kind === 'participant' ? `${item.participant}: ${label}` : label;
      const g = svgEl('g', {
        class: classes, tabindex: 0, role: 'button', 'data-key': item.key, 'data-kind': item.kind,
        'data-name': a.name, 'data-failed': String(fail), 'aria-label': `${row + 1}. ${spoken}`,
      });
      const left = Math.min(x1, x2);
      const right = Math.max(x1, x2);
      g.append(svgEl('rect', { class: 'hit', x: left - 8, y: y - ROW_H + 12, width: right - left + 16, height: ROW_H - 4, rx: 4 }));
      g.append(svgEl('line', { x1, y1: y, x2: x2 + (x2 > x1 ? -8 : 8), y2: y }));
      const dir = x2 > x1 ? -1 : 1;
      g.append(svgEl('polygon', { points: `${x2},${y} ${x2 + dir * 10},${y - 5} ${x2 + dir * 10},${y + 5}` }));
      g.append(svgEl('text', { x: (x1 + x2) / 2, y: y - 6, 'text-anchor': 'middle' }, label));
      g.append(svgEl('title', {}, spoken));
      svg.append(g);
      svg.append(svgEl('text', { class: 'time', x: 6, y: y + 4 }, relTime(shown)));
    });
    if (!items.length) {
      svg.append(svgEl('text', { class: 'time', x: APP_X, y: FIRST_ROW_Y }, 'Nothing yet.'));
    }
    svg.append(heads);
    host.replaceChildren(svg);
    pinHeads();
    if (focusedKey) {
      const again = svg.querySelector(`[data-key="${CSS.escape(focusedKey)}"]`);
      if (again) again.focus();
    }
  }

  function pinHeads() {
    const heads = document.querySelector('#diagram svg.seq .heads');
    if (heads) heads.setAttribute('transform', `translate(0, ${$('diagram').scrollTop})`);
  }

  function showDetails(item) {
    const title = $('details-title');
    const pre = $('details-json');
    if (!item) {
      title.textContent = 'Select an arrow.';
      pre.textContent = '';
      return;
    }
    const a = arrowFor(item);
    const what = item.kind === 'request' ? 'Request and response' : item.kind === 'event' ? 'Event and its delivery' : 'Participant change';
    title.textContent = `${what}: ${a.label}`;
    pre.textContent = JSON.stringify(item, null, 2);
  }

  function activate(g) {
    const item = state.items.get(g.dataset.key);
    if (!item) return;
    state.selectedKey = item.key;
    for (const s of document.querySelectorAll('svg.seq .arrow.selected')) s.classList.remove('selected');
    g.classList.add('selected');
    showDetails(item);
  }

  function onDiagramClick(e) {
    const g = e.target.closest && e.target.closest('.arrow');
    if (g) { g.focus(); activate(g); }
  }

  function onDiagramKey(e) {
    const g = e.target.closest && e.target.closest('.arrow');
    if (!g) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      activate(g);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const all = [...document.querySelectorAll('svg.seq .arrow')];
      const next = all[all.indexOf(g) + (e.key === 'ArrowDown' ? 1 : -1)];
      if (next) next.focus();
    }
  }

  async function downloadSvg() {
    const svg = document.querySelector('#diagram svg.seq');
    if (!svg) return;
    const copy = svg.cloneNode(true);
    for (const s of copy.querySelectorAll('.selected')) s.classList.remove('selected');
    for (const h of copy.querySelectorAll('.heads')) h.removeAttribute('transform');
    // Embed the stylesheet so that the file looks the same on its own (dark mode included).
    const css = await (await fetch('/emulator/ui/app.css')).text();
    const style = document.createElementNS(SVG_NS, 'style');
    style.textContent = css;
    copy.insertBefore(style, copy.firstChild);
    const text = `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}`;
    const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
    const link = el('a', { href: url, download: `call-${state.selected}.svg` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // ---------- controls ----------

  function setResult(text, isError) {
    const p = $('control-result');
    p.textContent = text;
    p.className = `result${isError ? ' error' : ''}`;
  }

  async function loadClock() {
    try {
      const c = await fetchJson('/emulator/clock');
      const manual = c.mode === 'manual';
      $('clock-state').textContent = manual
        ? `manual clock at ${c.nowMs} ms${c.nextTimerMs != null ? `; next timer at ${c.nextTimerMs} ms` : '; no timer pending'}`
        : 'real clock (start the emulator with --clock manual to advance it by hand)';
      $('clock-advance').disabled = !manual;
      $('clock-ms').disabled = !manual;
    } catch (e) {
      $('clock-state').textContent = `cannot read the clock: ${e.message}`;
    }
  }

  function bindControls() {
    $('incoming-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      const f = new FormData(e.target);
      try {
        const r = await fetchJson('/emulator/incoming-calls', {
          method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ from: f.get('from'), to: f.get('to') }),
        });
        setResult(`IncomingCall offered (serverCallId ${r.serverCallId}); see "Other traffic".`);
      } catch (err) { setResult(`Incoming call refused: ${err.message}`, true); }
    });
    $('target-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      const f = new FormData(e.target);
      const body = { behavior: f.get('behavior') };
      if (f.get('delayMs') !== '') body.delayMs = Number(f.get('delayMs'));
      try {
        await fetchJson(`/emulator/targets/${encodeURIComponent(f.get('rawId'))}`, {
          method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
        });
        setResult(`${f.get('rawId')} now behaves: ${body.behavior}${body.delayMs != null ? ` after ${body.delayMs} ms` : ''}.`);
      } catch (err) { setResult(`Behaviour refused: ${err.message}`, true); }
    });
    $('clock-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      const ms = Number(new FormData(e.target).get('ms'));
      try {
        const c = await fetchJson('/emulator/clock/advance', {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ms }),
        });
        setResult(`Clock advanced to ${c.nowMs} ms.`);
      } catch (err) { setResult(`Cannot advance the clock: ${err.message}`, true); }
      loadClock();
    });
    $('download-svg').addEventListener('click', () => {
      downloadSvg().catch((err) => setResult(`Download failed: ${err.message}`, true));
    });
    const diagram = $('diagram');
    diagram.addEventListener('click', onDiagramClick);
    diagram.addEventListener('keydown', onDiagramKey);
    diagram.addEventListener('scroll', pinHeads, { passive: true });
  }

  function start() {
    bindControls();
    render();
    connectFeed();
    loadCalls().catch((e) => setFeed(`cannot list calls: ${e.message}`, 'down'));
    loadClock();
    setInterval(tickAges, 1000);
    setInterval(loadClock, 5000);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
