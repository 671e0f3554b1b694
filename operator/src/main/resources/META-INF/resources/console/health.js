// The Scanner Health page: liveness and addresses of every scanner, refreshing itself
// (a conditional GET every 5 s; the "12 s ago" texts tick every second).
import { call, HEALTH, withQuery } from './api.js';
import { h, clear, describeError, showBanner, ago, statusBadge, poll, pager } from './ui.js';

export function healthPage(main) {
  const state = { status: '', q: '', page: 1, pageSize: 50, etag: null, data: null };
  const statusSelect = h('select', { id: 'health-status', onchange: (e) => { state.status = e.target.value; state.page = 1; load(true); } },
    ['', 'Pending', 'Active', 'Offline', 'Disabled'].map((v) => h('option', { value: v }, v || 'All')));
  const search = h('input', { type: 'search', id: 'health-search', autocomplete: 'off' });
  let timer;
  search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => { state.q = search.value.trim(); state.page = 1; load(true); }, 300); });
  const tableHost = h('div', { class: 'table-host' }, h('p', { class: 'muted' }, 'Loading…'));
  const pagerHost = h('div');
  const note = h('p', { class: 'live-note' }, 'Refreshes by itself');
  clear(main,
    h('div', { class: 'page-head' }, h('h1', {}, 'Scanner Health')),
    h('p', { class: 'lead' }, 'Every scanner with its last heartbeat, agent version, host and the address it connects from. '
      + 'A scanner is Offline when its heartbeats stop.'),
    h('div', { class: 'filters', role: 'search', 'aria-label': 'Filter scanner health' },
      h('div', { class: 'field inline' }, h('label', { for: 'health-search' }, 'Search'), search),
      h('div', { class: 'field inline' }, h('label', { for: 'health-status' }, 'Status'), statusSelect)),
    tableHost, pagerHost, note);

  async function load(force) {
    try {
      const r = await call('GET', withQuery(HEALTH, { status: state.status, q: state.q, page: state.page, pageSize: state.pageSize }),
        { ifNoneMatch: force ? null : state.etag });
      note.textContent = `Refreshes by itself · checked ${new Date().toLocaleTimeString()}`;
      if (r.status === 304) return;
      state.etag = r.etag;
      state.data = r.data;
      render();
    } catch (e) {
      if (e.status !== 401) { note.textContent = `Not refreshing: ${describeError(e)}`; if (e.status === 403) showBanner(describeError(e)); }
    }
  }

  function render() {
    const d = state.data;
    clear(tableHost, h('table', { class: 'grid', id: 'health-table' },
      h('caption', { class: 'sr-only' }, 'Scanner health, by name'),
      h('thead', {}, h('tr', {}, ['Name', 'Status', 'Last heartbeat', 'Version', 'Host', 'Source address', 'Internal address']
        .map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, d.items.length === 0
        ? h('tr', {}, h('td', { colspan: '7', class: 'empty' }, 'No scanners.'))
        : d.items.map((s) => h('tr', { dataset: { id: s.id } },
          h('th', { scope: 'row' }, s.name),
          h('td', {}, statusBadge(s.status)),
          h('td', {}, h('time', { class: 'ago', datetime: s.lastSeen || '', title: s.lastSeen ? new Date(s.lastSeen).toLocaleString() : 'never' }, ago(s.lastSeen))),
          h('td', {}, s.version || '—'),
          h('td', {}, s.hostname || '—'),
          h('td', {}, s.externalIp || '—'),
          h('td', {}, s.internalIp || '—'))))));
    clear(pagerHost, pager(state, d.total, (change) => { Object.assign(state, change); load(true); }));
  }

  load(true);
  const poller = poll(() => load(false), 5000);
  const ticker = setInterval(() => {
    for (const t of tableHost.querySelectorAll('time.ago')) {
      if (t.dateTime) t.textContent = ago(t.dateTime);
    }
  }, 1000);
  return { stop() { poller.stop(); clearInterval(ticker); } };
}
