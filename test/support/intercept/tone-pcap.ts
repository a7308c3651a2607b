import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// G.711 A-law of a 16-bit sample (ITU-T G.711, as in the reference g711.c).
const SEG_END = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];
export function linearToAlaw(sample: number): number {
  let pcm = sample >> 3;
  let mask: number;
  if (pcm >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  const seg = SEG_END.findIndex((end) => pcm <= end);
  if (seg < 0) return 0x7f ^ mask;
  const quant = seg < 2 ? (pcm >> 1) & 0x0f : (pcm >> seg) & 0x0f;
  return ((seg << 4) | quant) ^ mask;
}

// A pcap of an RTP stream (PCMA, 20 ms packets) carrying a pure tone, for sipp's play_pcap_audio:
// each call direction plays its own frequency, so a recording's directions can be told apart.
export function tonePcap(frequencyHz: number, seconds: number, amplitude = 0.3): string {
  const packets = Math.round(seconds * 50);
  const chunks: Buffer[] = [];
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(65535, 16);
  global.writeUInt32LE(1, 20); // Ethernet
  chunks.push(global);
  const ssrc = 0x1234 + frequencyHz;
  for (let p = 0; p < packets; p += 1) {
    const payload = Buffer.alloc(160);
    for (let i = 0; i < 160; i += 1) {
      const n = p * 160 + i;
      payload[i] = linearToAlaw(Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * frequencyHz * n) / 8000)));
    }
    const rtp = Buffer.alloc(12);
    rtp[0] = 0x80;
    rtp[1] = p === 0 ? 0x88 : 0x08;
    rtp.writeUInt16BE(p & 0xffff, 2);
    rtp.writeUInt32BE((p * 160) >>> 0, 4);
    rtp.writeUInt32BE(ssrc, 8);
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(40000, 0);
    udp.writeUInt16BE(40002, 2);
    udp.writeUInt16BE(8 + 12 + 160, 4);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + 8 + 12 + 160, 2);
    ip[8] = 64;
    ip[9] = 17;
    Buffer.from([127, 0, 0, 1]).copy(ip, 12);
    Buffer.from([127, 0, 0, 1]).copy(ip, 16);
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += ip.readUInt16BE(i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
    ip.writeUInt16BE(~sum & 0xffff, 10);
    const ether = Buffer.alloc(14);
    ether.writeUInt16BE(0x0800, 12);
    const frame = Buffer.concat([ether, ip, udp, rtp, payload]);
    const record = Buffer.alloc(16);
    const micros = p * 20_000;
    record.writeUInt32LE(Math.floor(micros / 1e6), 0);
    record.writeUInt32LE(micros % 1e6, 4);
    record.writeUInt32LE(frame.length, 8);
    record.writeUInt32LE(frame.length, 12);
    chunks.push(record, frame);
  }
  const file = join(mkdtempSync(join(tmpdir(), 'tone-')), `tone-${frequencyHz}.pcap`);
  writeFileSync(file, Buffer.concat(chunks));
  return file;
}
