import { testEnv } from './test-env';

// Direct ARI reads for assertions (what is really up in Asterisk).
export async function ariGet<T>(path: string): Promise<T> {
  const res = await fetch(`${testEnv.ariUrl}/ari${path}`, {
    headers: { authorization: `Basic ${Buffer.from(`${testEnv.ariUser}:${testEnv.ariPassword}`).toString('base64')}` },
  });
  if (!res.ok) throw new Error(`ARI GET ${path}: ${res.status}`);
  return (await res.json()) as T;
}

export async function channelsOf(username: string): Promise<{ id: string; name: string; state: string }[]> {
  const channels = await ariGet<{ id: string; name: string; state: string }[]>('/channels');
  return channels.filter((channel) => channel.name.startsWith(`PJSIP/${username}-`));
}

export async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!accept(last)) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await probe();
  }
  return last;
}
