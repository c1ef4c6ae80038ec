import { clientCompany, clientCompanyStream } from '@app/domain';
import { InMemoryEventStore, WrongExpectedRevisionError } from '@app/event-store';
import { CommandExecutor } from '../commands/command-executor';
import { CommandContext } from '../http/request-context';
import { CommandMetrics, projectionMetrics } from './command-metrics';

const context: CommandContext = { organizationId: 'org-1', actor: { kind: 'staff', id: 'key-1' }, channel: 'api', correlationId: 'corr-1' };
const register = (clientId: string, name = 'Acme') => ({ type: 'RegisterClientCompany' as const, clientId, name });

describe('command metrics', () => {
  it('count every command the executor decides, by type and outcome', async () => {
    const store = new InMemoryEventStore();
    const executor = new CommandExecutor(store);
    const metrics = new CommandMetrics(executor);
    const run = (clientId: string, name?: string) => executor.execute({ streamName: clientCompanyStream(clientId), decider: clientCompany, command: register(clientId, name), context });
    await run('c1');
    await run('c2');
    await expect(run('c1')).rejects.toMatchObject({ code: 'client-already-registered' }); // a rule refuses it
    await expect(run('c3', '   ')).rejects.toMatchObject({ kind: 'unprocessable' });
    store.appendToStream = async (...args) => {
      throw new WrongExpectedRevisionError(args[0], args[2].expectedRevision, 0n);
    };
    await expect(run('c4')).rejects.toMatchObject({ status: 409 });
    store.appendToStream = async () => {
      throw new Error('disk full');
    };
    await expect(run('c5')).rejects.toThrow('disk full');
    await executor.executeEach({ streamName: clientCompanyStream('c1'), decider: clientCompany, items: [{ command: { type: 'ArchiveClientCompany' }, context }] }).catch(() => undefined);

    const text = metrics.render().join('\n');
    expect(text).toContain('# TYPE commands_total counter');
    expect(text).toContain('commands_total{command="RegisterClientCompany",outcome="accepted"} 2');
    expect(text).toContain('commands_total{command="RegisterClientCompany",outcome="rejected"} 2');
    expect(text).toContain('commands_total{command="RegisterClientCompany",outcome="conflict"} 1');
    expect(text).toContain('commands_total{command="RegisterClientCompany",outcome="failed"} 1');
    expect(text).toContain('commands_total{command="ArchiveClientCompany",outcome="failed"} 1');
    metrics.onModuleDestroy();
    await expect(run('c6')).rejects.toThrow();
    expect(metrics.render().join('\n')).toContain('commands_total{command="RegisterClientCompany",outcome="failed"} 1');
  });

  it('give the rate over the last minute', () => {
    const metrics = new CommandMetrics(new CommandExecutor(new InMemoryEventStore()));
    const t0 = Date.parse('2026-03-01T00:00:00Z');
    for (let i = 0; i < 30; i++) metrics.record('InviteContact', 'accepted', t0 + i * 1000);
    metrics.record('InviteContact', 'rejected', t0);
    const at = (ms: number) => metrics.render(ms).filter((line) => line.startsWith('commands_per_second{'));
    expect(at(t0 + 29_000)).toEqual(['commands_per_second{command="InviteContact",outcome="accepted"} 0.5', 'commands_per_second{command="InviteContact",outcome="rejected"} 0.017']);
    expect(at(t0 + 75_000)).toEqual(['commands_per_second{command="InviteContact",outcome="accepted"} 0.233', 'commands_per_second{command="InviteContact",outcome="rejected"} 0']);
    expect(at(t0 + 500_000)[0]).toBe('commands_per_second{command="InviteContact",outcome="accepted"} 0');
    expect(metrics.render(t0 + 500_000)).toContain('commands_total{command="InviteContact",outcome="accepted"} 30');
  });

  it('show each projection’s lag, rate and state', () => {
    const lines = projectionMetrics(
      [
        { name: 'audit_v1', position: 90n, state: 'running', eventsPerSecond: 1200, lastError: null },
        { name: 'report_invoices_v1', position: undefined, state: 'failed', eventsPerSecond: 0, lastError: 'boom' },
      ],
      new Map([['report_invoices_v1', 40n]]),
      100n,
    );
    expect(lines).toEqual(
      expect.arrayContaining([
        'projection_lag_events{projection="audit_v1"} 10',
        'projection_lag_events{projection="report_invoices_v1"} 60',
        'projection_events_per_second{projection="audit_v1"} 1200',
        'projection_state{projection="audit_v1",state="running"} 1',
        'projection_state{projection="audit_v1",state="failed"} 0',
        'projection_state{projection="report_invoices_v1",state="failed"} 1',
      ]),
    );
  });
});
