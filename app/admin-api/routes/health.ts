import { Router } from 'express';
import { errorMessage } from '../../shared/kernel';

export interface HealthCheck {
  name: string;
  check(): Promise<void>;
}

const CHECK_TIMEOUT_MS = 2000;

async function run(check: HealthCheck): Promise<{ ok: boolean; latencyMs: number; error?: string }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check.check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: errorMessage(error) };
  } finally {
    clearTimeout(timer);
  }
}

// 200 only when every dependency answers; otherwise 503, naming the ones that do not.
export function healthRouter(checks: HealthCheck[]): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    const results = await Promise.all(checks.map(async (check) => [check.name, await run(check)] as const));
    const ok = results.every(([, result]) => result.ok);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', checks: Object.fromEntries(results) });
  });
  return router;
}
