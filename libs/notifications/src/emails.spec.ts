import { emailDateTime } from './dates';
import { invitationEmail, passwordResetEmail, projectsLine } from './invitation-email';
import { projectRemovalEmail } from './project-email';
import { notificationEmail } from './notification-email';

describe('emails', () => {
  const at = '2026-11-29T05:05:00.000Z';

  it('tell dates one way: long date, short time, in the recipient’s language and time zone, the zone named', () => {
    expect(emailDateTime(at, 'en', 'Asia/Tokyo')).toBe('29 November 2026 at 14:05 (Asia/Tokyo)');
    expect(emailDateTime(at, 'ja', 'Asia/Tokyo')).toBe('2026年11月29日 14:05 (Asia/Tokyo)');
    expect(emailDateTime(at, 'pt-BR', 'America/Sao_Paulo')).toMatch(/^29 de novembro de 2026.* 02:05 \(America\/Sao_Paulo\)$/);
    expect(emailDateTime(at, 'fr', 'Europe/Paris')).toMatch(/^29 novembre 2026.* 06:05 \(Europe\/Paris\)$/);
    expect(emailDateTime(at, 'xx', 'UTC')).toBe('29 November 2026 at 05:05 (UTC)');
  });

  it('notify staff of a client action by name and number, in the organization’s language and time zone', () => {
    const input = {
      to: 'ops@agency.example',
      organizationName: 'Tokyo Staffing',
      timeZone: 'Asia/Tokyo',
      type: 'QuoteAccepted',
      occurredAt: at,
      actorName: 'Ana Souza',
      companyName: 'Acme Logistics',
      document: { kind: 'quote', number: 'Q-42', title: null },
      details: {},
    };
    const en = notificationEmail({ ...input, language: null });
    expect(en.subject).toBe('[Tokyo Staffing] Ana Souza accepted a quote');
    expect(en.text).toBe(
      'Ana Souza accepted a quote in the Tokyo Staffing client portal.\n\nWhen: 29 November 2026 at 14:05 (Asia/Tokyo)\nDocument: Quote Q-42\nCompany: Acme Logistics\nContact: Ana Souza\n',
    );
    const ja = notificationEmail({ ...input, language: 'ja', details: { reason: '予算超過' } });
    expect(ja.subject).toBe('[Tokyo Staffing] Ana Souzaが見積を承諾しました');
    expect(ja.text).toContain('書類: 見積 Q-42');
    expect(ja.text).toContain('理由: 予算超過');
    const pt = notificationEmail({ ...input, language: 'pt-BR', type: 'TimesheetApproved', document: { kind: 'timesheet', number: null, title: 'Jonas Weber' } });
    expect(pt.text).toContain('Ana Souza aprovou uma folha de horas no portal do cliente Tokyo Staffing.');
    expect(pt.text).toContain('Documento: Folha de horas “Jonas Weber”');
    expect(notificationEmail({ ...input, language: 'fr', actorName: null }).subject).toBe('[Tokyo Staffing] Un client a accepté un devis');
    expect(en.html).not.toContain('<script');
    expect(notificationEmail({ ...input, language: null, companyName: '<b>Evil</b>' }).html).toContain('&lt;b&gt;Evil&lt;/b&gt;');
  });

  it('give invitation and reset expiries in the same format', () => {
    const invitation = invitationEmail({
      to: 'ana@acme.example',
      contactName: 'Ana',
      organizationName: 'Tokyo Staffing',
      portalUrl: 'https://portal.example',
      acceptUrl: 'https://portal.example/accept-invitation?token=abc',
      expiresAt: at,
      language: 'ja',
      timeZone: 'Asia/Tokyo',
    });
    expect(invitation.text).toContain('2026年11月29日 14:05 (Asia/Tokyo)');
    const reset = passwordResetEmail({ to: 'ana@acme.example', organizationName: 'Tokyo Staffing', resetUrl: 'https://portal.example/reset-password?token=abc', expiresAt: at, language: 'fr', timeZone: 'Europe/Paris' });
    expect(reset.subject).toBe('Réinitialisez votre mot de passe du portail client Tokyo Staffing');
    expect(reset.text).toMatch(/expire le 29 novembre 2026.* 06:05 \(Europe\/Paris\)\./);
    expect(reset.text).toContain('https://portal.example/reset-password?token=abc');
  });

  it('list the projects a person is invited into, and tell it when it leaves one', () => {
    const base = { to: 'ana@acme.example', contactName: 'Ana', organizationName: 'Acme Staffing', portalUrl: 'https://p.example', acceptUrl: 'https://p.example/a?token=t', expiresAt: at };
    const invited = invitationEmail({ ...base, projects: ['Harbour <extension>', 'Night logistics'] });
    expect(invited.text).toContain('Projects: Harbour <extension>, Night logistics');
    expect(invited.html).toContain('Projects: Harbour &lt;extension&gt;, Night logistics');
    expect(invitationEmail({ ...base, language: 'ja', projects: ['港湾'] }).text).toContain('プロジェクト: 港湾');
    expect(invitationEmail(base).text).not.toContain('Projects');
    expect(projectsLine('fr', ['A', 'B'])).toBe('Projets: A, B');

    const removed = projectRemovalEmail({ to: 'ana@acme.example', contactName: 'Ana', organizationName: 'Acme Staffing', projectName: 'Warehouse\nmove', language: 'pt-BR' });
    expect(removed.subject).toBe('Você não acompanha mais o projeto Warehouse move');
    expect(removed.text).toContain('Acme Staffing removeu você do projeto Warehouse\nmove');
  });
});
