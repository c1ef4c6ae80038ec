/**
 * How a process of this service stops on SIGTERM (an orchestrator, `docker stop`) or SIGINT
 * (Ctrl-C): once, whatever the number of signals, by its own `stop` (which finishes the work in
 * hand and closes the stores), then exit 0; an error while stopping exits 1; and a stop that
 * takes longer than the bound logs what was still running and exits 1, so that an orchestrator
 * never waits on a process that hangs.
 */
export interface StopOnSignalsOptions {
  /** Finishes the work in hand and closes the stores; resolves when the process may exit. */
  stop: () => Promise<void>;
  /** The bound: past it, the process exits 1. */
  timeoutMs: number;
  /** What is still running, one entry each (named in the log when the bound passes). */
  stillRunning?: () => string[];
  log: (message: string) => void;
  error: (message: string) => void;
  /** The process to listen on and exit (tests pass a stand-in). */
  process?: Pick<NodeJS.Process, 'on' | 'exit'>;
}

export const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

export function stopOnSignals(options: StopOnSignalsOptions): void {
  const target = options.process ?? process;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      options.log(`${signal}: already stopping`);
      return;
    }
    stopping = true;
    const started = Date.now();
    options.log(`${signal}: stopping (at most ${formatSeconds(options.timeoutMs)})`);
    // Not unref'd: it must fire even when nothing else keeps the event loop alive.
    const deadline = setTimeout(() => {
      const running = options.stillRunning?.() ?? [];
      options.error(
        `Did not stop within ${formatSeconds(options.timeoutMs)}; still running: ${running.length > 0 ? running.join('; ') : 'nothing this process tracks'}. Exiting with code 1`,
      );
      target.exit(1);
    }, options.timeoutMs);
    options.stop().then(
      () => {
        clearTimeout(deadline);
        options.log(`Stopped in ${formatSeconds(Date.now() - started)}`);
        target.exit(0);
      },
      (error: unknown) => {
        clearTimeout(deadline);
        options.error(`Stopping failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        target.exit(1);
      },
    );
  };
  for (const signal of SHUTDOWN_SIGNALS) target.on(signal, onSignal);
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
}
