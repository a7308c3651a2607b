import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type loadBenchConfig } from './config';
import { registerScenario, uasScenario } from './sipp/scenarios';
import { startSipp, waitForUdpPort, type SippProcess } from './sipp/sipp';

// The callee's device: registered once, then answering every call at once until the run ends.
export async function startCallee(config: ReturnType<typeof loadBenchConfig>, callee: { username: string; password: string }): Promise<SippProcess> {
  const dir = join(config.outDir, 'callee');
  mkdirSync(dir, { recursive: true });
  const port = String(config.ports.callee);
  const register = startSipp(dir, 'register', registerScenario(callee.username, 3600), [
    config.sipTarget, '-i', '127.0.0.1', '-p', port, '-m', '1', '-nostdin',
    '-au', callee.username, '-ap', callee.password,
    '-timeout', '10s', '-timeout_error', '-trace_err', '-error_file', 'register_errors.log',
  ]);
  const code = await register.exited;
  if (code !== 0) throw new Error(`the callee did not register (sipp exit ${code}); see ${dir}`);
  const uas = startSipp(dir, 'uas', uasScenario(), [
    config.sipTarget, '-i', '127.0.0.1', '-p', port, '-mi', '127.0.0.1', '-mp', String(config.ports.calleeMedia),
    '-nostdin', '-trace_err', '-error_file', 'uas_errors.log',
  ]);
  await waitForUdpPort(config.ports.callee, 5000, uas);
  return uas;
}

