import { DynamicModule, Global, Inject, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { join } from 'node:path';
import { createEventStore, EventStore, PersonalDataVault } from '@app/event-store';
import { PERSONAL_DATA_FIELDS } from '@app/domain';
import { ALL_PROJECTIONS, createReadStore, ProjectionRunner, ProjectionWaiter, ReadStore } from '@app/projections';
import { createKeyValueStore, CredentialStore, KeyValueStore } from '@app/credentials';
import { Mailer } from '@app/notifications';
import { AppConfig } from '../config';
import { APP_CONFIG, EVENT_STORE, KEY_VALUE_STORE, READ_STORE } from './tokens';
import { CommandExecutor } from '../commands/command-executor';

/**
 * Wires the ports to their adapters from the configuration: SQLite files under DATA_DIR by
 * default, EventStoreDB and MongoDB when their URLs are set. In the embedded default the
 * projections run in this process.
 */
@Global()
@Module({})
export class InfrastructureModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Infrastructure');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(KEY_VALUE_STORE) private readonly kv: KeyValueStore,
    private readonly runner: ProjectionRunner,
    private readonly mailer: Mailer,
  ) {}

  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: InfrastructureModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: PersonalDataVault, inject: [KEY_VALUE_STORE], useFactory: (kv: KeyValueStore) => new PersonalDataVault(kv, PERSONAL_DATA_FIELDS) },
        {
          provide: EVENT_STORE,
          inject: [PersonalDataVault],
          useFactory: async (vault: PersonalDataVault) => createEventStore({ eventStoreUrl: config.eventStoreUrl, dataDir: config.dataDir, vault }),
        },
        { provide: READ_STORE, useFactory: () => createReadStore({ mongoUrl: config.mongoUrl, dataDir: config.dataDir }) },
        { provide: KEY_VALUE_STORE, useFactory: () => createKeyValueStore({ mongoUrl: config.mongoUrl, dataDir: config.dataDir }) },
        CommandExecutor,
        { provide: CredentialStore, inject: [KEY_VALUE_STORE], useFactory: (kv: KeyValueStore) => new CredentialStore(kv) },
        {
          provide: Mailer,
          inject: [KEY_VALUE_STORE],
          useFactory: (kv: KeyValueStore) => {
            const logger = new Logger('Mailer');
            return new Mailer({
              from: config.mailFrom,
              smtpUrl: config.smtpUrl,
              outboxDir: join(config.dataDir, 'outbox'),
              store: kv,
              logger: { warn: (m) => logger.warn(m), error: (m) => logger.error(m) },
            });
          },
        },
        {
          provide: ProjectionRunner,
          inject: [EVENT_STORE, READ_STORE],
          useFactory: (events: EventStore, readStore: ReadStore) =>
            new ProjectionRunner(events, readStore, ALL_PROJECTIONS, {
              logger: { log: (m) => new Logger('Projections').log(m), error: (m, e) => new Logger('Projections').error(m, e instanceof Error ? e.stack : e) },
            }),
        },
        {
          provide: ProjectionWaiter,
          inject: [READ_STORE, ProjectionRunner],
          useFactory: (readStore: ReadStore, runner: ProjectionRunner) =>
            new ProjectionWaiter(readStore, ALL_PROJECTIONS.map((p) => p.name), config.runProjections ? runner : undefined),
        },
      ],
      exports: [PersonalDataVault, CommandExecutor, APP_CONFIG, EVENT_STORE, READ_STORE, KEY_VALUE_STORE, CredentialStore, Mailer, ProjectionRunner, ProjectionWaiter],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    // Every instance delivers the email outbox (each email is claimed by one sender at a time).
    this.mailer.start();
    if (this.config.runProjections) {
      await this.runner.start();
      this.logger.log('Projections run in this process');
    } else {
      await this.readStore.ensureCollections(ALL_PROJECTIONS.flatMap((p) => p.collections));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runner.stop();
    await this.mailer.close();
    await this.events.close();
    await this.readStore.close();
    await this.kv.close();
  }
}
