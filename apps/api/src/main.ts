import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { stopOnSignals } from '@app/lifecycle';
import { createApp } from './app';
import { loadConfig } from './config';
import { closeGracefully } from './lifecycle/graceful-shutdown';
import { ServiceLifecycle } from './lifecycle/service-lifecycle';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  const { port } = app.getHttpServer().address() as { port: number };
  const logger = new Logger('Main');
  logger.log(
    `Client portal API listening on port ${port} (events: ${config.eventStoreUrl ? 'EventStoreDB' : `SQLite in ${config.dataDir}`}, ` +
      `read models: ${config.mongoUrl ? 'MongoDB' : 'SQLite'}); OpenAPI at /docs`,
  );
  const lifecycle = app.get(ServiceLifecycle);
  stopOnSignals({
    stop: () => closeGracefully(app),
    timeoutMs: config.shutdownTimeoutSeconds * 1000,
    stillRunning: () => lifecycle.stillRunning(),
    log: (message) => logger.log(message),
    error: (message) => logger.error(message),
  });
}

main().catch((error) => {
  // eslint-disable-next-line no-console
  console.error(error);
  process.exit(1);
});
