import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/support/app.js';
import { verifyAuditLog } from '../../platform/audit/audit-log.js';
import { CONSENT_PURPOSES } from '../data-map/types.js';
import { UnknownPurposeError } from './ledger.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ workers: false });
});
afterAll(() => t.close());

const member = { type: 'member' as const, id: '7d3f4c1e-0000-4000-8000-000000000001' };
const context = { subject: member, language: 'id' as const, ip: '203.0.113.9', userAgent: 'Mozilla/5.0 (Linux; Android 14)' };

describe('consent ledger', () => {
  it('starts with every consent purpose off (opt-in)', async () => {
    const state = await t.services.consent.consents(member);
    expect(Object.keys(state).sort()).toEqual([...CONSENT_PURPOSES].sort());
    expect(Object.values(state).every((s) => s.granted === false && s.at === null)).toBe(true);
  });

  it('records acceptance of the exact policy text shown: version, language and that document’s sha256', async () => {
    const recorded = await t.database.db.transaction().execute((trx) => t.services.consent.recordPolicyAcceptance(trx, context));
    const published = await t.services.policy.document('1', 'id');
    expect(recorded).toMatchObject({ version: '1', sha256: published!.sha256 });
    expect(await t.services.consent.acceptedPolicy(member)).toMatchObject({ policy_version: '1', policy_sha256: published!.sha256, language: 'id' });

    const row = await t.database.db.selectFrom('consent_ledger').selectAll().where('subject_id', '=', member.id).executeTakeFirstOrThrow();
    expect(row.ip).not.toContain('203.0.113.9');
    expect(t.services.keyring.decrypt(row.ip!, 'consent_ledger.ip')).toBe('203.0.113.9');
  });

  it('grants and withdraws a purpose, the latest entry winning, each with an audit record', async () => {
    const set = (granted: boolean) =>
      t.database.db.transaction().execute((trx) => t.services.consent.setConsent(trx, context, 'marketing_email', granted));
    await set(true);
    expect(await t.services.consent.hasConsent(member, 'marketing_email')).toBe(true);
    expect(await t.services.consent.hasConsent(member, 'email_tracking')).toBe(false);
    await set(false);
    expect(await t.services.consent.hasConsent(member, 'marketing_email')).toBe(false);
    const audit = await t.database.db.selectFrom('audit_log').select(['action', 'details']).where('subject_id', '=', member.id).orderBy('seq').execute();
    expect(audit.map((a) => a.action)).toEqual(['consent.policy_accepted', 'consent.changed', 'consent.changed']);
    expect((await verifyAuditLog(t.database.db)).ok).toBe(true);
  });

  it('refuses a purpose that is not declared, writing nothing', async () => {
    const before = await t.database.db.selectFrom('consent_ledger').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    await expect(
      t.database.db.transaction().execute((trx) => t.services.consent.setConsent(trx, context, 'selling_data', true)),
    ).rejects.toBeInstanceOf(UnknownPurposeError);
    const after = await t.database.db.selectFrom('consent_ledger').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('is append-only: evidence of consent cannot be rewritten', async () => {
    await expect(sql`UPDATE consent_ledger SET event = 'consent_granted'`.execute(t.database.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM consent_ledger`.execute(t.database.db)).rejects.toThrow(/append-only/);
  });

  it('rolls back with the change it belongs to', async () => {
    const other = { ...context, subject: { type: 'member' as const, id: 'rolled-back-member' } };
    await expect(
      t.database.db.transaction().execute(async (trx) => {
        await t.services.consent.setConsent(trx, other, 'research', true);
        throw new Error('sign-up failed');
      }),
    ).rejects.toThrow('sign-up failed');
    expect(await t.services.consent.hasConsent(other.subject, 'research')).toBe(false);
  });
});
