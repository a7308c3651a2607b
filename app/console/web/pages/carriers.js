import { useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { Chart, ErrorLine, html, percent, usePoll } from '../ui.js';

const RANGE_MS = 6 * 3_600_000;
const BUCKET = 300;
const METRICS = [
  { key: 'asr', title: 'ASR', label: 'ratio', yMax: 1 },
  { key: 'acdSeconds', title: 'ACD (s)', label: 's' },
  { key: 'pddMs', title: 'PDD (ms)', label: 'ms' },
  { key: 'mes', title: 'MES', label: 'MES' },
];

// uPlot wants one x axis: the prefixes' points put on the union of their times (null where a
// prefix had no call in a bucket).
export function alignedSeries(prefixes, key) {
  const xs = [...new Set(prefixes.flatMap((p) => p.points.map((pt) => Date.parse(pt.at) / 1000)))].sort((a, b) => a - b);
  const ys = prefixes.map((p) => {
    const byX = new Map(p.points.map((pt) => [Date.parse(pt.at) / 1000, pt[key]]));
    return xs.map((x) => (byX.has(x) ? byX.get(x) : null));
  });
  return [xs, ...ys];
}

// The carrier's figures over time, from the call history (each attempt counted for its carrier).
function Quality({ carrier }) {
  const stats = usePoll(
    async () => {
      const to = Date.now();
      const answer = await api('GET', `/v1/call-records/stats?${query({ carrier: carrier.id, from: new Date(to - RANGE_MS).toISOString(), to: new Date(to).toISOString(), bucket: BUCKET })}`);
      return { rows: answer.rows, span: [(to - RANGE_MS) / 1000, to / 1000] };
    },
    [carrier.id],
    30_000,
  );
  const rows = stats.data ? stats.data.rows : [];
  const span = stats.data && stats.data.span;
  const xs = rows.map((r) => Date.parse(r.at) / 1000);
  return html`<div class="charts" data-carrier=${carrier.name}>
    <${ErrorLine} error=${stats.error} />
    <${Chart} title=${`${carrier.name}: ASR`} label="ASR" yMax=${1} span=${span} series=${['ASR']} data=${stats.data && [xs, rows.map((r) => (r.calls ? r.answered / r.calls : null))]} />
    <${Chart} title=${`${carrier.name}: ACD (s)`} label="s" span=${span} series=${['ACD']} data=${stats.data && [xs, rows.map((r) => (r.answered ? r.talkMs / r.answered / 1000 : null))]} />
    <${Chart} title=${`${carrier.name}: PDD (ms)`} label="ms" span=${span} series=${['PDD']} data=${stats.data && [xs, rows.map((r) => (r.rang ? r.pddMs / r.rang : null))]} />
  </div>`;
}

// Per destination prefix: what the recommendation service learned (its speed layer), with the rate.
function PrefixQuality({ carrier }) {
  const quality = usePoll(() => api('GET', `/v1/carriers/${carrier.id}/quality?${query({ from: new Date(Date.now() - RANGE_MS).toISOString(), bucket: BUCKET })}`), [carrier.id], 30_000);
  const prefixes = quality.data ? quality.data.prefixes : [];
  const span = quality.data && [Date.parse(quality.data.from) / 1000, Date.parse(quality.data.to) / 1000];
  const total = (p, key) => p.points.reduce((sum, pt) => sum + pt[key], 0);
  return html`<div class="prefixes" data-carrier=${carrier.name}>
    <${ErrorLine} error=${quality.error} />
    <table class="prefixes"><thead><tr><th>prefix</th><th>rate /min</th><th>attempts</th><th>ASR</th></tr></thead><tbody>
      ${prefixes.map((p) => html`<tr data-prefix=${p.prefix}><td>+${p.prefix}</td><td>${p.ratePerMinute || '–'}</td><td>${total(p, 'attempts')}</td>
        <td>${percent(total(p, 'answered') / total(p, 'attempts'))}</td></tr>`)}
    </tbody></table>
    ${quality.data && prefixes.length === 0 ? html`<p class="muted">no routed calls in this range</p>` : null}
    ${prefixes.length > 0 ? html`<div class="charts">${METRICS.map((m) => html`<${Chart} title=${`${carrier.name} by prefix: ${m.title}`} label=${m.label} yMax=${m.yMax} span=${span}
      series=${prefixes.map((p) => `+${p.prefix}`)} data=${alignedSeries(prefixes, m.key)} />`)}</div>` : null}
  </div>`;
}

export function Carriers({ session, live }) {
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
  // Calls in flight per carrier, from the live feed (every node's calls).
  const inFlight = new Map();
  for (const c of live ? live.calls : []) if (c.carrierId) inFlight.set(c.carrierId, (inFlight.get(c.carrierId) || 0) + 1);
  const toggle = (c) => api('PATCH', `/v1/carriers/${c.id}`, { enabled: !c.enabled }).then(() => list.reload(), setError);
  return html`
    <section aria-labelledby="carriers-title">
      <h1 id="carriers-title">Carriers</h1>
      <${ErrorLine} error=${list.error || error} />
      <table class="carriers"><thead><tr><th>carrier</th><th>host</th><th>registration</th><th>in flight / limit</th><th>calls (1 h)</th><th>ASR</th><th>ACD</th><th>PDD</th><th>cost (1 h)</th><th></th></tr></thead><tbody>
      ${(list.data || []).map((c) => {
        const busy = inFlight.get(c.id) || 0;
        return html`<tr data-carrier=${c.name}>
        <td><button type="button" class="link" onClick=${() => setSelected(c)}>${c.name}</button></td><td>${c.host}:${c.port}</td>
        <td>${c.registration ? c.registration.status || 'configured' : 'none'}</td>
        <td class=${busy >= c.maxConcurrentCalls ? 'bad' : ''} data-testid="in-flight">${busy} / ${c.maxConcurrentCalls}</td>
        <td>${c.figures ? c.figures.calls : 0}</td><td>${c.figures ? percent(c.figures.answered / c.figures.calls) : '–'}</td>
        <td>${c.figures && c.figures.answered ? `${Math.round(c.figures.talkMs / c.figures.answered / 1000)} s` : '–'}</td>
        <td>${c.figures && c.figures.rang ? `${Math.round(c.figures.pddMs / c.figures.rang)} ms` : '–'}</td>
        <td>${c.figures && c.figures.carrierCostMicros ? (c.figures.carrierCostMicros / 1e6).toFixed(2) : '–'}</td>
        <td>${session.role === 'admin' ? html`<button type="button" onClick=${() => toggle(c)} aria-label=${`${c.enabled ? 'disable' : 'enable'} ${c.name}`}>${c.enabled ? 'Disable' : 'Enable'}</button>` : c.enabled ? 'enabled' : 'disabled'}</td>
      </tr>`;
      })}</tbody></table>
      ${selected ? html`<h2>${selected.name}, last 6 hours</h2><${Quality} carrier=${selected} /><h2>${selected.name} by destination prefix</h2><${PrefixQuality} carrier=${selected} />` : html`<p class="muted">Choose a carrier for its quality over time.</p>`}
    </section>`;
}
