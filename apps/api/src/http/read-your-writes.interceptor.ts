import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { from, Observable, switchMap } from 'rxjs';
import { ProjectionWaiter } from '@app/projections';
import { AppConfig } from '../config';
import { APP_CONFIG } from '../infrastructure/tokens';
import { ProblemException } from './problem';

/**
 * `?minPosition=N` on any GET: answer only once the projections have reached position N (the
 * `position` a write returned), so a client reads its own writes; 503 if they do not get
 * there in time.
 */
@Injectable()
export class ReadYourWritesInterceptor implements NestInterceptor {
  constructor(
    private readonly waiter: ProjectionWaiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const raw = (request.query as Record<string, unknown> | undefined)?.minPosition;
    if (request.method !== 'GET' || raw === undefined) return next.handle();
    if (typeof raw !== 'string' || !/^\d{1,19}$/.test(raw)) {
      throw new ProblemException(422, 'validation-failed', 'The request is not valid', 'minPosition must be a non-negative integer.', {
        errors: [{ field: 'minPosition', message: 'minPosition must be a non-negative integer' }],
      });
    }
    return from(this.waiter.waitFor(BigInt(raw), this.config.readWaitTimeoutMs)).pipe(
      switchMap((reached) => {
        if (!reached) {
          throw new ProblemException(503, 'projection-lagging', 'Service unavailable', `The read models have not reached position ${raw} yet; retry shortly.`, {}, {
            'retry-after': '1',
          });
        }
        return next.handle();
      }),
    );
  }
}
