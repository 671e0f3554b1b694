// The Scanner ACL page: the scanners' bound addresses as firewall rules, to show or download.
import { call, ACL, withQuery } from './api.js';
import { h, clear, describeError, saveBlob, announce } from './ui.js';

const FORMATS = [
  { value: 'json', label: 'JSON', file: 'scanner-acl.json' },
  { value: 'nginx', label: 'nginx (allow/deny)', file: 'scanner-acl.nginx.conf' },
  { value: 'iptables', label: 'iptables (IPv4)', file: 'scanner-acl.iptables' },
  { value: 'ip6tables', label: 'ip6tables (IPv6)', file: 'scanner-acl.ip6tables' },
  { value: 'cloudflare', label: 'Cloudflare IP list', file: 'scanner-acl.cloudflare.txt' },
];

export function aclPage(main) {
  const select = h('select', { id: 'acl-format' }, FORMATS.map((f) => h('option', { value: f.value }, f.label)));
  const preview = h('pre', { class: 'script', id: 'acl-preview', tabindex: '0', 'aria-label': 'ACL preview' });
  const message = h('p', { role: 'status' });
  const format = () => FORMATS.find((f) => f.value === select.value);

  async function fetchAcl(as) {
    return call('GET', withQuery(ACL, { format: select.value }), { as });
  }

  async function show() {
    try {
      const r = await fetchAcl('text');
      preview.textContent = select.value === 'json' ? JSON.stringify(JSON.parse(r.data), null, 2) : r.data;
      const skipped = r.headers.get('Mipo-Acl-Skipped');
      message.textContent = skipped ? `Not expanded (no AS database entry): ${skipped}` : '';
    } catch (e) {
      if (e.status !== 401) message.textContent = describeError(e);
    }
  }

  async function download() {
    try {
      const r = await fetchAcl('blob');
      saveBlob(r.data, format().file);
      announce(`${format().file} downloaded`);
    } catch (e) {
      if (e.status !== 401) message.textContent = describeError(e);
    }
  }

  select.addEventListener('change', show);
  clear(main,
    h('div', { class: 'page-head' }, h('h1', {}, 'Scanner ACL')),
    h('p', { class: 'lead' }, 'Firewall rules that admit the scanners\' bound source addresses (ip, subnet and, with an AS database, asn bindings). '
      + 'Use them to let your scanners through to the ingest endpoint.'),
    h('div', { class: 'filters' },
      h('div', { class: 'field inline' }, h('label', { for: 'acl-format' }, 'Format'), select),
      h('button', { type: 'button', class: 'primary', id: 'acl-download', onclick: download }, 'Download')),
    message, preview);
  show();
  return { stop() {} };
}
