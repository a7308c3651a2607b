import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorLine, fmtDuration, html, partyName, useCarrierNames } from '../ui.js';

const startOf = (call) => Date.parse((call.history[0] || {}).at || new Date().toISOString());
const nodeOf = (call, live) => call.node || live.node;
const distinct = (values) => [...new Set(values.filter(Boolean))].sort();

// The clock the durations count on: ticks each second in the page, so durations move between
// feed messages (which now come only when a call changes).
function useNow() {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

// Pure, for the filters: a call matches a user filter on its parties' names, numbers or dialled
// string; carrier and node filters are exact.
export function matches(call, filter, live) {
  if (filter.user) {
    const needle = filter.user.toLowerCase();
    if (!JSON.stringify([call.caller, call.callee, call.dialed]).toLowerCase().includes(needle)) return false;
  }
  if (filter.carrier && call.carrierId !== filter.carrier) return false;
  if (filter.node && nodeOf(call, live) !== filter.node) return false;
  return true;
}

export function LiveCalls({ live, session }) {
  const [filter, setFilter] = useState({ user: '', carrier: '', node: '' });
  const [error, setError] = useState(undefined);
  const now = useNow();
  const carrierName = useCarrierNames(session);
  const canHangUp = session.role === 'admin' || session.role === 'support';
  const all = live ? live.calls : [];
  const calls = all.filter((c) => matches(c, filter, live));
  const hangUp = (id) => api('DELETE', `/v1/calls/${id}`).then(() => setError(undefined), setError);
  const set = (key) => (e) => setFilter({ ...filter, [key]: e.currentTarget.value });
  const carriers = distinct(all.map((c) => c.carrierId));
  const nodes = distinct([...(live ? [live.node] : []), ...all.map((c) => c.node)]);
  return html`
    <section aria-labelledby="live-title">
      <h1 id="live-title">Live calls</h1>
      <form class="filters" role="search" aria-label="filter live calls" onSubmit=${(e) => e.preventDefault()}>
        <label>User or number <input type="search" name="user" value=${filter.user} onInput=${set('user')} /></label>
        <label>Carrier <select name="carrier" value=${filter.carrier} onChange=${set('carrier')}>
          <option value="">any</option>${carriers.map((id) => html`<option value=${id}>${carrierName(id)}</option>`)}</select></label>
        <label>Node <select name="node" value=${filter.node} onChange=${set('node')}>
          <option value="">any</option>${nodes.map((n) => html`<option value=${n}>${n}</option>`)}</select></label>
      </form>
      <${ErrorLine} error=${error} />
      <p class="muted" role="status">${live ? `${calls.length} of ${all.length} live calls, updated ${new Date(live.at).toLocaleTimeString()}${live.via === 'events' ? ' (as calls change)' : ''}` : 'connecting…'}</p>
      <table class="calls"><thead><tr><th>from</th><th>to</th><th>state</th><th>duration</th><th>carrier</th><th>node</th>${canHangUp ? html`<th><span class="skip">actions</span></th>` : null}</tr></thead>
      <tbody>${calls.map((c) => html`<tr data-call-id=${c.id} data-carrier-id=${c.carrierId || ''}>
        <td>${partyName(c.caller)}</td><td>${c.callee ? partyName(c.callee) : c.dialed}</td><td>${c.state}</td>
        <td>${fmtDuration((now - startOf(c)) / 1000)}</td><td class="carrier">${c.carrierId ? carrierName(c.carrierId) : html`<span class="muted">${c.direction || 'on-net'}</span>`}</td>
        <td class="node">${nodeOf(c, live)}</td>
        ${canHangUp ? html`<td><button type="button" class="danger" onClick=${() => hangUp(c.id)} aria-label=${`hang up call from ${partyName(c.caller)}`}>Hang up</button></td>` : null}
      </tr>`)}</tbody></table>
    </section>`;
}
