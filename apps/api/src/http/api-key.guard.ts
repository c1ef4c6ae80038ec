import { CanActivate, ExecutionContext, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashToken, newToken, sameHash } from '@app/credentials';
import { AppConfig } from '../config';
import { APP_CONFIG } from '../infrastructure/tokens';
import { ProblemException } from './problem';
import { AuthenticatedRequest, IS_PUBLIC, Principal } from './request-context';

/** The organization that runs the service; the bootstrap key is its admin key. */
export const OPERATOR_ORGANIZATION_ID = '00000000-0000-4000-8000-000000000001';

/**
 * Staff authentication: `Authorization: Bearer <api key>`. Keys are compared by their
 * SHA-256 in constant time; a key is never logged, only its short public prefix.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate, OnModuleInit {
  private readonly logger = new Logger('Auth');
  private adminKeyHash = '';
  private adminKeyPrefix = '';

  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const key = this.config.apiKey ?? (await this.generatedKey());
    this.adminKeyHash = hashToken(key);
    this.adminKeyPrefix = this.adminKeyHash.slice(0, 8);
  }

  canActivate(context: ExecutionContext): boolean {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = this.authenticate(request.headers.authorization);
    if (!principal) {
      throw new ProblemException(401, 'unauthorized', 'Unauthorized', 'A valid API key is required: Authorization: Bearer <key>.', {}, {
        'www-authenticate': 'Bearer',
      });
    }
    request.principal = principal;
    return true;
  }

  private authenticate(header: string | undefined): Principal | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match || !sameHash(hashToken(match[1]), this.adminKeyHash)) return undefined;
    return { organizationId: OPERATOR_ORGANIZATION_ID, actor: { kind: 'staff', id: `apikey:${this.adminKeyPrefix}` }, role: 'admin' };
  }

  /** No API_KEY: generate one at first start into DATA_DIR/admin-api-key (0600) and keep it. */
  private async generatedKey(): Promise<string> {
    const file = join(this.config.dataDir, 'admin-api-key');
    try {
      const existing = (await readFile(file, 'utf8')).trim();
      if (existing) return existing;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await mkdir(this.config.dataDir, { recursive: true });
    const key = newToken();
    await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
    this.logger.log(`Generated the bootstrap admin API key into ${file} (readable by this user only)`);
    return key;
  }
}
