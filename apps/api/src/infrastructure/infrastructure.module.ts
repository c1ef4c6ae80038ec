import { DynamicModule, Global, Inject, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { join } from 'node:path';
import { createEventStore, EventStore, PersonalDataEventStore, PersonalDataVault } from '@app/event-store';
import { PERSONAL_DATA_FIELDS } from '@app/domain';
import { ALL_PROJECTIONS, createReadStore, ProjectionRunner, Projections, ProjectionThread, ProjectionWaiter, ReadStore } from '@app/projections';
import { createKeyValueStore, createRateLimitStore, CredentialStore, KeyValueStore, newSigningKeys, parseSigningKeys, RateLimitStore, TokenSigner } from '@app/credentials';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { Mailer } from '@app/notifications';
import { AppConfig } from '../config';
import { APP_CONFIG, EVENT_STORE, KEY_VALUE_STORE, PROJECTIONS, RATE_LIMIT_STORE, READ_STORE } from './tokens';
import { CommandExecutor } from '../commands/command-executor';
import { ServiceLifecycle } from '../lifecycle/service-lifecycle';

/**
 * Wires the ports to their adapters from the configuration: SQLite files under DATA_DIR by
 * default, EventStoreDB and MongoDB when their URLs are set. In the embedded default the
 * projections run in a worker thread of this process.
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
    @Inject(PROJECTIONS) private readonly projections: Projections,
    @Inject(RATE_LIMIT_STORE) private readonly rateLimits: RateLimitStore,
    private readonly mailer: Mailer,
  ) {}

  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: InfrastructureModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        ServiceLifecycle,
        {
          provide: EVENT_STORE,
          inject: [KEY_VALUE_STORE],
          useFactory: (kv: KeyValueStore) =>
            createEventStore({ eventStoreUrl: config.eventStoreUrl, dataDir: config.dataDir, personalData: { fields: PERSONAL_DATA_FIELDS, keyValueStore: kv } }),
        },
        { provide: PersonalDataVault, inject: [EVENT_STORE], useFactory: (events: PersonalDataEventStore) => events.vault },
        {
          provide: READ_STORE,
          useFactory: () => {
            const logger = new Logger('ReadStore');
            return createReadStore({ mongoUrl: config.mongoUrl, dataDir: config.dataDir, warn: (message) => logger.warn(message) });
          },
        },
        { provide: KEY_VALUE_STORE, useFactory: () => createKeyValueStore({ mongoUrl: config.mongoUrl, dataDir: config.dataDir }) },
        { provide: RATE_LIMIT_STORE, useFactory: () => createRateLimitStore({ mongoUrl: config.mongoUrl }) },
        CommandExecutor,
        { provide: CredentialStore, inject: [KEY_VALUE_STORE], useFactory: (kv: KeyValueStore) => new CredentialStore(kv) },
        { provide: TokenSigner, useFactory: async () => new TokenSigner(parseSigningKeys(config.tokenKeys ?? (await generatedTokenKeys(config.dataDir)))) },
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
          provide: PROJECTIONS,
          inject: [EVENT_STORE, READ_STORE],
          useFactory: (events: EventStore, readStore: ReadStore): Projections => {
            const log = new Logger('Projections');
            const logger = { log: (m: string) => log.log(m), error: (m: string, e?: unknown) => log.error(m, e instanceof Error ? e.stack : e) };
            // The embedded store's projections read and write their own SQLite connections in a
            // worker thread; with MongoDB they run here (or in apps/projector).
            if (!config.eventStoreUrl && !config.mongoUrl && config.projectionsInWorker && events.onAppended) {
              const thread = new ProjectionThread(
                {
                  eventsFile: join(config.dataDir, 'events.sqlite'),
                  readStoreFile: join(config.dataDir, 'read-models.sqlite'),
                  leaseTtlMs: config.projectionLeaseSeconds * 1000,
                  batchSize: config.projectionBatchSize,
                },
                logger,
              );
              events.onAppended(() => thread.appended());
              return thread;
            }
            return new ProjectionRunner(events, readStore, ALL_PROJECTIONS, { logger, leaseTtlMs: config.projectionLeaseSeconds * 1000, batchSize: config.projectionBatchSize });
          },
        },
        {
          provide: ProjectionWaiter,
          inject: [READ_STORE, PROJECTIONS],
          useFactory: (readStore: ReadStore, projections: Projections) =>
            new ProjectionWaiter(readStore, ALL_PROJECTIONS.map((p) => p.name), config.runProjections ? projections : undefined),
        },
      ],
      exports: [ServiceLifecycle, PersonalDataVault, CommandExecutor, APP_CONFIG, EVENT_STORE, READ_STORE, KEY_VALUE_STORE, CredentialStore, TokenSigner, Mailer, PROJECTIONS, ProjectionWaiter, RATE_LIMIT_STORE],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    // Every instance delivers the email outbox (each email is claimed by one sender at a time).
    this.mailer.start();
    // The read models' collections (of their live generations) exist before the first query,
    // wherever the projections run.
    await this.readStore.ensureProjections(ALL_PROJECTIONS);
    if (this.config.runProjections) {
      await this.projections.start();
      this.logger.log(this.projections instanceof ProjectionThread ? 'Projections run in a worker thread' : 'Projections run in this process');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.projections.stop();
    await this.mailer.close();
    await this.events.close();
    await this.readStore.close();
    await this.kv.close();
    await this.rateLimits.close();
  }
}

/** No TOKEN_KEYS: a key ring generated at first start into DATA_DIR/token-keys (0600), then reused. */
async function generatedTokenKeys(dataDir: string): Promise<string> {
  const file = join(dataDir, 'token-keys');
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (existing) return existing;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const keys = newSigningKeys('k1');
  try {
    await writeFile(file, `${keys}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another instance on the same DATA_DIR wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return (await readFile(file, 'utf8')).trim();
    throw error;
  }
  await chmod(file, 0o600);
  new Logger('Infrastructure').log(`Generated the token signing key into ${file}`);
  return keys;
}
