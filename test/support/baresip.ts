import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A baresip softphone (Debian's baresip-core): SIP over UDP or TLS, SDES-SRTP (its srtp module),
// G.711, audio from a tone file (aufile) and what it heard dumped to a WAV file (sndfile), so a test can both call over TLS with
// SRTP and check what each side heard. Debian's sipp has no TLS.
export interface BaresipOptions {
  name: string;
  username: string;
  password: string;
  // The edge's address (host part of the account's URI).
  edgeIp: string;
  transport: 'udp' | 'tls';
  // srtp: SRTP offered in RTP/AVP and accepted; srtp-mand: RTP/SAVP only; none: plain RTP.
  mediaenc: 'srtp' | 'srtp-mand' | 'none';
  // Address and port the phone listens on (its SIP socket; RTP picks ports of its own).
  listen: string;
  // The interface whose address goes in the SDP (the fleet's bridge for phones on the host).
  netInterface?: string;
  toneHz: number;
  caFile?: string;
  // Executed once started (e.g. "/dial bob").
  commands?: string[];
  // Quit after this long (baresip -t): a caller hangs up by quitting.
  quitAfterS?: number;
}

export interface Baresip {
  readonly dir: string;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
  exited(): Promise<number | null>;
  stop(): Promise<void>;
  // What the phone played out (the far end's audio), as a WAV file.
  heard(): Buffer;
}

export function writeToneWav(file: string, hz: number, seconds: number): void {
  const run = spawnSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', file, 'synth', String(seconds), 'sine', String(hz), 'vol', '0.5'], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`sox could not make the tone: ${run.stderr}`);
}

export function startBaresip(options: BaresipOptions): Baresip {
  const dir = mkdtempSync(join(tmpdir(), `baresip-${options.name}-`));
  writeToneWav(join(dir, 'tone.wav'), options.toneHz, 60);
  writeFileSync(
    join(dir, 'config'),
    [
      'poll_method epoll',
      `sip_listen ${options.listen}`,
      ...(options.netInterface ? [`net_interface ${options.netInterface}`] : []),
      ...(options.caFile ? [`sip_cafile ${options.caFile}`] : []),
      `audio_source aufile,${join(dir, 'tone.wav')}`,
      // baresip 1.0's aufile only plays files: the player is a bridge device nobody reads, and the
      // sndfile filter dumps what was decoded (dump-<peer>-dec.wav) for the test to check.
      `audio_player aubridge,heard-${options.name}`,
      `snd_path ${dir}`,
      'audio_alert aufile,/dev/null',
      'audio_srate 8000',
      'audio_channels 1',
      'module_path /usr/lib/baresip/modules',
      'module g711.so',
      'module aufile.so',
      'module aubridge.so',
      'module sndfile.so',
      'module srtp.so',
      'module_app account.so',
      'module_app menu.so',
      'rtp_timeout 0',
      '',
    ].join('\n'),
  );
  const params = [`auth_pass=${options.password}`, 'answermode=auto', 'regint=300', 'audio_codecs=PCMU,PCMA', ...(options.mediaenc === 'none' ? [] : [`mediaenc=${options.mediaenc}`])];
  writeFileSync(join(dir, 'accounts'), `<sip:${options.username}@${options.edgeIp};transport=${options.transport}>;${params.join(';')}\n`);
  const args = ['-f', dir, ...(options.commands ?? []).flatMap((command) => ['-e', command]), ...(options.quitAfterS ? ['-t', String(options.quitAfterS)] : [])];
  const child: ChildProcess = spawn('baresip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const append = (chunk: Buffer): void => {
    text += chunk.toString();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    dir,
    output: () => text,
    async waitFor(pattern: RegExp, timeoutMs: number): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(text)) {
        if (child.exitCode !== null) throw new Error(`baresip ${options.name} exited before ${String(pattern)}:\n${text}`);
        if (Date.now() > deadline) throw new Error(`baresip ${options.name}: no ${String(pattern)} within ${timeoutMs} ms:\n${text}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    exited: () => exit,
    async stop(): Promise<void> {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exit;
        clearTimeout(timer);
      }
    },
    heard: () => {
      const dump = readdirSync(dir).find((file) => /^dump-.*-dec\.wav$/.test(file));
      if (!dump) throw new Error(`baresip ${options.name} dumped no decoded audio in ${dir}:\n${text}`);
      return readFileSync(join(dir, dump));
    },
  };
}
