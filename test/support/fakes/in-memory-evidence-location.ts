import { type EvidenceLocation } from '../../../app/intercept/ports';

export class InMemoryEvidenceLocation implements EvidenceLocation {
  readonly objects = new Map<string, Buffer>();
  down = false;

  constructor(readonly name: string) {}

  put(key: string, data: Buffer): Promise<void> {
    if (this.down) return Promise.reject(new Error(`${this.name} is down`));
    this.objects.set(key, Buffer.from(data));
    return Promise.resolve();
  }

  get(key: string): Promise<Buffer | undefined> {
    if (this.down) return Promise.reject(new Error(`${this.name} is down`));
    const data = this.objects.get(key);
    return Promise.resolve(data && Buffer.from(data));
  }

  delete(key: string): Promise<void> {
    this.objects.delete(key);
    return Promise.resolve();
  }
}
