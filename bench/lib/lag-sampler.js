'use strict';
/**
 * Projection lag under load: every `intervalMs`, the API's /health (admin key) tells the log's
 * head and each projection's position. A sample's lag is how long the oldest event not yet in
 * every read model has existed: the time since the head first went past the lowest projection
 * position (0 when every projection is at the head). Reported as percentiles in seconds.
 */
const { Samples, round } = require('./util');

function startLagSampler(url, apiKey, intervalMs = 100) {
  const heads = []; // [time ms, head], head non-decreasing
  const lags = new Samples(1 << 12);
  let stopped = false;
  let maxEventsBehind = 0;
  const loop = (async () => {
    while (!stopped) {
      const at = Date.now();
      try {
        const health = await (await fetch(`${url}/health`, { headers: { authorization: `Bearer ${apiKey}` } })).json();
        const head = Number(health.headPosition);
        const positions = Object.values(health.projections || {}).map((p) => Number(p.position));
        const lowest = positions.length ? Math.min(...positions) : head;
        heads.push([at, head]);
        maxEventsBehind = Math.max(maxEventsBehind, head - lowest);
        if (lowest >= head) lags.push(0);
        else {
          // The first sample at which the head was already past `lowest`.
          const since = heads.find(([, h]) => h > lowest);
          lags.push(since ? (at - since[0]) / 1000 : 0);
        }
      } catch {
        /* a missed sample */
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - (Date.now() - at))));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      const { count, p50, p90, p99, max } = lags.summary();
      return { samples: count, intervalMs, seconds: { p50: round(p50, 3), p90: round(p90, 3), p99: round(p99, 3), max: round(max, 3) }, maxEventsBehind };
    },
  };
}

module.exports = { startLagSampler };
