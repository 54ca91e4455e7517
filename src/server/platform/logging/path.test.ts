import { describe, expect, it } from 'vitest';
import { loggablePath } from './logger.js';

describe('paths in request logs', () => {
  it('never carry the secret tokens some links hold in their path', () => {
    const token = 'Zr3kq9XbP0aL7sVtW2yN4mC8dE1fG5hJ';
    expect(loggablePath(`/guardian/${token}`)).toBe('/guardian/:token');
    expect(loggablePath(`/api/guardians/${token}/consent`)).toBe('/api/guardians/:token/consent');
    expect(loggablePath(`/guardian/withdraw/${token}?lang=en`)).toBe('/guardian/withdraw/:token');
    expect(loggablePath(`/api/newsletter/unsubscribe/${token}`)).toBe('/api/newsletter/unsubscribe/:token');
    expect(loggablePath(`/t/o/${token}.gif`)).toBe('/t/o/:token.gif');
    expect(loggablePath(`/t/c/${token}/0`)).toBe('/t/c/:token/0');
  });

  it('keeps record ids and ordinary paths readable', () => {
    const id = '2c139981-b8e4-4cb8-8786-6a7514da63f3';
    expect(loggablePath(`/api/accounts/${id}/verify-phone`)).toBe(`/api/accounts/${id}/verify-phone`);
    expect(loggablePath('/api/sessions/others')).toBe('/api/sessions/others');
    expect(loggablePath('/privacy?lang=en&email=x')).toBe('/privacy');
  });
});
