// Headless Chromium (Debian's /usr/bin/chromium) through playwright-core,
// set up to do WebRTC inside a loopback-only network namespace.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

export const CHROMIUM_PATH = process.env.MESHRTC_CHROMIUM || '/usr/bin/chromium';

// Features we need off on top of Playwright's own list: Chromium would hide
// host candidates behind <uuid>.local mDNS names, which nothing here resolves.
const OUR_DISABLED_FEATURES = ['WebRtcHideLocalIpsWithMdns'];

const FLAGS = [
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
  // Without these two Chromium gathers no candidate when only lo exists.
  '--allow-loopback-in-peer-connection',
  '--use-fake-ui-for-media-stream',
  // Camera = Chromium's generated test frame (green, moving pattern).
  '--use-fake-device-for-media-stream',
];

// Playwright passes `--disable-features=<its list>` itself, and Chromium
// honours only the last --disable-features. Read Playwright's list from the
// installed playwright-core (chromiumSwitches.ts, bundled), so that we can
// drop its flag with ignoreDefaultArgs and pass one merged flag instead.
function playwrightDisabledFeatures() {
  const root = path.dirname(require.resolve('playwright-core/package.json'));
  for (const file of ['lib/server/chromium/chromiumSwitches.js', 'lib/coreBundle.js']) {
    let text;
    try {
      text = fs.readFileSync(path.join(root, file), 'utf8');
    } catch {
      continue;
    }
    const start = text.search(/disabledFeatures\s*=\s*\[/);
    if (start < 0)
      continue;
    const features = [];
    for (const line of text.slice(start).split('\n').slice(1)) {
      if (/^\s*\]/.test(line))
        return features;
      const code = line.replace(/\/\/.*$/, '');
      for (const m of code.matchAll(/"([A-Za-z0-9_]+)"/g))
        features.push(m[1]);
    }
  }
  return null;
}

export function chromiumLaunchOptions() {
  const theirs = playwrightDisabledFeatures();
  const merged = [...new Set([...(theirs || []), ...OUR_DISABLED_FEATURES])];
  return {
    executablePath: CHROMIUM_PATH,
    headless: true,
    chromiumSandbox: false,
    // If the list could not be read, Playwright's flag stays, and ours,
    // coming later, still wins; only its entries are lost.
    ignoreDefaultArgs: theirs ? [`--disable-features=${theirs.join(',')}`] : [],
    args: [...FLAGS, `--disable-features=${merged.join(',')}`],
  };
}

export async function launchChromium(userDataDir) {
  return chromium.launchPersistentContext(userDataDir, chromiumLaunchOptions());
}
