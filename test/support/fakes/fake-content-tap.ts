import { tapOf } from '../../../app/intercept/content-recorder';
import { type ContentTap, type StoredMedia, type Tap } from '../../../app/intercept/ports';
import { encodeWav } from '../../../app/intercept/wav';

// A media tap that records what it was asked to do; recordings it "made" hold a constant level
// per direction (in: 1000, out: -1000), one second long.
export class FakeContentTap implements ContentTap {
  readonly started: { channelId: string; tapId: string }[] = [];
  readonly stopped: Tap[] = [];
  readonly discarded: string[] = [];
  failNext = 0;
  live = new Set<string>();

  start(channelId: string, tapId: string): Promise<Tap> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      return Promise.reject(new Error('ARI POST /channels/x/record answered 500'));
    }
    this.started.push({ channelId, tapId });
    return Promise.resolve(tapOf(tapId));
  }

  stop(tap: Tap): Promise<void> {
    this.stopped.push(tap);
    return Promise.resolve();
  }

  fetch(name: string): Promise<StoredMedia> {
    if (this.live.has(name)) return Promise.resolve({ state: 'live' });
    if (this.discarded.includes(name)) return Promise.resolve({ state: 'gone' });
    // As the switch: no file for a tap it never opened.
    if (!this.started.some(({ tapId }) => name.startsWith(tapId))) return Promise.resolve({ state: 'gone' });
    const level = name === tapOf(name.slice(0, -2)).nameIn ? 1000 : -1000;
    const data = Buffer.alloc(16000);
    for (let i = 0; i < 8000; i += 1) data.writeInt16LE(level, i * 2);
    return Promise.resolve({ state: 'stored', wav: encodeWav({ sampleRate: 8000, channels: 1, bitsPerSample: 16, data }) });
  }

  isLive(name: string): Promise<boolean> {
    return Promise.resolve(this.live.has(name));
  }

  discard(name: string): Promise<void> {
    this.discarded.push(name);
    return Promise.resolve();
  }
}
