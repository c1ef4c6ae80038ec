import { EventStore, RecordedEvent } from '@app/event-store';
import { ALL_PROJECTIONS, ReadStore } from '@app/projections';
import { AppConfig } from '../config';
import { ServiceLifecycle } from '../lifecycle/service-lifecycle';
import { Readiness } from './readiness';

/**
 * A log whose positions are offsets, as EventStoreDB's are: event i (from 1) sits at position
 * i * 100, so that positions behind say nothing about events behind.
 */
function spacedLog(events: number): Pick<EventStore, 'headPosition' | 'readAll'> {
  const positions = Array.from({ length: events }, (_, i) => BigInt((i + 1) * 100));
  return {
    headPosition: async () => positions[positions.length - 1] ?? 0n,
    readAll: async ({ after = 0n, maxCount }) => positions.filter((p) => p > after).slice(0, maxCount).map((position) => ({ position }) as RecordedEvent),
  };
}

function readiness(events: Pick<EventStore, 'headPosition' | 'readAll'>, checkpoints: Record<string, bigint>, lag: number, lifecycle = new ServiceLifecycle()) {
  const readStore = { getCheckpoint: async (name: string) => checkpoints[name] ?? null } as unknown as ReadStore;
  return new Readiness(lifecycle, events as EventStore, readStore, { readyMaxProjectionLag: lag } as AppConfig);
}

const allAt = (position: bigint) => Object.fromEntries(ALL_PROJECTIONS.map(({ name }) => [name, position]));

describe('readiness', () => {
  it('counts events, not positions: a projection 30 events (3,000 positions) behind is within a limit of 50', async () => {
    const log = spacedLog(100);
    expect(await readiness(log, allAt(7_000n), 50).problem()).toBeUndefined();
  });

  it('names the projections more events behind than the limit', async () => {
    const log = spacedLog(100);
    const checkpoints = { ...allAt(10_000n), audit_v1: 4_000n, directory_v1: 9_000n };
    const problem = await readiness(log, checkpoints, 50).problem();
    expect(problem).toMatchObject({ status: 503, code: 'projections-far-behind', extensions: { projections: ['audit_v1'] }, headers: { 'retry-after': '5' } });
    // 60 events behind with a limit of 60: within it.
    expect(await readiness(log, { ...allAt(10_000n), audit_v1: 4_000n }, 60).problem()).toBeUndefined();
  });

  it('reads at most limit + 1 events to find a projection far behind', async () => {
    const log = spacedLog(5_000);
    const read = jest.spyOn(log, 'readAll');
    const problem = await readiness(log, allAt(0n), 1_500).problem();
    expect(problem).toMatchObject({ code: 'projections-far-behind' });
    const counts = read.mock.calls.map(([options]) => options.maxCount);
    expect(counts.reduce((sum, n) => sum + n, 0)).toBe(1_501);
  });

  it('answers shutting-down once draining, before touching a store', async () => {
    const lifecycle = new ServiceLifecycle();
    const log = spacedLog(1);
    const head = jest.spyOn(log, 'headPosition');
    lifecycle.beginDraining();
    expect(await readiness(log, allAt(100n), 0, lifecycle).problem()).toMatchObject({ status: 503, code: 'shutting-down' });
    expect(head).not.toHaveBeenCalled();
  });

  it('evaluates at most once a second, whatever the number of probes', async () => {
    const log = spacedLog(10);
    const head = jest.spyOn(log, 'headPosition');
    const ready = readiness(log, allAt(1_000n), 0);
    const t0 = Date.now();
    await Promise.all([ready.problem(t0), ready.problem(t0 + 10), ready.problem(t0 + 999)]);
    expect(head).toHaveBeenCalledTimes(1);
    await ready.problem(t0 + 1_000);
    expect(head).toHaveBeenCalledTimes(2);
  });
});
