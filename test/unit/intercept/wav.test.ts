import { expect } from 'chai';
import { durationMs, encodeWav, mergeToStereo, parseWav } from '../../../app/intercept/wav';

const mono = (samples: number[]) => {
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => data.writeInt16LE(s, i * 2));
  return { sampleRate: 8000, channels: 1, bitsPerSample: 16, data };
};

describe('intercept WAV handling', function () {
  it('given two directions, then the stereo file has the first on the left and the second on the right, padded with silence', function () {
    const stereo = mergeToStereo(mono([1, 2, 3]), mono([-1]));
    expect([0, 1, 2, 3, 4, 5].map((i) => stereo.data.readInt16LE(i * 2))).to.deep.equal([1, -1, 2, 0, 3, 0]);
    expect(stereo.channels).to.equal(2);
  });

  it('given an encoded file, then it parses back to the same audio', function () {
    const audio = mono(Array.from({ length: 8000 }, (_, i) => i % 100));
    const parsed = parseWav(encodeWav(audio));
    expect(parsed.data.equals(audio.data)).to.equal(true);
    expect(durationMs(parsed)).to.equal(1000);
  });

  it('given a file whose header declares more data than it holds (a cut recording), then what is there is read', function () {
    const file = encodeWav(mono([5, 6, 7, 8]));
    file.writeUInt32LE(1_000_000, 40);
    expect(parseWav(file).data.length).to.equal(8);
  });

  it('refuses what is not a PCM WAV', function () {
    expect(() => parseWav(Buffer.from('not a wav file at all'))).to.throw(/RIFF/);
  });
});
