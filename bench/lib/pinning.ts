import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';

// Pins processes (every thread: taskset -a) to a set of cores, e.g. Asterisk to core 0 and the rest
// of the system to core 1: what one switch core carries. Only the bench profile's own processes.
export function pin(pids: number[], cores: string): void {
  for (const pid of pids.filter((candidate) => candidate > 0)) {
    try {
      execFileSync('taskset', ['-a', '-p', '-c', cores, String(pid)], { stdio: 'ignore' });
    } catch (error) {
      throw new Error(`taskset -a -p -c ${cores} ${pid} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

export const allCores = (): string => `0-${cpus().length - 1}`;
