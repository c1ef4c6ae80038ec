import { EventEmitter } from 'node:events';
import { stopOnSignals } from './shutdown-signals';

/** A stand-in for the process: signals are emitted by the test, exit is recorded. */
function fakeProcess() {
  const emitter = new EventEmitter();
  const exits: number[] = [];
  let exited: (code: number) => void = () => undefined;
  const exitedOnce = new Promise<number>((resolve) => (exited = resolve));
  const target = {
    on: (event: string, listener: (...args: any[]) => void) => (emitter.on(event, listener), target),
    exit: (code?: number) => {
      exits.push(code ?? 0);
      exited(code ?? 0);
      return undefined as never;
    },
  };
  return { target: target as unknown as NodeJS.Process, emit: (signal: string) => emitter.emit(signal, signal), exits, exitedOnce };
}

describe('stopOnSignals', () => {
  it('stops once on SIGTERM, however many signals follow, and exits 0', async () => {
    const process = fakeProcess();
    const logs: string[] = [];
    let stops = 0;
    stopOnSignals({
      stop: async () => {
        stops += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
      },
      timeoutMs: 5_000,
      log: (message) => logs.push(message),
      error: (message) => logs.push(message),
      process: process.target,
    });
    process.emit('SIGTERM');
    process.emit('SIGINT');
    expect(await process.exitedOnce).toBe(0);
    expect(stops).toBe(1);
    expect(process.exits).toEqual([0]);
    expect(logs[0]).toBe('SIGTERM: stopping (at most 5 s)');
    expect(logs).toContain('SIGINT: already stopping');
  });

  it('exits 1 and names what was still running when the bound passes', async () => {
    const process = fakeProcess();
    const errors: string[] = [];
    stopOnSignals({
      stop: () => new Promise<void>(() => undefined), // never finishes
      timeoutMs: 50,
      stillRunning: () => ['POST /v1/clients (in flight for 0.1 s)', 'PortalAccessMailer.onApplicationShutdown'],
      log: () => undefined,
      error: (message) => errors.push(message),
      process: process.target,
    });
    process.emit('SIGINT');
    expect(await process.exitedOnce).toBe(1);
    expect(errors).toEqual([
      'Did not stop within 0.1 s; still running: POST /v1/clients (in flight for 0.1 s); PortalAccessMailer.onApplicationShutdown. Exiting with code 1',
    ]);
  });

  it('exits 1 when stopping fails', async () => {
    const process = fakeProcess();
    const errors: string[] = [];
    stopOnSignals({
      stop: async () => {
        throw new Error('the store would not close');
      },
      timeoutMs: 5_000,
      log: () => undefined,
      error: (message) => errors.push(message),
      process: process.target,
    });
    process.emit('SIGTERM');
    expect(await process.exitedOnce).toBe(1);
    expect(errors[0]).toMatch(/^Stopping failed: Error: the store would not close/);
  });
});
