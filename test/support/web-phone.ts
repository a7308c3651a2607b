import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { CHROMIUM } from './browser';
import { fleetEnv } from './fleet';
import { PROJECT_ROOT } from './test-env';

// The web phone (/phone) in Debian's chromium, with a fake microphone that plays a tone file, on
// the host of the netns fleet; and what the SIP side of its calls received, from a capture.
export const ARTIFACTS = join(PROJECT_ROOT, 'test-artifacts', 'web-phone');
const TAG = process.env.FLEET_TAG ?? '';
export const fleetBridge = `fleet${TAG}-br0`;
export const phoneUrl = `${fleetEnv.adminUrl}/phone/`;

// A 16-bit mono WAV of a pure tone: chromium's fake microphone plays it in a loop.
export function toneWav(frequencyHz: number, seconds: number, rate = 48_000, amplitude = 0.4): string {
  const samples = Math.round(seconds * rate);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i += 1) data.writeInt16LE(Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * frequencyHz * i) / rate)), i * 2);
  const head = Buffer.alloc(44);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(36 + data.length, 4);
  head.write('WAVEfmt ', 8, 'ascii');
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(1, 20);
  head.writeUInt16LE(1, 22);
  head.writeUInt32LE(rate, 24);
  head.writeUInt32LE(rate * 2, 28);
  head.writeUInt16LE(2, 32);
  head.writeUInt16LE(16, 34);
  head.write('data', 36, 'ascii');
  head.writeUInt32LE(data.length, 40);
  const file = join(mkdtempSync(join(tmpdir(), 'web-phone-')), `tone-${frequencyHz}.wav`);
  writeFileSync(file, Buffer.concat([head, data]));
  return file;
}

// Chromium with a fake microphone (the tone file) and permission to use it. The page is served
// over plain http in the fleet, so its origin is declared secure (getUserMedia needs a secure
// context; production serves /phone over https); the edge's certificate is the local CA's.
export function launchPhoneBrowser(microphoneWav: string): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    acceptInsecureCerts: true,
    args: [
      '--no-sandbox',
      '--disable-dev-shm-usage',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${microphoneWav}`,
      '--autoplay-policy=no-user-gesture-required',
      `--unsafely-treat-insecure-origin-as-secure=${fleetEnv.adminUrl}`,
      '--ignore-certificate-errors',
      // Host candidates with the real address (no mDNS names): the switch resolves no .local names.
      '--disable-features=WebRtcHideLocalIpsWithMdns',
    ],
  });
}

// Every RTCPeerConnection the page makes is kept in window.__peerConnections (before the page's
// own scripts run), so a test can read the negotiated transport's security (dtlsOf).
const RECORD_PEER_CONNECTIONS = `(() => {
  const Native = window.RTCPeerConnection;
  window.__peerConnections = [];
  window.RTCPeerConnection = function (...args) { const pc = new Native(...args); window.__peerConnections.push(pc); return pc; };
  window.RTCPeerConnection.prototype = Native.prototype;
  Object.setPrototypeOf(window.RTCPeerConnection, Native);
})()`;

export async function logIn(browser: Browser, user: { username: string; password: string }, url = phoneUrl): Promise<Page> {
  const page = await browser.newPage();
  await page.evaluateOnNewDocument(RECORD_PEER_CONNECTIONS);
  await page.goto(url);
  await page.waitForSelector('#login input[name=username]');
  await page.type('#login input[name=username]', user.username);
  await page.type('#login input[name=password]', user.password);
  await page.click('#login button[type=submit]');
  await page.waitForSelector('#registration[data-state=registered]', { timeout: 20_000 });
  return page;
}

// What the page hears: the spectrum of the remote audio (WebAudio analyser on the stream the audio
// element plays) over a second and a half: the loudest frequency and the level (dB) near the given
// ones. Runs in the page (browser code, kept as its source: the test build has no DOM types).
const HEARD_IN_PAGE = `async (wanted) => {
  const stream = document.getElementById('remote-audio').srcObject;
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 8192;
  analyser.smoothingTimeConstant = 0.8;
  context.createMediaStreamSource(stream).connect(analyser);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const bins = new Float32Array(analyser.frequencyBinCount);
  analyser.getFloatFrequencyData(bins);
  const hzPerBin = context.sampleRate / analyser.fftSize;
  let peak = 1;
  for (let i = 1; i < bins.length; i += 1) if (bins[i] > bins[peak]) peak = i;
  const levelAt = (hz) => { const c = Math.round(hz / hzPerBin); return Math.max(bins[c - 2], bins[c - 1], bins[c], bins[c + 1], bins[c + 2]); };
  await context.close();
  return { peakHz: peak * hzPerBin, levels: wanted.map(levelAt) };
}`;
export function heard(page: Page, frequencies: number[]): Promise<{ peakHz: number; levels: number[] }> {
  return page.evaluate(`(${HEARD_IN_PAGE})(${JSON.stringify(frequencies)})`) as Promise<{ peakHz: number; levels: number[] }>;
}

// The security of the page's last peer connection's transport (WebRTC stats): DTLS state, the
// SRTP cipher the DTLS handshake chose.
export function dtlsOf(page: Page): Promise<{ dtlsState?: string; srtpCipher?: string }> {
  return page.evaluate(`(async () => {
    const pc = window.__peerConnections[window.__peerConnections.length - 1];
    if (!pc) return {};
    let found = {};
    (await pc.getStats()).forEach((stat) => { if (stat.type === 'transport') found = { dtlsState: stat.dtlsState, srtpCipher: stat.srtpCipher }; });
    return found;
  })()`) as Promise<{ dtlsState?: string; srtpCipher?: string }>;
}

// What the edge answers a REGISTER sent over its wss by this page: the status line.
export function registerOverWebsocket(page: Page, wssUrl: string, user: string): Promise<string> {
  const register = [
    'REGISTER sip:calling.local SIP/2.0',
    `Via: SIP/2.0/WSS x.invalid;branch=z9hG4bK-${Date.now()}`,
    'Max-Forwards: 70',
    `From: <sip:${user}@calling.local>;tag=t1`,
    `To: <sip:${user}@calling.local>`,
    `Call-ID: ${Date.now()}@x.invalid`,
    'CSeq: 1 REGISTER',
    'Contact: <sip:x@x.invalid;transport=ws>',
    'Expires: 60',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  return page.evaluate(`new Promise((resolve) => {
    const socket = new WebSocket(${JSON.stringify(wssUrl)}, 'sip');
    socket.onopen = () => socket.send(${JSON.stringify(register)});
    socket.onmessage = (event) => { resolve(String(event.data).split('\\r\\n')[0]); socket.close(); };
    setTimeout(() => resolve('no answer'), 5000);
  })`) as Promise<string>;
}

export const waitForCallState = (page: Page, state: string, timeout = 20_000): Promise<unknown> => page.waitForSelector(`#call-state[data-state=${state}]`, { timeout });

// G.711 to linear (ITU-T G.711 reference decoders).
function alawToLinear(value: number): number {
  const a = value ^ 0x55;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}
function ulawToLinear(value: number): number {
  const u = ~value & 0xff;
  let t = ((u & 0x0f) << 3) + 0x84;
  t <<= (u & 0x70) >> 4;
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

// Relative power of a frequency in 8 kHz samples (Goertzel).
export function powerAt(samples: number[], frequencyHz: number, rate = 8000): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * frequencyHz) / rate);
  let s1 = 0;
  let s2 = 0;
  for (const sample of samples) {
    const s0 = sample / 32768 + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return samples.length === 0 ? 0 : (s1 * s1 + s2 * s2 - coefficient * s1 * s2) / (samples.length * samples.length);
}

// The G.711 audio that reached a UDP port of the host (the SIP side's media port), captured on the
// fleet's bridge, decoded to linear samples.
export async function captureAudioTo(port: number): Promise<{ stop(): Promise<number[]> }> {
  const file = join(mkdtempSync(join(tmpdir(), 'web-phone-rtp-')), 'capture.pcap');
  const child = spawn('tshark', ['-i', fleetBridge, '-f', `udp dst port ${port}`, '-w', file, '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tshark did not start: ${stderr}`)), 10_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('Capturing on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`tshark exited ${code}: ${stderr}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopped: Promise<number[]> | undefined;
  // May be called twice (a test, then its afterEach): the capture is read once.
  return {
    stop(): Promise<number[]> {
      stopped ??= readCapture();
      return stopped;
    },
  };

  async function readCapture(): Promise<number[]> {
    child.kill('SIGINT');
    await exited;
    const fields = execFileSync('tshark', ['-r', file, '-d', `udp.port==${port},rtp`, '-T', 'fields', '-e', 'rtp.p_type', '-e', 'rtp.payload'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    const samples: number[] = [];
    for (const line of fields.split('\n')) {
      const [type, hex = ''] = line.split('\t');
      const decode = type === '8' ? alawToLinear : type === '0' ? ulawToLinear : undefined;
      if (!decode) continue;
      for (const byte of Buffer.from(hex.replace(/:/g, ''), 'hex')) samples.push(decode(byte));
    }
    return samples;
  }
}
