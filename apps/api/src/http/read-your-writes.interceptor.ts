import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { from, Observable, switchMap } from 'rxjs';
import { EventStore } from '@app/event-store';
import { ProjectionWaiter } from '@app/projections';
import { AppConfig } from '../config';
import { APP_CONFIG, EVENT_STORE } from '../infrastructure/tokens';
import { invalidInput, ProblemException } from './problem';

/**
 * `?minPosition=N` on any GET: answer only once the projections have reached position N (the
 * `position` a write returned), so a client reads its own writes; 503 if they do not get
 * there in time. A position the log has not reached is refused at once (422 with the head),
 * rather than waited for.
 */
@Injectable()
export class ReadYourWritesInterceptor implements NestInterceptor {
  constructor(
    private readonly waiter: ProjectionWaiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly events: EventStore,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const raw = (request.query as Record<string, unknown> | undefined)?.minPosition;
    if (request.method !== 'GET' || raw === undefined) return next.handle();
    if (typeof raw !== 'string' || !/^\d{1,19}$/.test(raw)) {
      throw invalidInput([{ field: 'minPosition', message: 'minPosition must be a non-negative integer' }]);
    }
    const position = BigInt(raw);
    return from(this.wait(position)).pipe(
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

  private async wait(position: bigint): Promise<boolean> {
    const head = await this.events.headPosition();
    if (position > head) {
      const message = `minPosition ${position} is beyond the event log's head (${head}): pass a position a write answered`;
      throw new ProblemException(422, 'position-beyond-head', 'Unprocessable content', message, {
        headPosition: Number(head),
        errors: [{ field: 'minPosition', message }],
      });
    }
    return this.waiter.waitFor(position, this.config.readWaitTimeoutMs);
  }
}
