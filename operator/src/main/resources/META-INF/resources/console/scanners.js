// The Scanners page: the fleet table with inline edits, filters, sorting, paging, the Add Scanner
// dialog, the row actions, and live updates (a conditional GET every 5 s: 304 while nothing changed).
import { call, ApiError, SCANNERS, scannerPath, withQuery } from './api.js';
import {
  h, clear, announce, showBanner, describeError, openDialog, focusFirst, confirmDialog, field,
  menuButton, isMenuOpen, date, statusBadge, saveBlob, poll, pager,
} from './ui.js';

export const REFRESH_MS = 5000;

const COLUMNS = [
  { key: 'name', label: 'Name', sort: 'name' },
  { key: 'description', label: 'Description', sort: 'description' },
  { key: 'status', label: 'Status', sort: 'status' },
  { key: 'binding', label: 'Binding', sort: 'binding' },
  { key: 'createdBy', label: 'Created By', sort: 'createdBy' },
  { key: 'rateLimit', label: 'Rate Limit', sort: 'rateLimit' },
  { key: 'createdAt', label: 'Created', sort: 'createdAt' },
];
const FILTERS = [
  { key: 'status', label: 'Status' },
  { key: 'bindingMode', label: 'Binding mode' },
  { key: 'createdBy', label: 'Created by' },
  { key: 'group', label: 'Group' },
];
const EDITABLE = { name: 'Name', description: 'Description', rateLimit: 'Rate Limit' };

export function scannersPage(main) {
  const state = {
    q: '', status: '', bindingMode: '', createdBy: '', group: '',
    sort: 'name', order: 'asc', page: 1, pageSize: 50,
    etag: null, data: null, filterValues: null, filterEtag: null,
    editing: null, pendingRender: false,
    cellNotes: new Map(), // "id/field" -> {text, kind}
  };

  const search = h('input', { type: 'search', id: 'scanner-search', placeholder: 'Name or description', autocomplete: 'off' });
  let searchTimer;
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => { state.q = search.value.trim(); state.page = 1; refresh(true); }, 300);
  });
  const filterBar = h('div', { class: 'filters', role: 'search', 'aria-label': 'Filter scanners' },
    h('div', { class: 'field inline' }, h('label', { for: 'scanner-search' }, 'Search'), search),
    h('span', { id: 'filter-selects', class: 'filter-selects' }));
  const tableHost = h('div', { class: 'table-host' });
  const pagerHost = h('div');
  const addButton = h('button', { type: 'button', class: 'primary', onclick: () => addScannerDialog(afterWrite) }, 'Add Scanner');
  const live = h('p', { class: 'live-note', id: 'live-note' }, 'Updates live');

  clear(main,
    h('div', { class: 'page-head' }, h('h1', {}, 'Scanners'), addButton),
    h('p', { class: 'lead' }, 'Stateless agents on your networks that run the port scans. Provision them here, bind them to '
      + 'their source address, disable or delete them. Each installs with a one-time curl command.'),
    filterBar, tableHost, pagerHost,
    h('div', { class: 'page-foot' },
      h('span', {}, 'Agent distribution: '),
      h('button', { type: 'button', class: 'link-button', onclick: showInstallScript }, 'Install script preview'),
      h('button', { type: 'button', class: 'link-button', onclick: showBinaryHash }, 'Binary hash'),
      h('button', { type: 'button', class: 'link-button', onclick: downloadSource }, 'Source code (tar.gz)'),
      live));

  function listPath() {
    return withQuery(SCANNERS, {
      q: state.q, status: state.status, bindingMode: state.bindingMode, createdBy: state.createdBy, group: state.group,
      sort: state.sort, order: state.order, page: state.page, pageSize: state.pageSize,
    });
  }

  let inFlight = null;
  /** Loads the current page; with force, ignores the ETag (after a write or a new query). */
  async function refresh(force = false) {
    const path = listPath();
    const mine = {};
    inFlight = mine;
    try {
      const r = await call('GET', path, { ifNoneMatch: force ? null : state.etag });
      if (inFlight !== mine) return; // a newer query has started
      live.textContent = `Updates live · checked ${new Date().toLocaleTimeString()}`;
      if (r.status === 304) { if (state.pendingRender) render(); return; }
      state.etag = r.etag;
      state.data = r.data;
      if (r.data.items.length === 0 && state.page > 1 && r.data.total > 0) {
        state.page = Math.ceil(r.data.total / state.pageSize);
        refresh(true);
        return;
      }
      render();
      loadFilterValues();
    } catch (e) {
      if (e.status === 401) return;
      live.textContent = `Not updating: ${describeError(e)}`;
      if (e.status === 403 || e.status === 400) showBanner(describeError(e));
    }
  }

  async function loadFilterValues() {
    try {
      const r = await call('GET', `${SCANNERS}/filter-values`, { ifNoneMatch: state.filterEtag });
      if (r.status === 304) return;
      state.filterEtag = r.etag;
      state.filterValues = r.data;
      renderFilters();
    } catch (e) { /* the list shows the error */ }
  }

  function renderFilters() {
    const host = document.getElementById('filter-selects');
    if (!host) return;
    const focused = document.activeElement && document.activeElement.id;
    clear(host, FILTERS.map((f) => {
      const values = (state.filterValues && state.filterValues[f.key]) || [];
      const id = `filter-${f.key}`;
      const select = h('select', { id, onchange: (e) => { state[f.key] = e.target.value; state.page = 1; refresh(true); } },
        h('option', { value: '' }, 'All'),
        values.map((v) => h('option', { value: v.value, selected: state[f.key] === v.value }, `${v.value} (${v.count})`)),
        state[f.key] && !values.some((v) => v.value === state[f.key])
          ? h('option', { value: state[f.key], selected: true }, `${state[f.key]} (0)`) : null);
      return h('div', { class: 'field inline' }, h('label', { for: id }, f.label), select);
    }));
    if (focused && focused.startsWith('filter-')) document.getElementById(focused)?.focus();
  }

  function render() {
    if (state.editing || isMenuOpen()) { state.pendingRender = true; return; }
    state.pendingRender = false;
    const active = document.activeElement;
    const focusKey = active && tableHost.contains(active) ? active.dataset.key : null;
    const d = state.data;
    const table = h('table', { class: 'grid', id: 'scanners-table', 'aria-describedby': 'scanners-caption' },
      h('caption', { id: 'scanners-caption', class: 'sr-only' },
        `Scanners, sorted by ${COLUMNS.find((c) => c.sort === state.sort).label} ${state.order === 'asc' ? 'ascending' : 'descending'}. `
        + 'Name, description and rate limit are editable: activate the cell, Enter saves, Escape cancels.'),
      h('thead', {}, h('tr', {},
        COLUMNS.map((c) => {
          const sorted = state.sort === c.sort;
          return h('th', { scope: 'col', 'aria-sort': sorted ? (state.order === 'asc' ? 'ascending' : 'descending') : null },
            h('button', {
              type: 'button', class: 'sort', dataset: { key: `sort-${c.key}` },
              onclick: () => {
                if (state.sort === c.sort) state.order = state.order === 'asc' ? 'desc' : 'asc';
                else { state.sort = c.sort; state.order = 'asc'; }
                state.page = 1;
                refresh(true);
              },
            }, c.label, h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, sorted ? (state.order === 'asc' ? ' ▲' : ' ▼') : '')));
        }),
        h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Row actions')))),
      h('tbody', {}, d.items.length === 0
        ? h('tr', {}, h('td', { colspan: String(COLUMNS.length + 1), class: 'empty' },
          state.q || state.status || state.bindingMode || state.createdBy || state.group
            ? 'No scanner matches these filters.' : 'No scanners yet. Use "Add Scanner" to provision the first one.'))
        : d.items.map(row)));
    clear(tableHost, table);
    clear(pagerHost, pager(state, d.total, (change) => { Object.assign(state, change); refresh(true); }));
    if (focusKey) tableHost.querySelector(`[data-key="${CSS.escape(focusKey)}"]`)?.focus();
  }

  function row(s) {
    return h('tr', { dataset: { id: s.id } },
      h('th', { scope: 'row', class: 'cell-name' }, editableCell(s, 'name', s.name)),
      h('td', { class: 'cell-description' }, editableCell(s, 'description', s.description)),
      h('td', { class: 'cell-status' }, statusBadge(s.status)),
      h('td', { class: 'cell-binding' }, bindingCell(s.binding)),
      h('td', { class: 'cell-created-by' }, s.createdBy || h('span', { class: 'muted' }, '—')),
      h('td', { class: 'cell-rate num' }, editableCell(s, 'rateLimit', s.rateLimit)),
      h('td', { class: 'cell-created' }, date(s.createdAt)),
      h('td', { class: 'cell-actions' }, actionsButton(s)));
  }

  function shown(fieldName, value) {
    if (fieldName === 'rateLimit') return value === 0 ? '—' : Number(value).toLocaleString();
    if (fieldName === 'description') return value || '';
    return value;
  }

  function editableCell(s, fieldName, value) {
    const key = `${s.id}/${fieldName}`;
    const note = state.cellNotes.get(key);
    const label = `${EDITABLE[fieldName]}: ${fieldName === 'rateLimit' && value === 0 ? 'unlimited' : (value || 'empty')}. Edit`;
    const button = h('button', {
      type: 'button', class: `cell-edit${fieldName === 'description' && !value ? ' placeholder' : ''}`,
      'aria-label': label, title: 'Click to edit', dataset: { key: `edit-${key}`, field: fieldName },
      onclick: () => startEdit(s, fieldName, button.parentElement),
    }, fieldName === 'description' && !value ? 'Add a description' : shown(fieldName, value));
    return [button, note ? h('p', { class: `cell-note ${note.kind}`, role: 'alert' }, note.text) : null];
  }

  async function startEdit(s, fieldName, cell) {
    state.cellNotes.clear(); // earlier errors and notices have been read

    let etag;
    let current = s;
    try {
      const r = await call('GET', scannerPath(s.id));
      etag = r.etag;
      current = r.data;
    } catch (e) {
      if (e.status !== 401) showBanner(describeError(e));
      return;
    }
    const input = fieldName === 'description'
      ? h('input', { type: 'text', maxlength: '10000', value: current.description || '' })
      : fieldName === 'rateLimit'
        ? h('input', { type: 'text', inputmode: 'numeric', value: String(current.rateLimit), class: 'num' })
        : h('input', { type: 'text', value: current.name });
    input.setAttribute('aria-label', EDITABLE[fieldName]);
    input.dataset.key = `input-${s.id}/${fieldName}`;
    const hint = h('span', { class: 'sr-only' }, 'Enter saves, Escape cancels');
    const hintId = `hint-${s.id}-${fieldName}`;
    hint.id = hintId;
    input.setAttribute('aria-describedby', hintId);
    state.editing = { id: s.id, fieldName };
    let saving = false;
    const finish = () => {
      state.editing = null;
      render();
      tableHost.querySelector(`[data-key="${CSS.escape(`edit-${s.id}/${fieldName}`)}"]`)?.focus();
    };
    input.addEventListener('keydown', async (event) => {
      if (event.key === 'Escape') { event.preventDefault(); event.stopPropagation(); finish(); }
      if (event.key !== 'Enter' || saving) return;
      event.preventDefault();
      saving = true;
      input.setAttribute('aria-busy', 'true');
      const raw = input.value;
      let value = raw;
      if (fieldName === 'rateLimit') value = /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : raw.trim();
      const noteKey = `${s.id}/${fieldName}`;
      try {
        const r = await call('PUT', scannerPath(s.id), { body: { [fieldName]: value }, ifMatch: etag });
        replaceRow(r.data);
        announce(`${EDITABLE[fieldName]} of ${r.data.name} saved`);
      } catch (e) {
        if (e.status === 401) return;
        if (e.status === 412) {
          state.cellNotes.set(noteKey, { kind: 'warning', text: 'This scanner was changed elsewhere; showing its current value. Edit again to change it.' });
          try { replaceRow((await call('GET', scannerPath(s.id))).data); } catch { /* the next refresh shows it */ }
        } else if (e.status === 404) {
          showBanner('This scanner no longer exists.');
        } else {
          const message = e instanceof ApiError ? (e.fieldMessage(fieldName) || describeError(e)) : String(e);
          state.cellNotes.set(noteKey, { kind: 'error', text: message });
        }
      }
      finish();
      refresh(true);
    });
    input.addEventListener('blur', () => { if (!saving && state.editing) setTimeout(() => { if (!saving && document.activeElement !== input) finish(); }, 0); });
    clear(cell, input, hint);
    input.focus();
    input.select();
  }

  function replaceRow(scanner) {
    if (!state.data) return;
    const i = state.data.items.findIndex((x) => x.id === scanner.id);
    if (i >= 0) state.data.items[i] = scanner;
  }

  function bindingCell(b) {
    if (!b || b.mode === 'none') return h('span', { class: 'muted' }, 'none');
    return h('span', { class: 'binding' },
      h('span', { class: 'binding-mode' }, b.mode), ' ',
      h('span', { class: 'binding-value' }, b.value || 'learning…'),
      b.enforcement === 'Audit' ? h('span', { class: 'tag' }, 'audit') : null,
      b.mismatchCount > 0
        ? h('span', { class: 'badge mismatch', title: `${b.mismatchCount} connection(s) from a non-matching address` },
          String(b.mismatchCount), h('span', { class: 'sr-only' }, b.mismatchCount === 1 ? ' mismatch' : ' mismatches'))
        : null);
  }

  function actionsButton(s) {
    const button = menuButton('Actions', `actions-${s.id}`, () => [
      { label: 'Configure Binding', action: () => bindingDialog(s, afterWrite) },
      { label: 'Release Binding', disabled: !s.binding || s.binding.mode === 'none', action: () => run(s, 'release-binding', 'Binding released') },
      s.status === 'Disabled'
        ? { label: 'Enable', action: () => run(s, 'enable', 'Enabled') }
        : { label: 'Disable', action: () => run(s, 'disable', 'Disabled') },
      { label: 'Regenerate Token', disabled: s.deploymentMode === 'DaemonSet', action: () => regenerate(s, afterWrite) },
      { label: 'Delete', danger: true, action: () => remove(s, afterWrite) },
    ]);
    button.setAttribute('aria-label', 'Actions');
    button.title = `Actions for ${s.name}`;
    button.addEventListener('blur', () => setTimeout(() => { if (!isMenuOpen() && state.pendingRender && !state.editing) render(); }, 0));
    return button;
  }

  async function run(s, action, done) {
    try {
      await call('POST', scannerPath(s.id, `/${action}`));
      announce(`${s.name}: ${done}`);
    } catch (e) {
      if (e.status !== 401) showBanner(describeError(e));
    }
    afterWrite();
  }

  function afterWrite() { refresh(true); }

  // the first load, then a conditional GET every 5 s
  const loading = h('p', { class: 'muted' }, 'Loading scanners…');
  tableHost.append(loading);
  renderFilters();
  refresh(true);
  const poller = poll(() => refresh(false), REFRESH_MS);
  return { stop: () => poller.stop() };
}

// ---- dialogs ----

function bindingFields(mode = 'none', value = '') {
  const modeSelect = h('select', {}, ['none', 'ip', 'subnet', 'asn'].map((m) => h('option', { value: m, selected: m === mode }, m)));
  const valueInput = h('input', { type: 'text', value: value || '', autocomplete: 'off' });
  const modeField = field('Binding Mode', modeSelect, 'Restricts which source address the scanner may connect from.');
  const valueField = field('Binding Value', valueInput);
  const hints = {
    ip: 'An IPv4 or IPv6 address. Leave empty to learn it from the first registration.',
    subnet: 'A CIDR such as 203.0.113.0/24. Leave empty to learn it from the first registration.',
    asn: 'An AS number such as 64500 (or AS64500).',
  };
  const hint = h('p', { class: 'hint' });
  valueField.wrap.insertBefore(hint, valueField.error);
  const sync = () => {
    const m = modeSelect.value;
    valueField.wrap.hidden = m === 'none';
    hint.textContent = hints[m] || '';
  };
  modeSelect.addEventListener('change', sync);
  sync();
  return { modeField, valueField, modeSelect, valueInput };
}

function showFieldErrors(e, fields, general) {
  let named = false;
  for (const [name, f] of Object.entries(fields)) {
    const message = e instanceof ApiError ? e.fieldMessage(name) : null;
    f.setError(message);
    if (message && !named) { f.input.focus(); named = true; }
  }
  general.textContent = named ? '' : describeError(e);
  general.hidden = named;
}

function addScannerDialog(afterWrite) {
  const d = openDialog('Add Scanner');
  const name = field('Name', h('input', { type: 'text', required: true, maxlength: '63', autocomplete: 'off' }),
    'Letters, digits and hyphens; unique.');
  const description = field('Description', h('textarea', { rows: '2', maxlength: '10000' }), 'Optional.');
  const binding = bindingFields();
  const rate = field('Rate Limit', h('input', { type: 'text', inputmode: 'numeric', value: '0' }),
    'Maximum probes per second, 0–100,000; 0 means unlimited.');
  const general = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Create');
  const form = h('form', { novalidate: true }, name.wrap, description.wrap, binding.modeField.wrap, binding.valueField.wrap,
    rate.wrap, general,
    h('div', { class: 'dialog-actions' }, h('button', { type: 'button', onclick: () => d.close() }, 'Cancel'), submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    const rawRate = rate.input.value.trim();
    const body = {
      name: name.input.value.trim(),
      description: description.input.value,
      bindingMode: binding.modeSelect.value,
      rateLimit: /^-?\d+$/.test(rawRate) ? Number(rawRate) : (rawRate === '' ? 0 : rawRate),
    };
    if (body.bindingMode !== 'none' && binding.valueInput.value.trim()) body.bindingValue = binding.valueInput.value.trim();
    try {
      const r = await call('POST', SCANNERS, { body });
      afterWrite();
      showCommand(d, r.data.scanner, r.data, 'created');
    } catch (e) {
      submit.disabled = false;
      if (e.status === 401) return;
      showFieldErrors(e, { name, description, bindingMode: binding.modeField, bindingValue: binding.valueField, rateLimit: rate }, general);
    }
  });
  d.body.append(form);
  focusFirst(form);
}

/** The one-time install command, its expiry and a Copy button (after create or regenerate). */
function showCommand(d, scanner, issued, what) {
  d.title.textContent = what === 'created' ? `Scanner ${scanner.name} created` : `New token for ${scanner.name}`;
  if (!issued.installCommand) {
    clear(d.body, h('p', {}, 'This scanner runs as a DaemonSet in the cluster: its pods use service-account tokens, so there is no install command.'),
      h('div', { class: 'dialog-actions' }, h('button', { type: 'button', class: 'primary', onclick: () => d.close() }, 'Done')));
    d.body.querySelector('button').focus();
    return;
  }
  const code = h('code', { id: 'install-command' }, issued.installCommand);
  const copied = h('span', { class: 'copied', role: 'status' });
  const copy = h('button', {
    type: 'button', class: 'primary',
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(issued.installCommand);
        copied.textContent = 'Copied to the clipboard.';
      } catch {
        const range = document.createRange();
        range.selectNodeContents(code);
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        copied.textContent = 'Selected: press Ctrl+C to copy.';
      }
    },
  }, 'Copy');
  const expires = issued.tokenExpiresAt ? new Date(issued.tokenExpiresAt) : null;
  clear(d.body,
    h('p', {}, 'Run this command on the server that will host the scanner. It downloads the agent, checks its hash and registers it with a one-time token.'),
    h('pre', { class: 'command', tabindex: '0', 'aria-label': 'Install command' }, code),
    h('div', { class: 'copy-row' }, copy, copied),
    expires ? h('p', { id: 'token-expiry' }, 'The token expires ',
      h('time', { datetime: issued.tokenExpiresAt }, expires.toLocaleString()), ` (in ${Math.round((expires - Date.now()) / 3600000)} h).`) : null,
    h('p', { class: 'warning-text', id: 'not-shown-again' }, 'This command will not be shown again. Copy it now.'),
    h('p', {}, 'The scanner shows as Pending until the agent sends its first heartbeat, then Active.'),
    h('div', { class: 'dialog-actions' }, h('button', { type: 'button', onclick: () => d.close() }, 'Done')));
  copy.focus();
}

async function bindingDialog(s, afterWrite) {
  let details = null;
  try {
    details = (await call('GET', scannerPath(s.id, '/binding'))).data;
  } catch (e) {
    if (e.status !== 401) showBanner(describeError(e));
    return;
  }
  const d = openDialog(`Configure Binding: ${s.name}`);
  const binding = bindingFields(details.mode, details.value || '');
  const enforcement = field('Enforcement', h('select', {},
    h('option', { value: 'Enforce', selected: details.enforcement !== 'Audit' }, 'Enforce: refuse connections from other addresses'),
    h('option', { value: 'Audit', selected: details.enforcement === 'Audit' }, 'Audit: allow them, but count and flag them')));
  const general = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const facts = h('dl', { class: 'facts' },
    h('dt', {}, 'Bound to'), h('dd', {}, details.boundValue || (details.mode === 'none' ? '—' : 'learning from the next connection')),
    h('dt', {}, 'Last seen from'), h('dd', {}, details.lastSeenAddress || '—'),
    h('dt', {}, 'Mismatches'), h('dd', {}, String(details.mismatchCount || 0),
      details.lastMismatch ? ` (last from ${details.lastMismatch.address}, ${new Date(details.lastMismatch.time).toLocaleString()})` : ''));
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Save');
  const form = h('form', { novalidate: true }, facts, binding.modeField.wrap, binding.valueField.wrap, enforcement.wrap, general,
    h('div', { class: 'dialog-actions' }, h('button', { type: 'button', onclick: () => d.close() }, 'Cancel'), submit));
  const syncEnforcement = () => { enforcement.wrap.hidden = binding.modeSelect.value === 'none'; };
  binding.modeSelect.addEventListener('change', syncEnforcement);
  syncEnforcement();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    const body = { bindingMode: binding.modeSelect.value };
    if (body.bindingMode !== 'none') {
      if (binding.valueInput.value.trim()) body.bindingValue = binding.valueInput.value.trim();
      body.enforcement = enforcement.input.value;
    }
    try {
      // no If-Match: the dialog sets the whole binding, and the scanner's ETag also changes with
      // every status write by the operator, which would refuse a binding change for no visible reason
      await call('PATCH', scannerPath(s.id), { body });
      announce(`Binding of ${s.name} saved`);
      afterWrite();
      d.close();
    } catch (e) {
      submit.disabled = false;
      if (e.status === 401) return;
      showFieldErrors(e, { bindingMode: binding.modeField, bindingValue: binding.valueField, enforcement }, general);
    }
  });
  d.body.append(form);
  focusFirst(form);
}

async function regenerate(s, afterWrite) {
  const ok = await confirmDialog(`Regenerate the token of ${s.name}?`, [
    'A new one-time install command is issued.',
    'The old token and the running agent\'s API key stop working at once: the scanner must be installed again with the new command.',
  ], 'Regenerate Token', { danger: true });
  if (!ok) return;
  try {
    const r = await call('POST', scannerPath(s.id, '/regenerate-token'));
    afterWrite();
    const d = openDialog(`New token for ${s.name}`);
    showCommand(d, s, r.data, 'regenerated');
  } catch (e) {
    if (e.status !== 401) showBanner(describeError(e));
  }
}

async function remove(s, afterWrite) {
  const ok = await confirmDialog(`Delete ${s.name}?`, [
    'Its token and API key are revoked at once and the scanner is removed with its binding. This cannot be undone.',
  ], 'Delete', { danger: true });
  if (!ok) return;
  try {
    await call('DELETE', scannerPath(s.id));
    announce(`${s.name} deleted`);
  } catch (e) {
    if (e.status !== 401) showBanner(describeError(e));
  }
  afterWrite();
}

async function showInstallScript() {
  try {
    const r = await call('GET', `${SCANNERS}/install-script-preview`, { as: 'text' });
    const d = openDialog('Install script preview', { wide: true });
    d.body.append(h('p', {}, 'The script the install command runs, with a placeholder where the one-time token goes.'),
      h('pre', { class: 'script', tabindex: '0', 'aria-label': 'Install script' }, r.data),
      h('div', { class: 'dialog-actions' }, h('button', { type: 'button', onclick: () => d.close() }, 'Close')));
    d.body.querySelector('pre').focus();
  } catch (e) {
    if (e.status !== 401) showBanner(describeError(e));
  }
}

async function showBinaryHash() {
  try {
    const r = await call('GET', `${SCANNERS}/binary-hash`);
    const d = openDialog('Agent binary hash');
    d.body.append(h('p', {}, `Agent version ${r.data.version}. The install script checks these SHA-256 hashes before it runs anything.`),
      h('table', { class: 'grid compact' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Platform'), h('th', { scope: 'col' }, 'Size'), h('th', { scope: 'col' }, 'SHA-256'))),
        h('tbody', {}, (r.data.artifacts || []).map((a) => h('tr', {},
          h('td', {}, `${a.os}/${a.arch}`), h('td', { class: 'num' }, `${Number(a.size).toLocaleString()} bytes`),
          h('td', {}, h('code', { class: 'hash' }, a.sha256)))))),
      h('div', { class: 'dialog-actions' }, h('button', { type: 'button', onclick: () => d.close() }, 'Close')));
    d.body.querySelector('button').focus();
  } catch (e) {
    if (e.status !== 401) showBanner(describeError(e));
  }
}

async function downloadSource() {
  try {
    const r = await call('GET', `${SCANNERS}/source-code`, { as: 'blob' });
    saveBlob(r.data, 'mipo-scanner-source.tar.gz');
    announce('Source code download started');
  } catch (e) {
    if (e.status !== 401) showBanner(describeError(e));
  }
}
