import './style.css';
import { render } from 'preact';
import { useState } from 'preact/hooks';
import htm from 'htm';
import { h } from 'preact';

const html = htm.bind(h);

function Login() {
  const [error, setError] = useState('');
  const submit = async (e) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const res = await fetch('/console/api/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: form.get('username'), password: form.get('password') }),
    });
    if (res.ok) window.location.assign('/console/');
    else setError(res.status === 401 ? 'Wrong username or password.' : `Login failed (${res.status}).`);
  };
  return html`<main class="login">
    <h1>Operations console</h1>
    <form onSubmit=${submit}>
      <label>Username <input name="username" autocomplete="username" required autofocus /></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required /></label>
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
      <button type="submit">Log in</button>
    </form>
  </main>`;
}

render(html`<${Login} />`, document.getElementById('app'));
