import { useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { Chart, ErrorLine, html, percent, usePoll } from '../ui.js';

const RANGE_MS = 6 * 3_600_000;
const BUCKET = 300;

function Quality({ carrier }) {
  const stats = usePoll(
    () => api('GET', `/v1/call-records/stats?${query({ carrier: carrier.id, from: new Date(Date.now() - RANGE_MS).toISOString(), bucket: BUCKET })}`),
    [carrier.id],
    30_000,
  );
  const rows = stats.data ? stats.data.rows : [];
  const xs = rows.map((r) => Date.parse(r.at) / 1000);
  return html`<div class="charts" data-carrier=${carrier.name}>
    <${ErrorLine} error=${stats.error} />
    <${Chart} title=${`${carrier.name}: ASR`} label="ASR" series=${['ASR']} data=${stats.data && [xs, rows.map((r) => (r.calls ? r.answered / r.calls : null))]} />
    <${Chart} title=${`${carrier.name}: ACD (s)`} label="s" series=${['ACD']} data=${stats.data && [xs, rows.map((r) => (r.answered ? r.talkMs / r.answered / 1000 : null))]} />
    <${Chart} title=${`${carrier.name}: PDD (ms)`} label="ms" series=${['PDD']} data=${stats.data && [xs, rows.map((r) => (r.rang ? r.pddMs / r.rang : null))]} />
  </div>`;
}

export function Carriers({ session }) {
  const list = usePoll(async () => {
    const [carriers, figures] = await Promise.all([
      api('GET', '/v1/carriers'),
      api('GET', `/v1/call-records/stats?${query({ from: new Date(Date.now() - 3_600_000).toISOString(), by: 'carrier' })}`),
    ]);
    const byId = new Map(figures.rows.map((r) => [r.carrierId, r]));
    return carriers.carriers.map((c) => ({ ...c, figures: byId.get(c.id) }));
  }, [], 30_000);
  const [selected, setSelected] = useState(undefined);
  const [error, setError] = useState(undefined);
  const toggle = (c) => api('PATCH', `/v1/carriers/${c.id}`, { enabled: !c.enabled }).then(() => list.reload(), setError);
  return html`
    <section aria-labelledby="carriers-title">
      <h1 id="carriers-title">Carriers</h1>
      <${ErrorLine} error=${list.error || error} />
      <table><thead><tr><th>carrier</th><th>host</th><th>registration</th><th>limit</th><th>calls (1 h)</th><th>ASR</th><th>ACD</th><th></th></tr></thead><tbody>
      ${(list.data || []).map((c) => html`<tr data-carrier=${c.name}>
        <td><button type="button" class="link" onClick=${() => setSelected(c)}>${c.name}</button></td><td>${c.host}:${c.port}</td>
        <td>${c.registration ? c.registration.status || 'configured' : 'none'}</td><td>${c.maxConcurrentCalls}</td>
        <td>${c.figures ? c.figures.calls : 0}</td><td>${c.figures ? percent(c.figures.answered / c.figures.calls) : '–'}</td>
        <td>${c.figures && c.figures.answered ? `${Math.round(c.figures.talkMs / c.figures.answered / 1000)} s` : '–'}</td>
        <td>${session.role === 'admin' ? html`<button type="button" onClick=${() => toggle(c)}>${c.enabled ? 'Disable' : 'Enable'}</button>` : c.enabled ? 'enabled' : 'disabled'}</td>
      </tr>`)}</tbody></table>
      ${selected ? html`<h2>${selected.name}, last 6 hours</h2><${Quality} carrier=${selected} />` : html`<p class="muted">Choose a carrier for its quality over time.</p>`}
    </section>`;
}
