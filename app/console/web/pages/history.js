import { useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { ErrorLine, fmtTime, html, partyName } from '../ui.js';

const CAUSES = ['', 'completed', 'busy', 'no_answer', 'declined', 'cancelled', 'unreachable', 'no_route', 'not_allowed', 'failed', 'terminated'];
const toIso = (local) => (local ? new Date(local).toISOString() : undefined);

function Detail({ record, onClose }) {
  return html`<aside class="detail" aria-label="call detail">
    <button type="button" onClick=${onClose}>Close</button>
    <h2>Call ${record.callId}</h2>
    <dl>
      <dt>from</dt><dd>${partyName(record.caller)} ${record.caller && record.caller.number}</dd>
      <dt>to</dt><dd>${partyName(record.callee)} ${record.callee && record.callee.number}</dd>
      <dt>end</dt><dd>${record.endCause} ${record.sipCode || ''} ${record.endReason || ''}</dd>
      <dt>talk</dt><dd>${record.talkSeconds} s</dd>
      ${record.price ? html`<dt>price</dt><dd>${record.price.amount} ${record.price.currency}</dd>` : null}
      ${record.carrierCost ? html`<dt>carrier cost</dt><dd>${record.carrierCost.amount} ${record.carrierCost.currency}</dd>` : null}
      ${record.margin ? html`<dt>margin</dt><dd>${record.margin.amount}</dd>` : null}
      <dt>node</dt><dd>${record.node || ''}</dd>
    </dl>
    <h3>State history</h3>
    <ol class="ladder">${(record.history || []).map((s) => html`<li><time>${new Date(s.at).toLocaleTimeString()}</time> ${s.state}</li>`)}</ol>
    <h3>Legs</h3>
    <ol class="ladder">${(record.attempts || []).map((a) => html`<li>${a.carrierId ? `carrier ${a.carrierId.slice(0, 8)}` : 'device'}: ${a.outcome} ${a.sipCode || ''} ${a.pddMs !== undefined ? `(PDD ${a.pddMs} ms)` : ''}</li>`)}</ol>
    <h3>Media quality</h3>
    <ul>${Object.entries(record.quality || {}).map(([leg, q]) => html`<li>${leg}: MES ${q.mes ?? '–'}, jitter ${q.rxJitterMs} ms, lost ${q.rxPacketsLost}</li>`)}</ul>
  </aside>`;
}

export function History() {
  const [form, setForm] = useState({ from: '', to: '', user: '', number: '', direction: '', endCause: '', minDuration: '' });
  const [result, setResult] = useState(undefined);
  const [error, setError] = useState(undefined);
  const [detail, setDetail] = useState(undefined);
  const params = () => ({ ...form, from: toIso(form.from), to: toIso(form.to) });
  const search = (cursor) =>
    api('GET', `/v1/call-records?${query({ ...params(), limit: 50, cursor })}`).then(
      (page) => {
        setError(undefined);
        setResult((old) => (cursor && old ? { records: [...old.records, ...page.records], nextCursor: page.nextCursor } : page));
      },
      setError,
    );
  const field = (name, label, type = 'text') =>
    html`<label>${label} <input name=${name} type=${type} value=${form[name]} onInput=${(e) => setForm({ ...form, [name]: e.currentTarget.value })} /></label>`;
  return html`
    <section aria-labelledby="history-title">
      <h1 id="history-title">Call history</h1>
      <form class="filters" onSubmit=${(e) => { e.preventDefault(); search(); }}>
        ${field('from', 'From', 'datetime-local')} ${field('to', 'To', 'datetime-local')} ${field('user', 'User')} ${field('number', 'Number')}
        <label>Direction <select value=${form.direction} onChange=${(e) => setForm({ ...form, direction: e.currentTarget.value })}>
          ${['', 'on-net', 'outbound', 'inbound'].map((d) => html`<option value=${d}>${d || 'any'}</option>`)}</select></label>
        <label>End cause <select value=${form.endCause} onChange=${(e) => setForm({ ...form, endCause: e.currentTarget.value })}>
          ${CAUSES.map((c) => html`<option value=${c}>${c || 'any'}</option>`)}</select></label>
        ${field('minDuration', 'Min. talk (s)', 'number')}
        <button type="submit">Search</button>
        <a class="button" href=${`/v1/call-records?${query({ ...params(), format: 'csv' })}`} download="call-records.csv">Export CSV</a>
      </form>
      <${ErrorLine} error=${error} />
      ${result ? html`<table class="records"><thead><tr><th>time</th><th>from</th><th>to</th><th>end</th><th>talk</th><th>price</th></tr></thead>
        <tbody>${result.records.map((r) => html`<tr data-call-id=${r.callId}>
          <td><button type="button" class="link" onClick=${() => setDetail(r)}>${fmtTime(r.requestedAt)}</button></td>
          <td>${partyName(r.caller)}</td><td>${partyName(r.callee)}</td><td>${r.endCause} ${r.sipCode || ''}</td><td>${r.talkSeconds} s</td>
          <td>${r.price ? `${r.price.amount} ${r.price.currency}` : ''}</td></tr>`)}</tbody></table>
        <p class="muted">${result.records.length} calls</p>
        ${result.nextCursor ? html`<button type="button" onClick=${() => search(result.nextCursor)}>More</button>` : null}` : null}
      ${detail ? html`<${Detail} record=${detail} onClose=${() => setDetail(undefined)} />` : null}
    </section>`;
}
