import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorLine, fmtTime, html, usePoll } from '../ui.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function UserDetail({ user, session }) {
  const billing = session.role === 'admin' || session.role === 'billing';
  const support = session.role === 'admin' || session.role === 'support';
  const balance = usePoll(() => (billing ? api('GET', `/v1/users/${user.id}/balance`) : Promise.resolve(undefined)), [user.id]);
  const sessions = usePoll(() => (support ? api('GET', `/v1/users/${user.id}/sessions`) : Promise.resolve(undefined)), [user.id]);
  const invoices = usePoll(() => (billing ? api('GET', `/v1/users/${user.id}/invoices`) : Promise.resolve(undefined)), [user.id]);
  const [topUp, setTopUp] = useState({ amount: '', currency: 'USD', reference: '' });
  const [plan, setPlan] = useState('');
  const [error, setError] = useState(undefined);
  const done = (reload) => () => {
    setError(undefined);
    reload();
  };
  const submitTopUp = (e) => {
    e.preventDefault();
    const reference = topUp.reference || `console-${Date.now()}`;
    api('POST', `/v1/users/${user.id}/balance`, { amount: topUp.amount, currency: topUp.currency, reference }).then(done(balance.reload), setError);
  };
  return html`<div class="user">
    <h2>${user.username} <small>${user.phoneNumber}</small></h2>
    <${ErrorLine} error=${error} />
    ${balance.data ? html`<dl class="balance" data-testid="balance">
      <dt>balance</dt><dd data-testid="balance-amount">${balance.data.balance} ${balance.data.currency}</dd>
      <dt>reserved</dt><dd>${balance.data.reserved}</dd><dt>available</dt><dd>${balance.data.available}</dd>
      <dt>price plan</dt><dd>${balance.data.planId || 'default'}</dd></dl>` : null}
    ${billing ? html`<form class="inline" aria-label="top up" onSubmit=${submitTopUp}>
      <label>Amount <input name="amount" inputmode="decimal" required value=${topUp.amount} onInput=${(e) => setTopUp({ ...topUp, amount: e.currentTarget.value })} /></label>
      <label>Currency <input name="currency" size="3" value=${topUp.currency} onInput=${(e) => setTopUp({ ...topUp, currency: e.currentTarget.value })} /></label>
      <label>Reference <input name="reference" value=${topUp.reference} onInput=${(e) => setTopUp({ ...topUp, reference: e.currentTarget.value })} /></label>
      <button type="submit" data-testid="top-up">Top up</button></form>
      <form class="inline" aria-label="price plan" onSubmit=${(e) => { e.preventDefault(); api('PUT', `/v1/users/${user.id}/price-plan`, { planId: plan }).then(done(balance.reload), setError); }}>
      <label>Price plan id <input value=${plan} onInput=${(e) => setPlan(e.currentTarget.value)} /></label><button type="submit">Assign</button></form>` : null}
    ${sessions.data ? html`<h3>Devices</h3><table><thead><tr><th>contact</th><th>agent</th><th>since</th><th></th></tr></thead><tbody>
      ${sessions.data.sessions.map((s) => html`<tr><td>${s.contactUri}</td><td>${s.userAgent || ''}</td><td>${fmtTime(s.registeredAt)}</td>
      <td><button type="button" onClick=${() => api('DELETE', `/v1/sessions/${s.id}`).then(done(sessions.reload), setError)}>Log out</button></td></tr>`)}</tbody></table>` : null}
    ${invoices.data ? html`<h3>Invoices</h3><ul>${invoices.data.invoices.map((i) => html`<li>${i.period} ${i.total} ${i.currency} (${i.status})
      <a href=${`/v1/invoices/${i.id}?format=html`} target="_blank" rel="noopener">HTML</a> <a href=${`/v1/invoices/${i.id}?format=pdf`} target="_blank" rel="noopener">PDF</a></li>`)}</ul>` : null}
  </div>`;
}

export function Users({ session }) {
  const [term, setTerm] = useState('');
  const [user, setUser] = useState(undefined);
  const [error, setError] = useState(undefined);
  const search = (e) => {
    e.preventDefault();
    const found = UUID.test(term) ? api('GET', `/v1/users/${term}`) : api('GET', `/v1/users?username=${encodeURIComponent(term)}`).then((r) => r.users[0]);
    found.then((u) => {
      setUser(u);
      setError(u ? undefined : { message: 'no such user' });
    }, setError);
  };
  return html`<section aria-labelledby="users-title">
    <h1 id="users-title">Users and balances</h1>
    <form class="inline" role="search" onSubmit=${search}><label>Username or id <input name="user" value=${term} onInput=${(e) => setTerm(e.currentTarget.value)} /></label><button type="submit">Find</button></form>
    <${ErrorLine} error=${error} />
    ${user ? html`<${UserDetail} key=${user.id} user=${user} session=${session} />` : null}
  </section>`;
}
