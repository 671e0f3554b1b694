// The mipo console: sign-in, navigation between the pages, and the page modules.
import { session, call, SCANNERS, withQuery } from './api.js';
import { h, clear, field, hideBanner, showBanner } from './ui.js';
import { scannersPage } from './scanners.js';
import { groupsPage } from './groups.js';
import { healthPage } from './health.js';
import { aclPage } from './acl.js';

// A sign-in link (standalone mode prints http://localhost:8080/#token=...): take the token from
// the fragment, which never reaches the server, and remove it from the address bar and history at once.
(function takeTokenFromFragment() {
  const match = /^#token=([^&]+)/.exec(window.location.hash);
  if (match) {
    session.signIn(decodeURIComponent(match[1]));
    history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/scanners`);
  }
}());

const pages = { scanners: scannersPage, groups: groupsPage, health: healthPage, acl: aclPage };
const titles = { scanners: 'Scanners', groups: 'Scanner Groups', health: 'Scanner Health', acl: 'Scanner ACL' };
const main = document.getElementById('main');
let current = null;

function route() {
  const name = (window.location.hash.match(/^#\/(\w+)/) || [])[1];
  return pages[name] ? name : 'scanners';
}

function show() {
  if (current) current.stop();
  current = null;
  hideBanner();
  for (const d of document.querySelectorAll('dialog[open]')) d.close();
  if (!session.token()) {
    signInForm();
    return;
  }
  document.getElementById('nav').hidden = false;
  document.getElementById('sign-out').hidden = false;
  const name = route();
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.route === name) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  document.title = `${titles[name]} · mipo`;
  clear(main);
  current = pages[name](main);
}

function signInForm(message) {
  document.getElementById('nav').hidden = true;
  document.getElementById('sign-out').hidden = true;
  document.title = 'Sign in · mipo';
  const token = field('Token', h('input', { type: 'password', name: 'token', autocomplete: 'off', spellcheck: 'false', required: true }),
    'A Kubernetes bearer token, e.g. from: kubectl create token mipo-ui -n <namespace>. '
    + 'In standalone mode, open the link the operator printed at start-up, or paste its admin token.');
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h('form', { class: 'sign-in', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Sign in to mipo'),
    message ? h('p', { class: 'notice', role: 'alert' }, message) : null,
    token.wrap, submit,
    h('p', { class: 'hint' }, 'The token is kept in this browser tab only (sessionStorage) and sent only to this server.'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = token.input.value.trim();
    if (!value) { token.setError('Enter a token.'); token.input.focus(); return; }
    submit.disabled = true;
    session.signIn(value);
    try {
      await call('GET', withQuery(SCANNERS, { pageSize: 1 }), { signInCheck: true });
      show();
    } catch (e) {
      if (e.status === 403) { show(); return; } // signed in; the page says what is missing
      session.signOut();
      submit.disabled = false;
      token.setError(e.status === 401 ? 'This token was not accepted.' : (e.problem && e.problem.detail) || e.message);
      token.input.focus();
    }
  });
  clear(main, form);
  token.input.focus();
}

session.whenUnauthorized(() => {
  if (current) current.stop();
  current = null;
  session.signOut();
  signInForm('Your session has ended or the token was refused. Sign in again.');
});

document.getElementById('sign-out').addEventListener('click', () => {
  session.signOut();
  if (current) current.stop();
  current = null;
  signInForm('You are signed out.');
});

window.addEventListener('hashchange', () => {
  if (/^#token=/.test(window.location.hash)) window.location.reload();
  else show();
});
window.addEventListener('unhandledrejection', (event) => {
  showBanner(`Unexpected error: ${event.reason && event.reason.message ? event.reason.message : event.reason}`);
});

show();
