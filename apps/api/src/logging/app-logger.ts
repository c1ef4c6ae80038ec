import { ConsoleLogger, LogLevel } from '@nestjs/common';

export type LogFormat = 'json' | 'text';

/** Nest's start-up chatter (modules loaded, every route mapped): worth seeing only when debugging. */
const START_UP_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory']);

const LEVELS: Record<'silent' | 'error' | 'info' | 'debug', LogLevel[]> = {
  silent: [],
  error: ['error', 'fatal'],
  info: ['log', 'warn', 'error', 'fatal'],
  debug: ['debug', 'verbose', 'log', 'warn', 'error', 'fatal'],
};

/**
 * The service's logger: JSON lines (one object per line, no colour codes) when the output is
 * not a terminal, so that files and log collectors get records they can parse; readable,
 * coloured lines on a terminal. The route map and module loading go to debug.
 */
export class AppLogger extends ConsoleLogger {
  constructor(level: keyof typeof LEVELS, format: LogFormat) {
    super({ logLevels: LEVELS[level], json: format === 'json', colors: format === 'text' && process.stdout.isTTY === true, compact: true });
  }

  override log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    if (typeof context === 'string' && START_UP_CONTEXTS.has(context)) return super.debug(message, ...rest);
    super.log(message, ...rest);
  }
}
