// GStreamer side of the browser tests: our elements must be in the registry
// (GST_PLUGIN_PATH and GST_REGISTRY come from tests/browser/meson.build).

import { spawnSync } from 'node:child_process';

// Fails the test with a clear message when an element is missing: these
// tests exist to exercise them, so a missing one is never a silent skip.
export function requireElements(...names) {
  for (const name of names) {
    // Not --exists: that also demands a plugin version >= GStreamer's.
    const r = spawnSync('gst-inspect-1.0', [name], { encoding: 'utf8' });
    if (r.error)
      throw new Error(`cannot run gst-inspect-1.0: ${r.error.message}`);
    if (r.status !== 0)
      throw new Error(`GStreamer element '${name}' is not in the registry ` +
        `(GST_PLUGIN_PATH=${process.env.GST_PLUGIN_PATH || '(unset)'}); ` +
        'build the meshrtc plugin and run the tests through meson test');
  }
}

// gst-launch -v prints one line per buffer reaching `fakesink silent=false`
// (its last-message notify: "…fakesink0: last-message = chain ******* …").
export const FAKESINK_CHAIN = /fakesink0.*chain/;
