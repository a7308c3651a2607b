import { api, query } from '../api.js';
import { Chart, ErrorLine, html, percent, usePoll } from '../ui.js';

const HOUR = 3_600_000;

// Calls/s and answer ratio per minute over the last hour, from the call history.
export function seriesOf(rows, bucketSeconds) {
  const xs = rows.map((r) => Date.parse(r.at) / 1000);
  return {
    rate: [xs, rows.map((r) => r.calls / bucketSeconds)],
    answer: [xs, rows.map((r) => (r.calls ? r.answered / r.calls : null))],
    asr: [xs, rows.map((r) => (r.calls ? r.answered / r.calls : null))],
  };
}

export function Overview({ live, session, alarms }) {
  const stats = usePoll(async () => {
    const to = Date.now();
    const answer = await api('GET', `/v1/call-records/stats?${query({ from: new Date(to - HOUR).toISOString(), to: new Date(to).toISOString(), bucket: 60 })}`);
    return { ...answer, span: [(to - HOUR) / 1000, to / 1000] };
  }, [], 30_000);
  const carriers = usePoll(async () => {
    if (session.role === 'billing') return undefined;
    const [list, byCarrier] = await Promise.all([
      api('GET', '/v1/carriers'),
      api('GET', `/v1/call-records/stats?${query({ from: new Date(Date.now() - HOUR).toISOString(), by: 'carrier' })}`),
    ]);
    const figures = new Map(byCarrier.rows.map((r) => [r.carrierId, r]));
    return list.carriers.map((c) => ({ ...c, figures: figures.get(c.id) }));
  }, [], 30_000);
  const health = usePoll(async () => {
    const res = await fetch('/healthz');
    return res.json();
  }, [], 10_000);
  const series = stats.data && seriesOf(stats.data.rows, 60);
  const calls = live ? live.calls : [];
  const answered = calls.filter((c) => c.state === 'answered' || c.state === 'bridged').length;
  return html`
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <div class="tiles">
        <div class="tile"><span class="big" data-testid="live-count">${live ? calls.length : '…'}</span> calls live now</div>
        <div class="tile"><span class="big">${answered}</span> talking</div>
        <div class="tile"><span class="big">${alarms ? alarms.length : '–'}</span> open alarms</div>
      </div>
      <${ErrorLine} error=${stats.error} />
      <div class="charts">
        <${Chart} title="Calls per second, last hour" label="calls/s" span=${stats.data && stats.data.span} series=${['calls/s']} data=${series && series.rate} />
        <${Chart} title="Answer ratio, last hour" label="ratio" yMax=${1} span=${stats.data && stats.data.span} series=${['answered']} data=${series && series.answer} />
      </div>
      <h2>Nodes</h2>
      <table><thead><tr><th>node</th><th>status</th><th>dependencies</th></tr></thead><tbody>
        <tr><td>${session.node}</td><td class=${health.data && health.data.status === 'ok' ? 'ok' : 'bad'}>${health.data ? health.data.status : '…'}</td>
        <td>${health.data && health.data.checks ? Object.entries(health.data.checks).map(([name, check]) => html`<span class=${check.ok ? 'ok' : 'bad'}>${name} ${check.ok ? '' : '(down)'} </span>`) : ''}</td></tr>
      </tbody></table>
      ${carriers.data ? html`<h2>Carriers, last hour</h2>
      <table><thead><tr><th>carrier</th><th>enabled</th><th>calls</th><th>ASR</th></tr></thead><tbody>
        ${carriers.data.map((c) => html`<tr><td>${c.name}</td><td>${c.enabled ? 'yes' : 'no'}</td><td>${c.figures ? c.figures.calls : 0}</td>
          <td class=${c.figures && c.figures.calls >= 5 && c.figures.answered / c.figures.calls < 0.3 ? 'bad' : ''}>${c.figures ? percent(c.figures.answered / c.figures.calls) : '–'}</td></tr>`)}
      </tbody></table>` : null}
      ${alarms && alarms.length > 0 ? html`<h2>Open alarms</h2><ul class="alarms">${alarms.map((a) => html`<li class="bad">${a.summary}</li>`)}</ul>` : null}
    </section>`;
}
