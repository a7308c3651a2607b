import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ChannelStats {
  seconds: number;
  rms: number;
  roughFrequency: number;
}

// sox's "stat" of one channel of a WAV: length, RMS amplitude and rough (zero-crossing) frequency.
export function soxStat(wav: Buffer, channel: number): ChannelStats {
  const file = join(mkdtempSync(join(tmpdir(), 'li-wav-')), 'audio.wav');
  writeFileSync(file, wav);
  const run = spawnSync('sox', [file, '-n', 'remix', String(channel), 'stat'], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`sox failed: ${run.stderr}`);
  const value = (label: string): number => {
    const match = new RegExp(`^${label}:\\s+(-?[\\d.]+)`, 'm').exec(run.stderr);
    if (!match?.[1]) throw new Error(`sox printed no ${label}: ${run.stderr}`);
    return Number(match[1]);
  };
  return { seconds: value('Length \\(seconds\\)'), rms: value('RMS\\s+amplitude'), roughFrequency: value('Rough\\s+frequency') };
}

export function soxInfo(wav: Buffer): { channels: number; rate: number } {
  const file = join(mkdtempSync(join(tmpdir(), 'li-wav-')), 'audio.wav');
  writeFileSync(file, wav);
  const channels = Number(spawnSync('soxi', ['-c', file], { encoding: 'utf8' }).stdout.trim());
  const rate = Number(spawnSync('soxi', ['-r', file], { encoding: 'utf8' }).stdout.trim());
  return { channels, rate };
}

// Relative power of a frequency in one channel of a 16-bit PCM WAV (Goertzel), to tell which
// tone a direction carries.
export function tonePower(wav: Buffer, channel: number, frequencyHz: number): number {
  const dataAt = wav.indexOf('data', 12, 'ascii');
  const channels = wav.readUInt16LE(22);
  const rate = wav.readUInt32LE(24);
  const start = dataAt + 8;
  const frames = Math.floor((wav.length - start) / (2 * channels));
  const coefficient = 2 * Math.cos((2 * Math.PI * frequencyHz) / rate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < frames; i += 1) {
    const s0 = wav.readInt16LE(start + (i * channels + (channel - 1)) * 2) / 32768 + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - coefficient * s1 * s2) / (frames * frames);
}
