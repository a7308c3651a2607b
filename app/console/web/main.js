import 'uplot/dist/uPlot.min.css';
import './style.css';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, setCsrfToken } from './api.js';
import { Audit } from './pages/audit.js';
import { Carriers } from './pages/carriers.js';
import { History } from './pages/history.js';
import { LiveCalls } from './pages/live.js';
import { Overview } from './pages/overview.js';
import { Users } from './pages/users.js';
import { ErrorLine, html } from './ui.js';

// Pages and the roles that see them (the API enforces the same; this only hides what would fail).
const PAGES = [
  { path: 'overview', title: 'Overview', view: Overview, roles: ['admin', 'billing', 'support'] },
  { path: 'live', title: 'Live calls', view: LiveCalls, roles: ['admin', 'billing', 'support'] },
  { path: 'history', title: 'Call history', view: History, roles: ['admin', 'billing', 'support'] },
  { path: 'carriers', title: 'Carriers', view: Carriers, roles: ['admin', 'support'] },
  { path: 'users', title: 'Users and balances', view: Users, roles: ['admin', 'billing', 'support'] },
  { path: 'audit', title: 'Audit log', view: Audit, roles: ['admin'] },
];

const pathOf = () => window.location.hash.replace(/^#\/?/, '') || 'overview';

// The live feed (server-sent events): live calls and, when the server has them, alarms.
function useLive() {
  const [live, setLive] = useState(undefined);
  const [alarms, setAlarms] = useState(undefined);
  const [stale, setStale] = useState(false);
  useEffect(() => {
    const source = new EventSource('/console/api/live');
    source.addEventListener('calls', (e) => {
      setLive(JSON.parse(e.data));
      setStale(false);
    });
    source.addEventListener('alarms', (e) => setAlarms(JSON.parse(e.data).alarms));
    source.addEventListener('feed-error', () => setStale(true));
    source.onerror = () => setStale(true);
    return () => source.close();
  }, []);
  return { live, alarms, stale };
}

function App({ session }) {
  const [path, setPath] = useState(pathOf());
  const { live, alarms, stale } = useLive();
  useEffect(() => {
    const onHash = () => setPath(pathOf());
    window.addEventListener('hashchange', onHash);
    // The hash may have changed between the first render and this effect (a link followed at once):
    // that hashchange had no listener yet, so read it again now.
    onHash();
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const pages = PAGES.filter((p) => p.roles.includes(session.role));
  const page = pages.find((p) => p.path === path) || pages[0];
  const logout = () => api('POST', '/console/api/logout').finally(() => window.location.assign('/console/login'));
  useEffect(() => {
    document.title = `${page.title} · console`;
  }, [page]);
  return html`
    <header>
      <nav aria-label="console">
        <ul>${pages.map((p) => html`<li><a href=${`#/${p.path}`} aria-current=${p === page ? 'page' : undefined}>${p.title}</a></li>`)}</ul>
      </nav>
      <div class="who">${session.username} (${session.role}) ${stale ? html`<span class="bad" role="status">live feed interrupted</span>` : null}
        <button type="button" onClick=${logout}>Log out</button></div>
    </header>
    <main id="main" data-page=${page.path}><${page.view} live=${live} alarms=${alarms} session=${session} /></main>`;
}

function Boot() {
  const [session, setSession] = useState(undefined);
  const [error, setError] = useState(undefined);
  useEffect(() => {
    api('GET', '/console/api/session').then((s) => {
      setCsrfToken(s.csrfToken);
      setSession(s);
    }, setError);
  }, []);
  if (error) return html`<${ErrorLine} error=${error} />`;
  return session ? html`<${App} session=${session} />` : html`<p>Loading…</p>`;
}

render(html`<${Boot} />`, document.getElementById('app'));
