// The WAV handling content interception needs: Asterisk records each direction as 8 kHz 16-bit
// mono PCM; an agency gets one stereo file (left: what the target sends, right: what it hears).

export interface PcmAudio {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  data: Buffer;
}

export class InvalidWavError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidWavError';
  }
}

export function parseWav(file: Buffer): PcmAudio {
  if (file.length < 12 || file.toString('ascii', 0, 4) !== 'RIFF' || file.toString('ascii', 8, 12) !== 'WAVE') throw new InvalidWavError('not a RIFF/WAVE file');
  let offset = 12;
  let format: Omit<PcmAudio, 'data'> | undefined;
  while (offset + 8 <= file.length) {
    const id = file.toString('ascii', offset, offset + 4);
    const declared = file.readUInt32LE(offset + 4);
    const start = offset + 8;
    if (id === 'fmt ') {
      if (file.readUInt16LE(start) !== 1) throw new InvalidWavError('not PCM');
      format = { channels: file.readUInt16LE(start + 2), sampleRate: file.readUInt32LE(start + 4), bitsPerSample: file.readUInt16LE(start + 14) };
    } else if (id === 'data') {
      if (!format) throw new InvalidWavError('data before fmt');
      // A recording cut short may declare more than it holds: take what is there.
      const end = Math.min(file.length, start + declared);
      const frame = (format.bitsPerSample / 8) * format.channels;
      return { ...format, data: file.subarray(start, start + Math.floor((end - start) / frame) * frame) };
    }
    offset = start + declared + (declared % 2);
  }
  throw new InvalidWavError('no data chunk');
}

export function encodeWav(audio: PcmAudio): Buffer {
  const header = Buffer.alloc(44);
  const blockAlign = (audio.bitsPerSample / 8) * audio.channels;
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + audio.data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(audio.channels, 22);
  header.writeUInt32LE(audio.sampleRate, 24);
  header.writeUInt32LE(audio.sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(audio.bitsPerSample, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(audio.data.length, 40);
  return Buffer.concat([header, audio.data]);
}

// Interleaves two mono 16-bit recordings of the same rate into one stereo one; the shorter one is
// padded with silence at its end.
export function mergeToStereo(left: PcmAudio, right: PcmAudio): PcmAudio {
  for (const side of [left, right]) {
    if (side.channels !== 1 || side.bitsPerSample !== 16) throw new InvalidWavError('expected 16-bit mono');
  }
  if (left.sampleRate !== right.sampleRate) throw new InvalidWavError('sample rates differ');
  const frames = Math.max(left.data.length, right.data.length) / 2;
  const out = Buffer.alloc(frames * 4);
  for (let i = 0; i < frames; i += 1) {
    if (i * 2 + 2 <= left.data.length) out.writeInt16LE(left.data.readInt16LE(i * 2), i * 4);
    if (i * 2 + 2 <= right.data.length) out.writeInt16LE(right.data.readInt16LE(i * 2), i * 4 + 2);
  }
  return { sampleRate: left.sampleRate, channels: 2, bitsPerSample: 16, data: out };
}

export function durationMs(audio: PcmAudio): number {
  const frame = (audio.bitsPerSample / 8) * audio.channels;
  return Math.round((audio.data.length / frame / audio.sampleRate) * 1000);
}
