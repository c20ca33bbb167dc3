// Per-test harness: starts processes and browsers, remembers their output,
// and tears everything down after the test (also when it fails).
//
//   const h = createHarness(t);
//   const server = await h.startSignallingServer();
//   const page = await h.openPage(`${server.httpUrl}?name=cam`);
//   await h.waitFor('the viewer decodes frames', async () => ...);

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { launchChromium } from './chromium.mjs';

const here = path.dirname(new URL(import.meta.url).pathname);

export const SOURCE_DIR = process.env.MESHRTC_SOURCE_DIR || path.resolve(here, '..', '..', '..');
export const BUILD_DIR = process.env.MESHRTC_BUILD_DIR || path.join(SOURCE_DIR, 'build');
export const SERVER_PROGRAM = process.env.MESHRTC_SIGNALLING_SERVER ||
  path.join(BUILD_DIR, 'tools', 'gst-meshrtc-signalling-server');

// Default bound for every wait, in ms.
export const WAIT_MS = 20000;

const LOG_TAIL_LINES = 40;

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Asks the kernel for a free TCP port on 127.0.0.1, for programs that must
// be told their port up front. Ports from a server's own `--port 0` are
// preferred where possible: this one can race with another process.
export async function freePort() {
  const srv = net.createServer();
  await new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', resolve);
  });
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

// A child process whose stdout and stderr are kept, line by line.
class Proc {
  constructor(name, child, logFile = null) {
    this.name = name;
    this.child = child;
    this.lines = [];
    this.log = logFile ? fs.createWriteStream(logFile) : null;
    this.exited = false;
    this.killedByUs = false;
    this.exitCode = null;
    this.exitSignal = null;
    this._listeners = new Set();
    const onData = (stream) => {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop();
        for (const line of parts)
          this._line(line);
      });
      stream.on('end', () => {
        if (partial)
          this._line(partial);
        partial = '';
      });
    };
    onData(child.stdout);
    onData(child.stderr);
    child.on('close', () => this.log && this.log.end());
    this.exitPromise = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exited = true;
        this.exitCode = code;
        this.exitSignal = signal;
        resolve();
      });
      child.on('error', (err) => {
        this._line(`(spawn error: ${err.message})`);
        this.exited = true;
        resolve();
      });
    });
  }

  _line(line) {
    this.lines.push(line);
    if (this.log)
      this.log.write(`${line}\n`);
    for (const fn of this._listeners)
      fn(line);
  }

  // Lines matching @re seen so far.
  count(re) {
    return this.lines.reduce((n, l) => n + (re.test(l) ? 1 : 0), 0);
  }

  // Resolves with the match of the first line (past or future) matching @re.
  waitForLine(re, timeoutMs = WAIT_MS) {
    for (const l of this.lines) {
      const m = l.match(re);
      if (m)
        return Promise.resolve(m);
    }
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        this._listeners.delete(listener);
      };
      const listener = (line) => {
        const m = line.match(re);
        if (m) {
          cleanup();
          resolve(m);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.name}: no output line matching ${re} within ${timeoutMs} ms` +
          (this.exited ? ` (exited: code ${this.exitCode}, signal ${this.exitSignal})` : '')));
      }, timeoutMs);
      this._listeners.add(listener);
      this.exitPromise.then(() => setTimeout(() => {
        if (this._listeners.has(listener)) {
          cleanup();
          reject(new Error(`${this.name} exited (code ${this.exitCode}, signal ${this.exitSignal}) ` +
            `before printing a line matching ${re}`));
        }
      }, 100));
    });
  }

  // Why the process is not healthy (exited by itself, or gst-launch's crash
  // handler caught a fatal signal and is spinning), or null.
  trouble() {
    if (this.exited && !this.killedByUs)
      return `exited (code ${this.exitCode}, signal ${this.exitSignal})`;
    const crash = this.lines.find((l) => /Caught SIG(SEGV|ABRT|BUS|FPE|ILL)/.test(l));
    return crash ? crash.trim() : null;
  }

  tail(n = LOG_TAIL_LINES) {
    const skipped = Math.max(0, this.lines.length - n);
    return (skipped ? `  … ${skipped} earlier lines …\n` : '') +
      this.lines.slice(-n).map((l) => `  ${l}`).join('\n');
  }

  // SIGTERM, then SIGKILL if it is still there after 3 s. By PID only.
  async kill() {
    if (this.exited)
      return;
    this.killedByUs = true;
    this.child.kill('SIGTERM');
    const killer = setTimeout(() => {
      if (!this.exited)
        this.child.kill('SIGKILL');
    }, 3000);
    await this.exitPromise;
    clearTimeout(killer);
  }
}

class Harness {
  constructor(t) {
    this.t = t;
    this.procs = [];
    this.pages = [];
    this.contexts = [];
    this.tmpDirs = [];
    t.after(() => this.cleanup());
  }

  // Starts @cmd with @args; its output is collected for failure reports.
  spawn(name, cmd, args, { env = {} } = {}) {
    const child = spawn(cmd, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // MESHRTC_TEST_LOG_DIR keeps every process's whole output in a file
    // (e.g. for a run with GST_DEBUG set).
    const dir = process.env.MESHRTC_TEST_LOG_DIR;
    const logFile = dir ? path.join(dir, `${this.t.name.replace(/[^\w-]+/g, '_').slice(0, 60)}.` +
      `${this.procs.length}.${name}.log`) : null;
    if (dir)
      fs.mkdirSync(dir, { recursive: true });
    const p = new Proc(name, child, logFile);
    this.procs.push(p);
    return p;
  }

  // gst-launch-1.0 with line-buffered stdout, so -v output arrives as it
  // happens rather than in 4 KiB chunks.
  gstLaunch(name, pipeline, { verbose = false, env = {} } = {}) {
    const args = ['-oL', 'gst-launch-1.0'];
    if (verbose)
      args.push('-v');
    args.push(...pipeline.trim().split(/\s+/));
    return this.spawn(name, 'stdbuf', args, { env });
  }

  // Runs our signalling server (on a free port unless @port is given);
  // returns its URLs.
  async startSignallingServer({ port = 0, args = [] } = {}) {
    if (!fs.existsSync(SERVER_PROGRAM))
      throw new Error(`${SERVER_PROGRAM} does not exist: build it first ` +
        '(ninja -C <builddir> tools/gst-meshrtc-signalling-server)');
    const proc = this.spawn('signalling-server', SERVER_PROGRAM, ['--port', String(port), ...args]);
    let m;
    try {
      m = await proc.waitForLine(/Listening on (wss?):\/\/([^/\s]+):(\d+)\//, 10000);
    } catch (err) {
      throw this.error(`signalling server did not start: ${err.message}`);
    }
    const bound = Number(m[3]);
    return {
      proc,
      port: bound,
      wsUrl: `ws://127.0.0.1:${bound}`,
      httpUrl: `http://127.0.0.1:${bound}/`,
    };
  }

  // One fresh Chromium profile (its own process).
  async launchBrowser() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshrtc-chromium-'));
    this.tmpDirs.push(dir);
    const context = await launchChromium(dir);
    this.contexts.push(context);
    return context;
  }

  // Opens @url in a new page of @context (default: the test's first
  // browser, launched if needed), keeping the page's console output and
  // errors for failure reports.
  // @bypassCSP: the page's Content-Security-Policy is not enforced (for
  // harness pages that inject their own scripts into a served page).
  async openPage(url, { context = null, label = null, bypassCSP = false } = {}) {
    if (!context)
      context = this.contexts[0] || await this.launchBrowser();
    const page = await context.newPage();
    if (bypassCSP) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Page.setBypassCSP', { enabled: true });
    }
    const lines = [];
    page.meshrtcLabel = label || `page${this.pages.length + 1}`;
    page.meshrtcLog = lines;
    page.on('console', (msg) => lines.push(`${msg.type()}: ${msg.text()}`));
    page.on('pageerror', (err) => lines.push(`pageerror: ${err.message}`));
    this.pages.push(page);
    try {
      await page.goto(url, { timeout: WAIT_MS });
    } catch (err) {
      throw this.error(`${page.meshrtcLabel} could not load ${url}: ${err.message}`);
    }
    return page;
  }

  // Everything collected so far, for failure messages.
  logs() {
    const parts = [];
    for (const p of this.procs) {
      const status = p.exited ? `exited, code ${p.exitCode}, signal ${p.exitSignal}` :
        `running, pid ${p.child.pid}`;
      parts.push(`--- ${p.name} (${status}) ---\n${p.tail()}`);
    }
    for (const page of this.pages)
      parts.push(`--- ${page.meshrtcLabel} console ---\n` +
        page.meshrtcLog.slice(-LOG_TAIL_LINES).map((l) => `  ${l}`).join('\n'));
    return parts.join('\n');
  }

  // Fails unless every process in @procs is still running and has not
  // crashed: a test's goal reached by a dying pipeline is no pass.
  assertHealthy(...procs) {
    const bad = procs.filter((p) => p.trouble()).map((p) => `${p.name}: ${p.trouble()}`);
    if (bad.length)
      throw this.error(`unhealthy process(es): ${bad.join('; ')}`);
  }

  error(message) {
    return new Error(`${message}\n${this.logs()}`);
  }

  // Polls @fn until it returns a truthy value (which is returned), for at
  // most @timeoutMs. Throws with @what, @detail() (the last observation)
  // and the collected logs otherwise.
  async waitFor(what, fn, { timeoutMs = WAIT_MS, intervalMs = 200, detail = null } = {}) {
    const deadline = Date.now() + timeoutMs;
    let last = null;
    let lastErr = null;
    for (;;) {
      try {
        last = await fn();
        if (last)
          return last;
        lastErr = null;
      } catch (err) {
        lastErr = err;
      }
      if (Date.now() >= deadline)
        break;
      await sleep(intervalMs);
    }
    throw this.error(`Timed out after ${timeoutMs} ms waiting until ${what}` +
      (detail ? `; last seen: ${detail()}` : '') +
      (lastErr ? ` (last error: ${lastErr.message})` : ''));
  }

  async cleanup() {
    for (const c of this.contexts)
      await c.close().catch(() => {});
    await Promise.all(this.procs.map((p) => p.kill()));
    for (const d of this.tmpDirs)
      fs.rmSync(d, { recursive: true, force: true });
    if (process.env.MESHRTC_TEST_VERBOSE)
      console.log(this.logs());
  }
}

export function createHarness(t) {
  return new Harness(t);
}
