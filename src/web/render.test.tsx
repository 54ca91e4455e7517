import i18next from 'i18next';
import { renderToString } from 'react-dom/server';
import { I18nextProvider, initReactI18next } from 'react-i18next';
import { RouterProvider, createMemoryRouter } from 'react-router';
import { describe, expect, it } from 'vitest';
import { resources } from '../common/i18n/index.js';
import { routes } from './routes.js';

async function render(path: string, language: 'id' | 'en'): Promise<string> {
  const i18n = i18next.createInstance();
  await i18n.use(initReactI18next).init({ resources, lng: language, fallbackLng: 'id', interpolation: { escapeValue: false } });
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  return renderToString(
    <I18nextProvider i18n={i18n}>
      <RouterProvider router={router} />
    </I18nextProvider>,
  );
}

describe('pages', () => {
  it('renders the landmarks, skip link, nav and a plain link to the server-rendered Privacy Policy', async () => {
    const html = await render('/', 'id');
    expect(html).toContain('href="#main"');
    expect(html).toContain('<nav class="main-nav" aria-label="Navigasi utama"');
    expect(html).toContain('<main id="main"');
    expect(html).toContain('<footer');
    expect(html).toContain('href="/privacy?lang=id"');
    expect(html).toContain('Kenalan dengan orang baru di Indonesia, dengan aman');
    expect(html).toContain(`© ${new Date().getFullYear()} Kenalan`);
  });

  it('renders the support form with a label for every control', async () => {
    const html = await render('/support', 'en');
    for (const field of ['name', 'email', 'topic', 'message']) {
      expect(html).toContain(`for="support-${field}"`);
      expect(html).toContain(`id="support-${field}"`);
    }
    expect(html).toContain('Choose a topic');
    expect(html).toContain('0 of 5,000 characters');
    expect(html).toContain('href="/privacy?lang=en"');
    expect(html).not.toMatch(/style="/);
  });

  it('renders the sign-up form with a label for every control and an unticked policy box', async () => {
    const html = await render('/signup', 'id');
    for (const field of ['username', 'nickname', 'gender', 'dateOfBirth', 'nik', 'email', 'phone', 'password', 'photo', 'acceptPolicy']) {
      expect(html).toContain(`for="signup-${field}"`);
      expect(html).toContain(`id="signup-${field}"`);
    }
    expect(html).toMatch(/<input id="signup-acceptPolicy"[^>]*type="checkbox"/);
    expect(html).not.toMatch(/<input id="signup-acceptPolicy"[^>]*checked/);
    expect(html).toContain('accept="image/jpeg,image/png,image/webp"');
    expect(html).toContain('href="/privacy?lang=id"');
    expect(html).toContain('Buat akun Kenalan Anda');
    expect(html).not.toMatch(/style="/);
  });

  it('renders the verification pages', async () => {
    const verify = await render('/signup/verify?member=00000000-0000-4000-8000-000000000000', 'en');
    expect(verify).toMatch(/autocomplete="one-time-code"/i);
    expect(verify).toMatch(/inputmode="numeric"/i);
    expect(verify).toContain('Send a new code');
    const email = await render('/verify-email?token=abc', 'en');
    expect(email).toContain('Confirming your email address');
  });

  it('renders the not-found page for unknown paths', async () => {
    const html = await render('/nope', 'id');
    expect(html).toContain('Halaman tidak ditemukan');
  });
});

describe('support confirmation', () => {
  it('shows the ticket number and the due date in Jakarta time', async () => {
    const { SupportConfirmation } = await import('./support/SupportConfirmation.js');
    const i18n = i18next.createInstance();
    await i18n.use(initReactI18next).init({ resources, lng: 'id', interpolation: { escapeValue: false } });
    const ticket = { number: 'KNL-000123', topic: 'account', language: 'id' as const, createdAt: '2025-01-01T00:00:00Z', dueAt: '2025-01-14T18:30:00Z' };
    const html = renderToString(
      <I18nextProvider i18n={i18n}>
        <SupportConfirmation ticket={ticket} onAnother={() => {}} />
      </I18nextProvider>,
    );
    expect(html).toContain('Nomor tiket Anda adalah <strong class="ticket-number">KNL-000123</strong>.');
    // 18:30 UTC on the 14th is already the 15th in Jakarta (UTC+7).
    expect(html).toContain('15 Januari 2025');
    expect(html).toContain('Kirim permintaan lain');
  });
});
