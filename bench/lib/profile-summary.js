'use strict';
/**
 * Where a V8 CPU profile's time goes: top functions by self time, and self time grouped by
 * package (node_modules/<pkg>) or by the project's own compiled files.
 *
 *   node bench/lib/profile-summary.js file.cpuprofile   (also used by run.js)
 */
const { readFileSync } = require('node:fs');

function summarizeProfile(file, { top = 20 } = {}) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children || []) parentOf.set(child, node.id);
  const selfUs = new Map();
  const deltas = profile.timeDeltas || [];
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = deltas[i + 1] ?? 0; // a sample's time is the gap to the next one
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) || 0) + dt);
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const functions = new Map();
  const groups = new Map();
  const stacks = new Map();
  for (const [id, us] of selfUs) {
    const { callFrame } = byId.get(id);
    if (callFrame.url || !/^\((idle|program|garbage collector)\)$/.test(callFrame.functionName)) {
      const stack = [`${callFrame.functionName || '(anonymous)'} ${location(callFrame)}`.trim(), ...callers(id, 3)].join(' <- ');
      stacks.set(stack, (stacks.get(stack) || 0) + us);
    }
    const where = location(callFrame);
    const key = `${callFrame.functionName || '(anonymous)'} ${where}`;
    functions.set(key, (functions.get(key) || 0) + us);
    const group = groupOf(callFrame);
    groups.set(group, (groups.get(group) || 0) + us);
  }
  const pct = (us) => Number(((100 * us) / total).toFixed(1));
  const sorted = (map, n) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, selfPercent: pct(us) }));
  return {
    sampledSeconds: Number((total / 1e6).toFixed(1)),
    idlePercent: pct(functions.get('(idle) ') || 0),
    byGroup: sorted(groups, 25),
    topFunctions: sorted(functions, top),
    // Self time with its nearest JS callers: says who calls a native function (SQLite's run...).
    topStacks: sorted(stacks, top),
  };

  function callers(id, count) {
    const names = [];
    for (let parent = parentOf.get(id); parent !== undefined && names.length < count; parent = parentOf.get(parent)) {
      const frame = byId.get(parent).callFrame;
      if (frame.url) names.push(`${frame.functionName || '(anonymous)'} ${location(frame)}`);
    }
    return names;
  }
}

function location(frame) {
  if (!frame.url) return '';
  const url = frame.url.replace(/^file:\/\//, '');
  const modules = url.lastIndexOf('node_modules/');
  const short = modules >= 0 ? url.slice(modules + 'node_modules/'.length) : url.replace(/^.*\/dist\/apps\/api\//, 'dist:');
  return `${short}:${frame.lineNumber + 1}`;
}

function groupOf(frame) {
  const name = frame.functionName;
  if (!frame.url) {
    if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') return name;
    return '(native / V8 builtins)';
  }
  const url = frame.url.replace(/^file:\/\//, '');
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1];
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const app = /dist\/apps\/api\/(apps\/api\/src\/[^/]+|libs\/[^/]+)/.exec(url);
  if (app) return `project: ${app[1]}`;
  return url;
}

module.exports = { summarizeProfile };

if (require.main === module) {
  process.stdout.write(`${JSON.stringify(summarizeProfile(process.argv[2], { top: Number(process.argv[3] || 30) }), null, 2)}\n`);
}
