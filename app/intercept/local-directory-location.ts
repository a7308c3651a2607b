import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { type EvidenceLocation } from './ports';

// An evidence location on a local (or mounted) filesystem. Each location should be its own disk
// or mount: three directories on one disk are one failure domain.
export class LocalDirectoryLocation implements EvidenceLocation {
  private readonly root: string;

  constructor(directory: string, readonly name = `dir:${directory}`) {
    this.root = resolve(directory);
  }

  private pathOf(key: string): string {
    const path = resolve(join(this.root, key));
    if (!path.startsWith(this.root + sep)) throw new Error(`object key escapes the location: ${key}`);
    return path;
  }

  // Written to a temporary name, then renamed: a crash never leaves a half-written copy behind.
  async put(key: string, data: Buffer): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, data, { mode: 0o600 });
    await rename(temporary, path);
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}
