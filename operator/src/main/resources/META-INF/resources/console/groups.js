// The Scanner Groups page: groups with their members and targets; create, edit, delete; and for
// each group the effective rate of every member per target, with what limits it (limitedBy).
import { call, GROUPS, SCANNERS, groupPath, withQuery } from './api.js';
import {
  h, clear, announce, showBanner, describeError, openDialog, focusFirst, confirmDialog, field, menuButton,
  isMenuOpen, date, poll, pager, uid,
} from './ui.js';
import { ApiError } from './api.js';

const rate = (v) => (!v ? 'unlimited' : `${Number(v).toLocaleString(undefined, { maximumFractionDigits: 1 })}/s`);

export function groupsPage(main) {
  const state = { q: '', page: 1, pageSize: 50, sort: 'name', order: 'asc', etag: null, data: null, open: new Set(), details: new Map() };
  const search = h('input', { type: 'search', id: 'group-search', autocomplete: 'off' });
  let timer;
  search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => { state.q = search.value.trim(); state.page = 1; load(true); }, 300); });
  const host = h('div', { class: 'table-host' }, h('p', { class: 'muted' }, 'Loading…'));
  const pagerHost = h('div');
  clear(main,
    h('div', { class: 'page-head' }, h('h1', {}, 'Scanner Groups'),
      h('button', { type: 'button', class: 'primary', onclick: () => groupDialog(null, () => load(true)) }, 'Add Group')),
    h('p', { class: 'lead' }, 'A group\'s members all scan its targets. A target\'s subnet rate limit is shared equally among the enabled members; '
      + 'each member then runs at the lowest non-zero of its own limit, its share and the port-list limit.'),
    h('div', { class: 'filters', role: 'search', 'aria-label': 'Filter groups' },
      h('div', { class: 'field inline' }, h('label', { for: 'group-search' }, 'Search'), search)),
    host, pagerHost);

  async function load(force) {
    try {
      const r = await call('GET', withQuery(GROUPS, { q: state.q, page: state.page, pageSize: state.pageSize, sort: state.sort, order: state.order }),
        { ifNoneMatch: force ? null : state.etag });
      if (r.status === 304) { await refreshDetails(); return; }
      state.etag = r.etag;
      state.data = r.data;
      await refreshDetails(true);
    } catch (e) {
      if (e.status !== 401) showBanner(describeError(e));
    }
  }

  async function refreshDetails(changed = false) {
    let any = changed;
    for (const id of state.open) {
      try {
        const r = await call('GET', groupPath(id, '/details'));
        if (JSON.stringify(r.data) !== JSON.stringify(state.details.get(id))) { state.details.set(id, r.data); any = true; }
      } catch (e) { state.open.delete(id); any = true; }
    }
    if (any) render();
  }

  function render() {
    if (isMenuOpen() || document.querySelector('dialog[open]')) return;
    const d = state.data;
    if (!d) return;
    const active = document.activeElement;
    const focusKey = active && host.contains(active) ? active.dataset.key : null;
    const rows = [];
    for (const g of d.items) {
      const expanded = state.open.has(g.id);
      const detailsId = `group-details-${g.id}`;
      rows.push(h('tr', { dataset: { id: g.id } },
        h('th', { scope: 'row' }, g.name),
        h('td', {}, g.description || ''),
        h('td', {}, h('span', { class: `badge group-${g.status.toLowerCase()}` }, g.status)),
        h('td', { class: 'num' }, `${g.memberCount} (${g.activeMembers} active)`),
        h('td', {}, g.targets.length === 0 ? h('span', { class: 'muted' }, 'none')
          : g.targets.map((t) => h('div', {}, `${t.subnet} · ${t.ports || 'all ports'} · ${rate(t.rateLimit)}`))),
        h('td', {}, g.createdBy || '—'),
        h('td', {}, date(g.createdAt)),
        h('td', { class: 'cell-actions' },
          h('button', {
            type: 'button', 'aria-expanded': String(expanded), 'aria-controls': detailsId, dataset: { key: `rates-${g.id}` },
            onclick: async () => {
              if (expanded) { state.open.delete(g.id); render(); return; }
              state.open.add(g.id);
              await refreshDetails(true);
            },
          }, expanded ? 'Hide rates' : 'Member rates'),
          ' ',
          menuButton('Actions', `actions-${g.id}`, () => [
            { label: 'Edit', action: () => groupDialog(g, () => load(true)) },
            { label: 'Delete', danger: true, action: () => removeGroup(g) },
          ]))));
      if (expanded && state.details.has(g.id)) {
        rows.push(h('tr', { class: 'details-row', id: detailsId }, h('td', { colspan: '8' }, detailsView(state.details.get(g.id)))));
      }
    }
    clear(host, h('table', { class: 'grid', id: 'groups-table' },
      h('caption', { class: 'sr-only' }, 'Scanner groups'),
      h('thead', {}, h('tr', {}, ['Name', 'Description', 'Status', 'Members', 'Targets', 'Created By', 'Created'].map((t) => h('th', { scope: 'col' }, t)),
        h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Row actions')))),
      h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: '8', class: 'empty' }, 'No groups yet. Use "Add Group" to make one.')))));
    clear(pagerHost, pager(state, d.total, (change) => { Object.assign(state, change); load(true); }));
    if (focusKey) host.querySelector(`[data-key="${CSS.escape(focusKey)}"]`)?.focus();
  }

  function detailsView(g) {
    const names = new Map(g.members.map((m) => [m.id, m]));
    return h('div', { class: 'details' },
      h('h2', { class: 'h3' }, `Members of ${g.name}`),
      h('ul', { class: 'members' }, g.members.map((m) => h('li', {}, `${m.name} · ${m.status}${m.disabled ? ' (disabled)' : ''} · own limit ${rate(m.rateLimit)}`))),
      g.targets.length === 0 ? h('p', { class: 'muted' }, 'No targets: the members have nothing to scan for this group.')
        : g.targets.map((t) => h('table', { class: 'grid compact rates' },
          h('caption', {}, `${t.subnet} · ports ${t.ports || 'all'} · subnet limit ${rate(t.rateLimit)} · port-list limit ${rate(t.portListRateLimit)}`
            + ` · share per member ${rate(t.perMemberRate)}`),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Member'), h('th', { scope: 'col' }, 'Effective rate'), h('th', { scope: 'col' }, 'Limited by'))),
          h('tbody', {}, (t.members || []).map((m) => h('tr', {},
            h('th', { scope: 'row' }, (names.get(m.scanner) || { name: m.scanner }).name),
            h('td', { class: 'num' }, rate(m.maxProbesPerSecond)),
            h('td', {}, m.limitedBy || 'none')))))));
  }

  async function removeGroup(g) {
    const ok = await confirmDialog(`Delete group ${g.name}?`, ['Its members stay; they stop scanning this group\'s targets.'], 'Delete', { danger: true });
    if (!ok) return;
    try {
      await call('DELETE', groupPath(g.id));
      announce(`Group ${g.name} deleted`);
    } catch (e) {
      if (e.status !== 401) showBanner(describeError(e));
    }
    load(true);
  }

  load(true);
  const poller = poll(() => load(false), 5000);
  return { stop: () => poller.stop() };
}

async function groupDialog(g, afterWrite) {
  let etag = null;
  let scanners = [];
  try {
    if (g) etag = (await call('GET', groupPath(g.id))).etag;
    scanners = (await call('GET', withQuery(SCANNERS, { pageSize: 200 }))).data.items;
  } catch (e) {
    if (e.status !== 401) showBanner(describeError(e));
    return;
  }
  const d = openDialog(g ? `Edit group ${g.name}` : 'Add Group', { wide: true });
  const name = field('Name', h('input', { type: 'text', value: g ? g.name : '', maxlength: '57', autocomplete: 'off' }), 'Letters, digits and hyphens; unique.');
  const description = field('Description', h('input', { type: 'text', value: g ? g.description || '' : '' }));
  const chosen = new Set(g ? g.scanners : []);
  const managed = !g || g.managedMembership;
  const memberErrors = h('p', { class: 'field-error', hidden: true, id: uid('members-error') });
  const members = h('fieldset', { class: 'members-pick', 'aria-describedby': memberErrors.id },
    h('legend', {}, 'Members'),
    managed ? null : h('p', { class: 'hint' }, 'This group chooses its members by a label selector (made with kubectl): edit the selector or the scanners\' labels instead.'),
    scanners.length === 0 ? h('p', { class: 'muted' }, 'No scanners yet.') : null,
    h('div', { class: 'checks' }, scanners.map((s) => {
      const id = uid('member');
      return h('div', { class: 'check' },
        h('input', { type: 'checkbox', id, value: s.id, checked: chosen.has(s.id), disabled: !managed }),
        h('label', { for: id }, `${s.name} (${s.status})`));
    })),
    memberErrors);
  const targetsHost = h('div', { class: 'targets' });
  const targetRows = [];
  const addTarget = (t = {}) => {
    const n = targetRows.length + 1;
    const r = {
      subnet: field(`Subnet ${n}`, h('input', { type: 'text', value: t.subnet || '', placeholder: '192.0.2.0/24' })),
      ports: field(`Ports ${n}`, h('input', { type: 'text', value: t.ports || '', placeholder: '22,80,443,8000-8100 (empty: all)' })),
      rateLimit: field(`Rate limit ${n}`, h('input', { type: 'text', inputmode: 'numeric', value: String(t.rateLimit || 0) })),
      portListRateLimit: field(`Port-list rate limit ${n}`, h('input', { type: 'text', inputmode: 'numeric', value: String(t.portListRateLimit || 0) })),
    };
    r.el = h('div', { class: 'target-row' }, r.subnet.wrap, r.ports.wrap, r.rateLimit.wrap, r.portListRateLimit.wrap,
      h('button', { type: 'button', class: 'link-button', onclick: () => { targetRows.splice(targetRows.indexOf(r), 1); r.el.remove(); } }, `Remove target ${n}`));
    targetRows.push(r);
    targetsHost.append(r.el);
  };
  (g ? g.targets : []).forEach(addTarget);
  const general = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, g ? 'Save' : 'Create');
  const form = h('form', { novalidate: true }, name.wrap, description.wrap, members,
    h('fieldset', {}, h('legend', {}, 'Targets'), h('p', { class: 'hint' }, 'Rates in probes per second; 0 means unlimited.'), targetsHost,
      h('button', { type: 'button', onclick: () => addTarget() }, 'Add target')),
    general,
    h('div', { class: 'dialog-actions' }, h('button', { type: 'button', onclick: () => d.close() }, 'Cancel'), submit));
  const num = (v) => (/^\s*-?\d+\s*$/.test(v) ? Number(v) : v.trim());
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    const body = {
      name: name.input.value.trim(),
      description: description.input.value,
      targets: targetRows.map((r) => ({
        subnet: r.subnet.input.value.trim(),
        ports: r.ports.input.value.trim() || null,
        rateLimit: num(r.rateLimit.input.value || '0'),
        portListRateLimit: num(r.portListRateLimit.input.value || '0'),
      })),
    };
    if (managed) body.scanners = [...members.querySelectorAll('input[type=checkbox]:checked')].map((c) => c.value);
    try {
      if (g) await call('PUT', groupPath(g.id), { body, ifMatch: etag });
      else await call('POST', GROUPS, { body });
      announce(`Group ${body.name} saved`);
      afterWrite();
      d.close();
    } catch (e) {
      submit.disabled = false;
      if (e.status === 401) return;
      const fields = { name, description };
      targetRows.forEach((r, i) => {
        for (const k of ['subnet', 'ports', 'rateLimit', 'portListRateLimit']) fields[`targets[${i}].${k}`] = r[k];
      });
      let named = false;
      for (const [k, f] of Object.entries(fields)) {
        const m = e instanceof ApiError ? e.fieldMessage(k) : null;
        f.setError(m);
        if (m && !named) { f.input.focus(); named = true; }
      }
      const memberMessage = e instanceof ApiError ? (e.problem.errors || []).filter((x) => x.field.startsWith('scanners')).map((x) => x.message).join('; ') : '';
      memberErrors.textContent = memberMessage;
      memberErrors.hidden = !memberMessage;
      general.textContent = named || memberMessage ? '' : (e.status === 412 ? 'The group changed elsewhere; close this dialog and open it again.' : describeError(e));
      general.hidden = !general.textContent;
    }
  });
  d.body.append(form);
  focusFirst(form);
}
