import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { Outcome } from '../http.js';
import { endOtherSessions, endSession, fetchMe, fetchSessions, forgetLocation, shareLocation, signOut, type Me, type SessionInfo } from '../accounts/signin.js';
import { formatDateTime } from '../locale.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

type Message = { key: string; count?: number } | { text: string };

function messageFor(outcome: Exclude<Outcome<unknown>, { kind: 'ok' }>): Message {
  if (outcome.kind === 'network') return { key: 'signup.errors.network' };
  if (outcome.detail) return { text: outcome.detail };
  return { key: outcome.status >= 500 ? 'errors.internal' : 'errors.bad_request' };
}

export function Sessions() {
  const { t } = useTranslation();
  const language = useLanguage();
  const navigate = useNavigate();
  useDocumentTitle(t('sessions.title'));

  const [me, setMe] = useState<Me | null>(null);
  const [sessions, setSessions] = useState<SessionInfo[] | null>(null);
  const [error, setError] = useState<Message | null>(null);
  const [status, setStatus] = useState<Message | null>(null);
  const [busy, setBusy] = useState(false);
  const listTitleRef = useRef<HTMLHeadingElement>(null);

  const load = useCallback(async (): Promise<void> => {
    const who = await fetchMe({ language });
    if (who.kind === 'problem' && who.status === 401) {
      void navigate('/signin', { replace: true });
      return;
    }
    if (who.kind !== 'ok') {
      setError(messageFor(who));
      return;
    }
    setMe(who.value);
    const list = await fetchSessions({ language });
    if (list.kind === 'problem' && list.status === 401) {
      void navigate('/signin', { replace: true });
      return;
    }
    if (list.kind !== 'ok') {
      setError(messageFor(list));
      return;
    }
    setError(null);
    // This device first, then the others as the server orders them.
    setSessions([...list.value].sort((a, b) => Number(b.current) - Number(a.current)));
  }, [language, navigate]);

  useEffect(() => {
    void load();
  }, [load]);

  async function run<T>(action: () => Promise<Outcome<T>>, success: (value: T) => Message): Promise<void> {
    if (busy) return;
    setBusy(true);
    setStatus(null);
    const outcome = await action();
    if (outcome.kind === 'ok') {
      setStatus(success(outcome.value));
      await load();
      // The button that was used is gone: keep keyboard focus in the list rather than on <body>.
      listTitleRef.current?.focus();
    } else if (outcome.kind === 'problem' && outcome.status === 401) {
      void navigate('/signin', { replace: true });
    } else {
      setStatus(messageFor(outcome));
    }
    setBusy(false);
  }

  async function leave(): Promise<void> {
    if (busy) return;
    setBusy(true);
    const outcome = await signOut({ language });
    setBusy(false);
    if (outcome.kind === 'ok' || (outcome.kind === 'problem' && outcome.status === 401)) {
      void navigate('/', { replace: true });
      return;
    }
    setStatus(messageFor(outcome));
  }

  /** "Chrome di Android": the names from the user agent, worded in the member's language. */
  const deviceName = (s: SessionInfo) => (s.browser && s.os ? t('sessions.deviceOn', { browser: s.browser, os: s.os }) : s.browser ?? s.device);
  const countryName = (code: string) => {
    try {
      return new Intl.DisplayNames([language], { type: 'region' }).of(code) ?? code;
    } catch {
      return code;
    }
  };

  /** Only on request: the browser asks its own permission first; nothing is sent if it is refused. */
  function share(): void {
    if (busy) return;
    if (!('geolocation' in navigator)) {
      setStatus({ key: 'sessions.location.unavailable' });
      return;
    }
    setBusy(true);
    navigator.geolocation.getCurrentPosition(
      (position) => {
        setBusy(false);
        const { latitude, longitude, accuracy } = position.coords;
        void run(() => shareLocation({ latitude, longitude, accuracy }, { language }), () => ({ key: 'sessions.location.shared' }));
      },
      (error) => {
        setBusy(false);
        setStatus({ key: error.code === error.PERMISSION_DENIED ? 'sessions.location.denied' : 'sessions.location.unavailable' });
      },
      { enableHighAccuracy: false, timeout: 15_000, maximumAge: 60_000 },
    );
  }

  const text = (message: Message) => ('key' in message ? t(message.key, message.count === undefined ? {} : { count: message.count }) : message.text);
  const others = sessions?.filter((s) => !s.current) ?? [];

  return (
    <div className="sessions narrow">
      <header className="page-intro">
        <h1 tabIndex={-1}>{t('sessions.title')}</h1>
        {me && <p className="tagline">{t('sessions.signedInAs', { username: me.username })}</p>}
      </header>

      {error && (
        <div className="error-summary" role="alert">
          <p>{text(error)}</p>
        </div>
      )}

      <p role="status" className="sessions-status">
        {status ? text(status) : ''}
      </p>

      {sessions === null && !error && <p>{t('sessions.loading')}</p>}

      {sessions && (
        <>
          <h2 id="sessions-list-title" tabIndex={-1} ref={listTitleRef}>{t('sessions.listTitle')}</h2>
          <ul className="session-list" aria-labelledby="sessions-list-title">
            {sessions.map((s) => (
              <li key={s.id} className={s.current ? 'session current' : 'session'}>
                <p className="session-device">
                  <span>{deviceName(s)}</span>
                  {s.current && <span className="badge">{t('sessions.current')}</span>}
                </p>
                <dl className="session-times">
                  <div>
                    <dt>{t('sessions.started')}</dt>
                    <dd>
                      <time dateTime={s.createdAt}>{formatDateTime(s.createdAt, language)}</time>
                    </dd>
                  </div>
                  {s.place && (
                    <div>
                      <dt>{t('sessions.place')}</dt>
                      <dd>{[s.place.city, countryName(s.place.country)].filter(Boolean).join(', ')}</dd>
                    </div>
                  )}
                  {s.location && (
                    <div>
                      <dt>{t('sessions.location.title')}</dt>
                      <dd>{t('sessions.location.value', { latitude: s.location.latitude.toFixed(2), longitude: s.location.longitude.toFixed(2) })}</dd>
                    </div>
                  )}
                  <div>
                    <dt>{t('sessions.lastUsed')}</dt>
                    <dd>
                      <time dateTime={s.lastSeenAt}>{formatDateTime(s.lastSeenAt, language)}</time>
                    </dd>
                  </div>
                </dl>
                {s.current && (
                  <div className="session-location">
                    {s.location ? (
                      <button type="button" className="button button-secondary" disabled={busy} onClick={() => void run(() => forgetLocation({ language }), () => ({ key: 'sessions.location.removed' }))}>
                        {t('sessions.location.remove')}
                      </button>
                    ) : (
                      <>
                        <p className="field-hint">{t('sessions.location.explain')}</p>
                        <button type="button" className="button button-secondary" disabled={busy} onClick={share}>
                          {t('sessions.location.share')}
                        </button>
                      </>
                    )}
                  </div>
                )}
                {!s.current && (
                  <button
                    type="button"
                    className="button button-secondary"
                    disabled={busy}
                    aria-label={t('sessions.endOneLabel', { device: deviceName(s) })}
                    onClick={() => void run(() => endSession(s.id, { language }), () => ({ key: 'sessions.endedOne', count: 1 }))}
                  >
                    {t('sessions.endOne')}
                  </button>
                )}
              </li>
            ))}
          </ul>
          <div className="sessions-actions">
            {others.length > 0 && (
              <button
                type="button"
                className="button button-secondary"
                disabled={busy}
                onClick={() => void run(() => endOtherSessions({ language }), (ended) => ({ key: 'sessions.endedOthers', count: ended }))}
              >
                {t('sessions.endOthers')}
              </button>
            )}
            <button type="button" className="button" disabled={busy} onClick={() => void leave()}>
              {t('sessions.signOut')}
            </button>
          </div>
        </>
      )}
    </div>
  );
}
