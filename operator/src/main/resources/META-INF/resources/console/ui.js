// Small DOM helpers: elements built with properties (never HTML strings), modal dialogs,
// menus, announcements, formatting, and a polling loop that pauses while the page is hidden.

/** h('button', {type: 'button', onclick}, 'text', child) — attributes via setAttribute, on* as listeners. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'value') el.value = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let idCounter = 0;
export const uid = (prefix) => `${prefix}-${++idCounter}`;

/** Says something to screen-reader users (and shows it briefly as a toast). */
export function announce(text) {
  const status = document.getElementById('status');
  status.textContent = '';
  setTimeout(() => { status.textContent = text; }, 30);
  let toast = document.getElementById('toast');
  if (!toast) {
    toast = h('div', { id: 'toast', class: 'toast', 'aria-hidden': 'true' });
    document.body.append(toast);
  }
  toast.textContent = text;
  toast.classList.add('visible');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => toast.classList.remove('visible'), 4000);
}

/** An error for the whole page (role=alert), e.g. a 403 naming the missing permission. */
export function showBanner(text) {
  const banner = document.getElementById('banner');
  clear(banner, h('span', {}, text),
    h('button', { type: 'button', class: 'link-button', onclick: () => { banner.hidden = true; } }, 'Dismiss'));
  banner.hidden = false;
}

export function hideBanner() {
  document.getElementById('banner').hidden = true;
}

/** What to tell the user about a refused call. */
export function describeError(e) {
  if (e.status === 403) {
    return `Permission missing: ${e.problem.detail || 'the server refused this action'}`;
  }
  if (e.status === 412) return 'This item was changed elsewhere; showing its current state.';
  const p = e.problem || {};
  return p.detail || p.title || e.message || 'Something went wrong.';
}

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog (native <dialog>, so the page behind is inert): focus stays inside (Tab wraps),
 * Escape closes it, and focus returns to what opened it. Answers {dialog, body, close}.
 */
export function openDialog(title, { onClose, wide = false } = {}) {
  const opener = document.activeElement;
  const titleId = uid('dialog-title');
  const body = h('div', { class: 'dialog-body' });
  const dialog = h('dialog', { class: wide ? 'dialog wide' : 'dialog', 'aria-labelledby': titleId },
    h('div', { class: 'dialog-head' },
      h('h2', { id: titleId }, title),
      h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Close', onclick: () => close() }, '×')),
    body);
  const close = () => { if (dialog.open) dialog.close(); };
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (onClose) onClose();
    const back = opener && opener.isConnected ? opener : document.querySelector(opener && opener.dataset && opener.dataset.key
      ? `[data-key="${CSS.escape(opener.dataset.key)}"]` : '#main');
    if (back) back.focus();
  });
  dialog.addEventListener('keydown', (event) => {
    if (event.key !== 'Tab') return;
    const items = [...dialog.querySelectorAll(FOCUSABLE)].filter((x) => x.offsetParent !== null);
    if (items.length === 0) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (event.shiftKey && document.activeElement === first) { last.focus(); event.preventDefault(); }
    else if (!event.shiftKey && document.activeElement === last) { first.focus(); event.preventDefault(); }
  });
  document.body.append(dialog);
  dialog.showModal();
  return { dialog, body, close, title: dialog.querySelector('h2') };
}

/** Focuses the first field (or button) of a dialog. */
export function focusFirst(container) {
  const el = container.querySelector('input:not([type=hidden]), select, textarea, button.primary, button');
  if (el) el.focus();
}

/** Asks before something irreversible. Resolves true when confirmed. */
export function confirmDialog(title, message, confirmLabel, { danger = false } = {}) {
  return new Promise((resolve) => {
    let answer = false;
    const d = openDialog(title, { onClose: () => resolve(answer) });
    append(d.body, [
      ...[].concat(message).map((m) => h('p', {}, m)),
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'button', onclick: () => d.close() }, 'Cancel'),
        h('button', { type: 'button', class: danger ? 'danger' : 'primary', onclick: () => { answer = true; d.close(); } }, confirmLabel)),
    ]);
    d.body.querySelector('button').focus();
  });
}

/** A labelled form field: {wrap, input, error}. The error element is wired with aria-describedby. */
export function field(label, control, hint) {
  const id = control.id || uid('field');
  control.id = id;
  const errorId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : null;
  const error = h('p', { class: 'field-error', id: errorId, hidden: true });
  control.setAttribute('aria-describedby', [hintId, errorId].filter(Boolean).join(' '));
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, label), control,
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null, error);
  return { wrap, input: control, error, setError(msg) {
    error.textContent = msg || '';
    error.hidden = !msg;
    if (msg) control.setAttribute('aria-invalid', 'true'); else control.removeAttribute('aria-invalid');
  } };
}

/**
 * A menu button: items [{label, action, disabled}]; arrow keys move, Escape closes and returns
 * to the button, Tab and clicks elsewhere close.
 */
export function menuButton(label, key, itemsFor) {
  const button = h('button', { type: 'button', class: 'menu-button', 'aria-haspopup': 'menu', 'aria-expanded': 'false', dataset: { key } }, label);
  let menu = null;
  const closeMenu = (refocus) => {
    if (!menu) return;
    menu.remove();
    menu = null;
    button.setAttribute('aria-expanded', 'false');
    document.removeEventListener('pointerdown', outside, true);
    window.removeEventListener('scroll', onScroll, true);
    if (refocus) button.focus();
  };
  const onScroll = (event) => { if (menu && !menu.contains(event.target)) closeMenu(false); };
  const outside = (event) => { if (menu && !menu.contains(event.target) && event.target !== button) closeMenu(false); };
  const open = (focusLast) => {
    const menuId = uid('menu');
    menu = h('ul', { class: 'menu', role: 'menu', id: menuId, 'aria-label': label });
    for (const item of itemsFor()) {
      const li = h('li', { role: 'menuitem', tabindex: '-1', class: item.danger ? 'danger' : '', 'aria-disabled': item.disabled ? 'true' : null }, item.label);
      const run = () => { if (item.disabled) return; closeMenu(false); item.action(button); };
      li.addEventListener('click', run);
      li.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); run(); }
      });
      menu.append(li);
    }
    menu.addEventListener('keydown', (event) => {
      if (!menu) return; // an item's Enter has just closed it
      const items = [...menu.querySelectorAll('[role=menuitem]')];
      const i = items.indexOf(document.activeElement);
      if (event.key === 'ArrowDown') { items[(i + 1) % items.length].focus(); event.preventDefault(); }
      else if (event.key === 'ArrowUp') { items[(i - 1 + items.length) % items.length].focus(); event.preventDefault(); }
      else if (event.key === 'Home') { items[0].focus(); event.preventDefault(); }
      else if (event.key === 'End') { items[items.length - 1].focus(); event.preventDefault(); }
      else if (event.key === 'Escape') { event.preventDefault(); closeMenu(true); }
      else if (event.key === 'Tab') closeMenu(false);
    });
    button.setAttribute('aria-controls', menuId);
    button.setAttribute('aria-expanded', 'true');
    button.after(menu);
    // fixed to the viewport, so a scrolling table does not clip it; placed below (or above) the button
    const r = button.getBoundingClientRect();
    const height = menu.offsetHeight;
    menu.style.top = `${r.bottom + height + 4 > window.innerHeight ? Math.max(4, r.top - height - 4) : r.bottom + 4}px`;
    menu.style.left = `${Math.max(4, r.right - menu.offsetWidth)}px`;
    document.addEventListener('pointerdown', outside, true);
    window.addEventListener('scroll', onScroll, true);
    const items = menu.querySelectorAll('[role=menuitem]');
    (focusLast ? items[items.length - 1] : items[0]).focus();
  };
  button.addEventListener('click', () => (menu ? closeMenu(true) : open(false)));
  button.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' && !menu) { event.preventDefault(); open(false); }
    if (event.key === 'ArrowUp' && !menu) { event.preventDefault(); open(true); }
  });
  button.isOpen = () => menu !== null;
  return button;
}

export const isMenuOpen = () => document.querySelector('.menu') !== null;

/** "12 s ago", "3 min ago", "2 h ago", "4 d ago". */
export function ago(iso, now = Date.now()) {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min ago`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

export function date(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return h('time', { datetime: iso, title: d.toLocaleString() }, d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' }));
}

export function statusBadge(status) {
  return h('span', { class: `badge status-${String(status).toLowerCase()}` }, status);
}

/** Downloads a Blob under a file name (an object URL, revoked afterwards). */
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/**
 * Calls fn now and then every intervalMs while the page is visible; stop() ends it. fn may
 * return a promise; ticks never overlap.
 */
export function poll(fn, intervalMs) {
  let timer = null;
  let stopped = false;
  const tick = async () => {
    timer = null;
    if (stopped) return;
    if (!document.hidden) {
      try { await fn(); } catch { /* fn reports its own errors */ }
    }
    if (!stopped) timer = setTimeout(tick, intervalMs);
  };
  const onVisible = () => { if (!document.hidden && timer !== null) { clearTimeout(timer); tick(); } };
  document.addEventListener('visibilitychange', onVisible);
  timer = setTimeout(tick, intervalMs);
  return { stop() { stopped = true; clearTimeout(timer); document.removeEventListener('visibilitychange', onVisible); } };
}

/** A pager: "1–50 of 132", Previous, Next, page size. */
export function pager(state, total, onChange) {
  const from = total === 0 ? 0 : (state.page - 1) * state.pageSize + 1;
  const to = Math.min(total, state.page * state.pageSize);
  const pages = Math.max(1, Math.ceil(total / state.pageSize));
  const size = h('select', { 'aria-label': 'Rows per page', onchange: (e) => onChange({ page: 1, pageSize: Number(e.target.value) }) },
    [25, 50, 100, 200].map((n) => h('option', { value: String(n), selected: n === state.pageSize }, `${n} per page`)));
  return h('div', { class: 'pager' },
    h('span', { class: 'count' }, `${from}–${to} of ${total.toLocaleString()}`),
    h('button', { type: 'button', disabled: state.page <= 1, onclick: () => onChange({ page: state.page - 1 }) }, 'Previous'),
    h('span', {}, `Page ${state.page} of ${pages.toLocaleString()}`),
    h('button', { type: 'button', disabled: state.page >= pages, onclick: () => onChange({ page: state.page + 1 }) }, 'Next'),
    size);
}
