import { api } from '../api.js';
import { ErrorLine, fmtTime, html, usePoll } from '../ui.js';

export function Audit() {
  const log = usePoll(() => api('GET', '/v1/audit?limit=100'), [], 15_000);
  return html`<section aria-labelledby="audit-title">
    <h1 id="audit-title">Audit log</h1>
    <${ErrorLine} error=${log.error} />
    <table><thead><tr><th>when</th><th>who</th><th>role</th><th>what</th><th>target</th><th>details</th><th>from</th></tr></thead><tbody>
    ${(log.data ? log.data.entries : []).map((e) => html`<tr><td>${fmtTime(e.at)}</td><td>${e.operator}</td><td>${e.role}</td><td>${e.action}</td>
      <td>${e.target || ''}</td><td><code>${JSON.stringify(e.details)}</code></td><td>${e.sourceIp}</td></tr>`)}</tbody></table>
  </section>`;
}
