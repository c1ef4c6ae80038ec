import { removeDataDir, startApp, TestApp } from '../support/app';

/** /metrics in Prometheus text format: commands by type and outcome, and each projection's position, lag, rate and state. */
describe('metrics (e2e)', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startApp();
  });
  afterAll(async () => {
    await api?.close();
    removeDataDir(api.dataDir);
  });

  it('counts commands by type and outcome where they are executed, and shows every projection', async () => {
    const created = await api.request('POST', '/v1/clients', { name: 'Metrics Co' });
    expect(created.status).toBe(201);
    const person = await api.request('POST', `/v1/clients/${created.body.id}/contacts`, { name: 'Pat', email: 'pat@metrics.example' });
    expect((await api.request('POST', `/v1/contacts/${person.body.id}/portal-access/invite`)).status).toBe(200);
    expect((await api.request('POST', `/v1/contacts/${person.body.id}/portal-access/disable`, {})).status).toBe(200);
    expect((await api.request('POST', `/v1/contacts/${person.body.id}/portal-access/disable`, {})).status).toBe(409); // decided, and refused by a rule

    const metrics = await api.request('GET', '/metrics'); // the operator's admin key
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = metrics.body as string;
    expect(text).toMatch(/^commands_total\{command="RegisterClientCompany",outcome="accepted"\} 1$/m);
    expect(text).toMatch(/^commands_total\{command="InviteContact",outcome="accepted"\} 1$/m);
    expect(text).toMatch(/^commands_total\{command="DisablePortalAccess",outcome="accepted"\} 1$/m);
    expect(text).toMatch(/^commands_total\{command="DisablePortalAccess",outcome="rejected"\} 1$/m);
    expect(text).toMatch(/^commands_per_second\{command="RegisterClientCompany",outcome="accepted"\} 0\.0\d+$/m);
    for (const projection of ['portal_status_v1', 'audit_v1', 'report_invitations_v1', 'report_invoices_v1']) {
      expect(text).toMatch(new RegExp(`^projection_position\\{projection="${projection}"\\} \\d+$`, 'm'));
      expect(text).toMatch(new RegExp(`^projection_lag_events\\{projection="${projection}"\\} \\d+$`, 'm'));
      expect(text).toMatch(new RegExp(`^projection_events_per_second\\{projection="${projection}"\\} \\d+$`, 'm'));
      expect(text).toMatch(new RegExp(`^projection_state\\{projection="${projection}",state="(running|catching-up)"\\} 1$`, 'm'));
    }
    expect(text).toMatch(/^http_request_duration_ms_bucket\{method="POST",route="\/v1\/clients",status="201",le="\+Inf"\} 1$/m);
  });
});
