import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorLine, fmtDuration, html, partyName } from '../ui.js';

const startOf = (call) => Date.parse((call.history[0] || {}).at || new Date().toISOString());

export function LiveCalls({ live, session }) {
  const [filter, setFilter] = useState('');
  const [error, setError] = useState(undefined);
  const canHangUp = session.role === 'admin' || session.role === 'support';
  const calls = (live ? live.calls : []).filter((c) => !filter || JSON.stringify([c.caller, c.callee, c.dialed]).toLowerCase().includes(filter.toLowerCase()));
  const hangUp = (id) => api('DELETE', `/v1/calls/${id}`).then(() => setError(undefined), setError);
  const now = live ? Date.parse(live.at) : Date.now();
  return html`
    <section aria-labelledby="live-title">
      <h1 id="live-title">Live calls</h1>
      <label>Filter (user, number) <input type="search" value=${filter} onInput=${(e) => setFilter(e.currentTarget.value)} /></label>
      <${ErrorLine} error=${error} />
      <p class="muted">${live ? `${calls.length} of ${live.calls.length} live calls, updated ${new Date(live.at).toLocaleTimeString()}` : 'connecting…'}</p>
      <table class="calls"><thead><tr><th>from</th><th>to</th><th>state</th><th>duration</th><th>node</th>${canHangUp ? html`<th></th>` : null}</tr></thead>
      <tbody>${calls.map((c) => html`<tr data-call-id=${c.id}>
        <td>${partyName(c.caller)}</td><td>${c.callee ? partyName(c.callee) : c.dialed}</td><td>${c.state}</td>
        <td>${fmtDuration((now - startOf(c)) / 1000)}</td><td>${live.node}</td>
        ${canHangUp ? html`<td><button type="button" class="danger" onClick=${() => hangUp(c.id)} aria-label=${`hang up call from ${partyName(c.caller)}`}>Hang up</button></td>` : null}
      </tr>`)}</tbody></table>
    </section>`;
}
