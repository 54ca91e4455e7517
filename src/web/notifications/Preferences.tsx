import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useLanguage } from '../useLanguage.js';
import { fetchPreferences, KINDS, savePreferences, type Kind } from './api.js';

/** Which notifications come by email while the member is away (service notices, never marketing). */
export function NotificationPreferences() {
  const { t } = useTranslation();
  const language = useLanguage();
  const id = useId();
  const [email, setEmail] = useState<Record<Kind, boolean> | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    void fetchPreferences({ language }).then((outcome) => {
      if (outcome.kind === 'ok') setEmail(outcome.value.email);
    });
  }, [language]);

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!email) return;
    setSaving(true);
    const outcome = await savePreferences(email, { language });
    setSaving(false);
    if (outcome.kind === 'ok') {
      setEmail(outcome.value.email);
      setStatus(t('posts.web.preferencesSaved'));
    } else setStatus(t('posts.web.error'));
  }

  return (
    <section className="preferences" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('posts.web.preferencesTitle')}</h2>
      <p>{t('posts.web.preferencesIntro')}</p>
      {email && (
        <form onSubmit={save}>
          <fieldset className="field choice-group">
            <legend className="visually-hidden">{t('posts.web.preferencesTitle')}</legend>
            {KINDS.map((kind) => (
              <div className="checkbox-row" key={kind}>
                <input id={`${id}-${kind}`} type="checkbox" checked={email[kind]} onChange={(e) => setEmail({ ...email, [kind]: e.target.checked })} />
                <label htmlFor={`${id}-${kind}`}>{t(`posts.notifications.labels.${kind}`)}</label>
              </div>
            ))}
          </fieldset>
          <div className="form-actions">
            <button type="submit" className="button" disabled={saving}>
              {t('posts.web.preferencesSave')}
            </button>
          </div>
          <p className="form-status" role="status">
            {status}
          </p>
        </form>
      )}
    </section>
  );
}
