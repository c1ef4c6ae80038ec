import { Inject, Injectable, Logger } from '@nestjs/common';
import { Command, CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { DomainError, portalAccess, portalAccessStream, portalSeats, portalSeatsStream } from '@app/domain';
import { EventStore } from '@app/event-store';
import { AppConfig } from '../config';
import { CommandExecutor } from '../commands/command-executor';
import { CommandContext } from '../http/request-context';
import { APP_CONFIG, EVENT_STORE } from '../infrastructure/tokens';

/**
 * The users a portal holds: one seat per portal access on the stream `portalSeats-<portalId>`,
 * taken when it is invited (TakePortalUserSeat), given back when it is revoked
 * (ReleasePortalUserSeat), against MAX_USERS_PER_PORTAL.
 */

/** Seats decided together at most, in one append. */
const SEATS_PER_APPEND = 200;
/** After a reclaim that found nothing, the next waits this long (a full portal is refused at once meanwhile). */
const RECLAIM_PAUSE_MS = 5_000;
/** Access streams read at once while looking for abandoned seats. */
const RECLAIM_READS_AT_ONCE = 32;

/**
 * Invitations with their seats, and what this process knows of its seats: which are taken for
 * invitations still being written (never reclaimed), and which were found followed by their
 * invitation (not looked at again).
 */
@Injectable()
export class PortalSeats {
  /** Count per `portalId:accessId`. */
  private readonly inFlight = new Map<string, number>();
  private readonly confirmed = new Map<string, Set<string>>();

  constructor(
    private readonly commands: CommandBus,
    private readonly executor: CommandExecutor,
  ) {}

  /**
   * Invites into a portal: takes the access's seat, then runs `invite` (which writes the
   * invitation). If the invitation fails, the seat is given back, unless a concurrent
   * invitation of the same access now holds it. A seat whose invitation never followed (the
   * process stopped in between) is reclaimed when the portal is full (see TakePortalUserSeat).
   */
  async inviteWithSeat<T>(context: CommandContext, portalId: string, accessId: string, invite: () => Promise<T>): Promise<T> {
    const key = `${portalId}:${accessId}`;
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
    try {
      await this.commands.execute(new TakePortalUserSeat(context, portalId, accessId));
      try {
        return await invite();
      } catch (error) {
        const { state } = await this.executor.load(portalAccessStream(accessId), portalAccess, context.organizationId);
        if (state.status === null || state.status === 'Revoked') await this.commands.execute(new ReleasePortalUserSeat(context, portalId, accessId));
        throw error;
      }
    } finally {
      const left = this.inFlight.get(key)! - 1;
      if (left === 0) this.inFlight.delete(key);
      else this.inFlight.set(key, left);
    }
  }

  isInFlight(portalId: string, accessId: string): boolean {
    return this.inFlight.has(`${portalId}:${accessId}`);
  }

  /** The accesses of the portal whose seat was found followed by its invitation. */
  confirmedIn(portalId: string): Set<string> {
    let confirmed = this.confirmed.get(portalId);
    if (!confirmed) this.confirmed.set(portalId, (confirmed = new Set()));
    return confirmed;
  }

  /** The seat changed hands: look at it again when the portal is full. */
  unconfirm(portalId: string, accessId: string): void {
    this.confirmed.get(portalId)?.delete(accessId);
  }
}

/**
 * One seat for a portal access (when it is invited): 409 `portal-user-limit-reached` once the
 * portal holds MAX_USERS_PER_PORTAL users. Taking the seat of an access that has one is
 * nothing. Answers the position of the append that decided it.
 */
export class TakePortalUserSeat extends Command<bigint> {
  constructor(
    readonly context: CommandContext,
    readonly portalId: string,
    readonly accessId: string,
  ) {
    super();
  }
}

/** A seat asked for, waiting for its turn in the portal's next append. */
interface SeatRequest {
  context: CommandContext;
  accessId: string;
  resolve: (position: bigint) => void;
  reject: (error: unknown) => void;
}

@CommandHandler(TakePortalUserSeat)
export class TakePortalUserSeatHandler implements ICommandHandler<TakePortalUserSeat> {
  private readonly logger = new Logger('Portals');
  private readonly seatQueues = new Map<string, SeatRequest[]>();
  /** Per portal, when a reclaim last found nothing to free. */
  private readonly lastFruitlessReclaim = new Map<string, number>();

  constructor(
    private readonly executor: CommandExecutor,
    private readonly seats: PortalSeats,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  execute({ context, portalId, accessId }: TakePortalUserSeat): Promise<bigint> {
    this.seats.unconfirm(portalId, accessId);
    // Every invitation into a portal passes through its one seats stream: the seats asked for
    // while an append is in flight are decided together and appended at once (one fsync).
    return new Promise<bigint>((resolve, reject) => {
      let queue = this.seatQueues.get(portalId);
      if (!queue) this.seatQueues.set(portalId, (queue = []));
      queue.push({ context, accessId, resolve, reject });
      if (queue.length === 1) void this.takeQueuedSeats(portalId, queue);
    });
  }

  private async takeQueuedSeats(portalId: string, queue: SeatRequest[]): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, SEATS_PER_APPEND);
      try {
        const outcomes = await this.decideSeats(portalId, batch);
        // The portal is full: seats left behind by invitations that never followed are freed, and the refused asks tried once more.
        const refused = batch.map((_, index) => index).filter((index) => isLimitReached(outcomes[index]));
        if (refused.length > 0 && (await this.reclaimAbandonedSeats(portalId, batch[refused[0]].context.organizationId)) > 0) {
          const retried = await this.decideSeats(portalId, refused.map((index) => batch[index]));
          refused.forEach((index, k) => (outcomes[index] = retried[k]));
        }
        outcomes.forEach((outcome, index) => (outcome.ok ? batch[index].resolve(outcome.position) : batch[index].reject(outcome.error)));
      } catch (error) {
        for (const request of batch) request.reject(error);
      }
      queue.splice(0, batch.length);
    }
    this.seatQueues.delete(portalId);
  }

  private decideSeats(portalId: string, requests: SeatRequest[]) {
    return this.executor.executeEach({
      streamName: portalSeatsStream(portalId),
      decider: portalSeats,
      items: requests.map(({ context, accessId }) => ({
        context,
        command: { type: 'TakePortalUserSeat' as const, portalId, accessId, maxUsers: this.config.maxUsersPerPortal },
      })),
    });
  }

  /**
   * Frees the seats taken for an invitation that never followed: held longer than
   * SEAT_RESERVATION_SECONDS, not in flight in this process, and whose access the stream says
   * was never invited (or was revoked: the process stopped before giving the seat back).
   * Answers how many it freed. Runs only when the portal is full, at most every few seconds
   * when it finds nothing.
   */
  private async reclaimAbandonedSeats(portalId: string, organizationId: string): Promise<number> {
    const now = Date.now();
    const fruitless = this.lastFruitlessReclaim.get(portalId);
    if (fruitless !== undefined && now - fruitless < RECLAIM_PAUSE_MS) return 0;
    // When each seat was taken is in the events' metadata, not in the folded state.
    const { events } = await this.store.readStream(portalSeatsStream(portalId));
    const takenAt = new Map<string, number>();
    for (const event of events) {
      const accessId = event.data.accessId as string;
      if (event.type === 'PortalUserSeatTaken') takenAt.set(accessId, Date.parse(event.metadata.occurredAt));
      else if (event.type === 'PortalUserSeatReleased') takenAt.delete(accessId);
    }
    const confirmed = this.seats.confirmedIn(portalId);
    const cutoff = now - this.config.seatReservationSeconds * 1000;
    const candidates = [...takenAt]
      .filter(([accessId, at]) => at <= cutoff && !confirmed.has(accessId) && !this.seats.isInFlight(portalId, accessId))
      .map(([accessId]) => accessId);
    const abandoned: string[] = [];
    for (let i = 0; i < candidates.length; i += RECLAIM_READS_AT_ONCE) {
      await Promise.all(
        candidates.slice(i, i + RECLAIM_READS_AT_ONCE).map(async (accessId) => {
          const { state } = await this.executor.load(portalAccessStream(accessId), portalAccess, organizationId);
          if (state.status === null || state.status === 'Revoked') abandoned.push(accessId);
          else confirmed.add(accessId);
        }),
      );
    }
    if (abandoned.length === 0) {
      this.lastFruitlessReclaim.set(portalId, now);
      return 0;
    }
    this.lastFruitlessReclaim.delete(portalId);
    const context: CommandContext = { organizationId, actor: { kind: 'system', id: 'seat-reclaim' }, channel: 'system', correlationId: randomUUID() };
    const outcomes = await this.executor.executeEach({
      streamName: portalSeatsStream(portalId),
      decider: portalSeats,
      items: abandoned.map((accessId) => ({ context, command: { type: 'ReleasePortalUserSeat' as const, portalId, accessId } })),
    });
    const freed = outcomes.filter((outcome) => outcome.ok).length;
    this.logger.warn(`Portal ${portalId}: freed ${freed} seat(s) taken for invitations that never followed`);
    return freed;
  }
}

function isLimitReached(outcome: { ok: boolean; error?: unknown }): boolean {
  return !outcome.ok && outcome.error instanceof DomainError && outcome.error.code === 'portal-user-limit-reached';
}

/** Frees an access's seat (when it is revoked); nothing when it holds none. Answers the position written. */
export class ReleasePortalUserSeat extends Command<bigint> {
  constructor(
    readonly context: CommandContext,
    readonly portalId: string,
    readonly accessId: string,
  ) {
    super();
  }
}

@CommandHandler(ReleasePortalUserSeat)
export class ReleasePortalUserSeatHandler implements ICommandHandler<ReleasePortalUserSeat> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly seats: PortalSeats,
  ) {}

  async execute({ context, portalId, accessId }: ReleasePortalUserSeat): Promise<bigint> {
    const { position } = await this.executor.execute({
      streamName: portalSeatsStream(portalId),
      decider: portalSeats,
      command: { type: 'ReleasePortalUserSeat', portalId, accessId },
      context,
    });
    this.seats.unconfirm(portalId, accessId);
    return position;
  }
}

export const PORTAL_SEAT_COMMAND_HANDLERS = [TakePortalUserSeatHandler, ReleasePortalUserSeatHandler];
