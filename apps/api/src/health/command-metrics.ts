import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { DomainError } from '@app/domain';
import { ProjectionState, ProjectionStatus } from '@app/projections';
import { CommandExecutor } from '../commands/command-executor';
import { ProblemException } from '../http/problem';

/** How a command ended: written (or nothing to write), refused by a rule, lost to concurrent writers, or failed. */
export type CommandOutcome = 'accepted' | 'rejected' | 'conflict' | 'failed';

export function outcomeOf(outcome: { ok: true } | { ok: false; error: unknown }): CommandOutcome {
  if (outcome.ok) return 'accepted';
  const { error } = outcome;
  if (error instanceof DomainError) return 'rejected';
  if (error instanceof ProblemException) return error.code === 'concurrency-conflict' ? 'conflict' : error.status < 500 ? 'rejected' : 'failed';
  return 'failed';
}

const WINDOW_SECONDS = 60;

/**
 * Commands by type and outcome, counted where they are executed (the command executor's one
 * write path): a counter since the start (`rate()` it), and the rate over the last minute.
 */
@Injectable()
export class CommandMetrics implements OnModuleDestroy {
  private readonly series = new Map<string, { total: number; perSecond: number[]; second: number }>();
  private readonly unsubscribe: () => void;

  constructor(executor: CommandExecutor) {
    this.unsubscribe = executor.onCommand((command, outcome) => {
      const type = typeof (command as { type?: unknown })?.type === 'string' ? (command as { type: string }).type : 'unknown';
      this.record(type, outcomeOf(outcome));
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  record(commandType: string, outcome: CommandOutcome, nowMs = Date.now()): void {
    const key = `command="${label(commandType)}",outcome="${outcome}"`;
    let entry = this.series.get(key);
    if (!entry) this.series.set(key, (entry = { total: 0, perSecond: new Array(WINDOW_SECONDS).fill(0), second: Math.floor(nowMs / 1000) }));
    this.advance(entry, nowMs);
    entry.total += 1;
    entry.perSecond[entry.second % WINDOW_SECONDS] += 1;
  }

  render(nowMs = Date.now()): string[] {
    const lines = [
      '# HELP commands_total Commands decided since the process started, by command type and outcome (accepted, rejected, conflict, failed).',
      '# TYPE commands_total counter',
    ];
    const rates = ['# HELP commands_per_second Commands per second over the last minute, by command type and outcome.', '# TYPE commands_per_second gauge'];
    for (const [labels, entry] of this.series) {
      this.advance(entry, nowMs);
      lines.push(`commands_total{${labels}} ${entry.total}`);
      const lastMinute = entry.perSecond.reduce((sum, n) => sum + n, 0);
      rates.push(`commands_per_second{${labels}} ${Number((lastMinute / WINDOW_SECONDS).toFixed(3))}`);
    }
    return [...lines, ...rates];
  }

  /** Moves a series' window to the current second, clearing the seconds it skipped. */
  private advance(entry: { perSecond: number[]; second: number }, nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    for (let s = entry.second + 1; s <= Math.min(second, entry.second + WINDOW_SECONDS); s++) entry.perSecond[s % WINDOW_SECONDS] = 0;
    if (second > entry.second) entry.second = second;
  }
}

/**
 * Per projection, from the runner that runs it in this process: position, how far behind the
 * head of the log, events per second, state (one series per state, 1 for the current one).
 * `checkpoints` are the stored ones, so that lag is right where another process projects.
 */
export function projectionMetrics(statuses: ProjectionStatus[], checkpoints: Map<string, bigint>, head: bigint): string[] {
  const lines = ['# HELP projection_lag_events Events in the log after the projection’s position.', '# TYPE projection_lag_events gauge'];
  const rates = ['# HELP projection_events_per_second Events read per second by the projection’s reader, over its last page.', '# TYPE projection_events_per_second gauge'];
  const states = ['# HELP projection_state The projection’s state in this process (1: current).', '# TYPE projection_state gauge'];
  for (const status of statuses) {
    const name = `projection="${label(status.name)}"`;
    const position = [status.position ?? 0n, checkpoints.get(status.name) ?? 0n].reduce((a, b) => (a > b ? a : b));
    lines.push(`projection_lag_events{${name}} ${head > position ? head - position : 0n}`);
    rates.push(`projection_events_per_second{${name}} ${status.eventsPerSecond}`);
    for (const state of PROJECTION_STATES) states.push(`projection_state{${name},state="${state}"} ${status.state === state ? 1 : 0}`);
  }
  return [...lines, ...rates, ...states];
}

const PROJECTION_STATES: readonly ProjectionState[] = ['running', 'catching-up', 'rebuilding', 'standby', 'failed'];

/** A Prometheus label value: backslash, double quote and newline escaped. */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
