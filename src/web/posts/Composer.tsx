import { useId, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useLanguage } from '../useLanguage.js';
import { AUDIENCES, createPost, MAX_PHOTOS, MAX_TEXT, newKey, PHOTO_TYPES, type Audience, type Post } from './api.js';

interface Picked {
  file: File;
  preview: string | null;
}

/**
 * Compose an update: text, audience (connections by default), up to four photos. A public update
 * with photos shows the P4.6 reminder about personal information and needs its checkbox ticked;
 * the server asks for the same acknowledgement, so the API alone cannot skip it.
 */
export function Composer({ onPosted }: { onPosted: (post: Post) => void }) {
  const { t } = useTranslation();
  const language = useLanguage();
  const id = useId();
  const [text, setText] = useState('');
  const [audience, setAudience] = useState<Audience>('connections');
  const [photos, setPhotos] = useState<Picked[]>([]);
  const [acknowledged, setAcknowledged] = useState(false);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<string | null>(null);
  const key = useRef<string>(newKey());
  const fileInput = useRef<HTMLInputElement>(null);

  const needsReminder = audience === 'public' && photos.length > 0;

  function pick(event: ChangeEvent<HTMLInputElement>) {
    const files = Array.from(event.target.files ?? []).slice(0, MAX_PHOTOS - photos.length);
    event.target.value = '';
    const added = files.map((file) => ({ file, preview: null as string | null }));
    setPhotos((current) => [...current, ...added].slice(0, MAX_PHOTOS));
    for (const file of files) {
      const reader = new FileReader();
      reader.onload = () => {
        const preview = typeof reader.result === 'string' ? reader.result : null;
        setPhotos((current) => current.map((p) => (p.file === file ? { file, preview } : p)));
      };
      reader.readAsDataURL(file);
    }
    key.current = newKey();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setStatus(null);
    setFieldErrors({});
    if (!text.trim() && photos.length === 0) {
      setFieldErrors({ text: t('posts.errors.empty') });
      return;
    }
    if (needsReminder && !acknowledged) {
      setFieldErrors({ acknowledgedPhotoReminder: t('posts.errors.photoReminder') });
      return;
    }
    setSending(true);
    const outcome = await createPost({ text, audience, photos: photos.map((p) => p.file), acknowledged: needsReminder && acknowledged, key: key.current }, { language });
    setSending(false);
    if (outcome.kind === 'ok') {
      setText('');
      setPhotos([]);
      setAcknowledged(false);
      key.current = newKey();
      setStatus(t('posts.web.posted'));
      onPosted(outcome.value);
      return;
    }
    if (outcome.kind === 'problem') {
      const fields: Record<string, string> = {};
      for (const [name, message] of Object.entries(outcome.fields)) fields[name.startsWith('photos') ? 'photos' : name] = message;
      setFieldErrors(fields);
      setError(outcome.detail ?? t('posts.web.error'));
    } else setError(t('posts.web.error'));
  }

  const fieldClass = (name: string) => (fieldErrors[name] ? 'field has-error' : 'field');
  const errorOf = (name: string) =>
    fieldErrors[name] ? (
      <p className="field-error" id={`${id}-${name}-error`}>
        {fieldErrors[name]}
      </p>
    ) : null;

  return (
    <form className="composer" onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('posts.web.composeTitle')}</h2>
      {error && (
        <div className="error-summary" role="alert">
          <p>{error}</p>
        </div>
      )}
      <div className={fieldClass('text')}>
        <label htmlFor={`${id}-text`}>{t('posts.web.textLabel')}</label>
        {errorOf('text')}
        <textarea
          id={`${id}-text`}
          name="text"
          rows={3}
          maxLength={MAX_TEXT}
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-invalid={fieldErrors.text ? true : undefined}
          aria-describedby={`${id}-text-count${fieldErrors.text ? ` ${id}-text-error` : ''}`}
        />
        <p className="counter field-hint" id={`${id}-text-count`} aria-live="polite">
          {t('posts.web.textHint', { count: text.length, max: MAX_TEXT })}
        </p>
      </div>

      <fieldset className="field choice-group audience-picker">
        <legend>{t('posts.web.audienceLabel')}</legend>
        {AUDIENCES.map((value) => (
          <div className="radio-row" key={value}>
            <input id={`${id}-aud-${value}`} type="radio" name="audience" value={value} checked={audience === value} onChange={() => setAudience(value)} aria-describedby={`${id}-aud-${value}-hint`} />
            <label htmlFor={`${id}-aud-${value}`}>
              {t(`posts.web.audience.${value}`)}
              <span className="audience-hint" id={`${id}-aud-${value}-hint`}>
                {t(`posts.web.audienceHint.${value}`)}
              </span>
            </label>
          </div>
        ))}
      </fieldset>

      <div className={fieldClass('photos')}>
        <label htmlFor={`${id}-photos`}>{t('posts.web.photosLabel', { max: MAX_PHOTOS })}</label>
        <p className="field-hint" id={`${id}-photos-hint`}>
          {t('posts.web.photosHint')}
        </p>
        {errorOf('photos')}
        <input
          ref={fileInput}
          id={`${id}-photos`}
          type="file"
          accept={PHOTO_TYPES.join(',')}
          multiple
          disabled={photos.length >= MAX_PHOTOS}
          onChange={pick}
          aria-describedby={`${id}-photos-hint`}
        />
        {photos.length > 0 && (
          <ul className="composer-photos">
            {photos.map((p, i) => (
              <li key={i}>
                {p.preview && <img src={p.preview} alt="" width="72" height="72" />}
                <button type="button" className="link-button" onClick={() => setPhotos((current) => current.filter((x) => x !== p))}>
                  {t('posts.web.removePhoto', { n: i + 1 })}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>

      {needsReminder && (
        <div className={`photo-reminder ${fieldErrors.acknowledgedPhotoReminder ? 'field has-error' : 'field'}`} role="note" aria-labelledby={`${id}-reminder-title`}>
          <p className="photo-reminder-title" id={`${id}-reminder-title`}>
            {t('posts.web.photoReminderTitle')}
          </p>
          <p id={`${id}-reminder-text`}>{t('posts.web.photoReminder')}</p>
          {errorOf('acknowledgedPhotoReminder')}
          <div className="checkbox-row">
            <input
              id={`${id}-ack`}
              type="checkbox"
              checked={acknowledged}
              onChange={(e) => setAcknowledged(e.target.checked)}
              aria-describedby={`${id}-reminder-text`}
              aria-invalid={fieldErrors.acknowledgedPhotoReminder ? true : undefined}
            />
            <label htmlFor={`${id}-ack`}>{t('posts.web.photoReminderAck')}</label>
          </div>
        </div>
      )}

      <div className="form-actions">
        <button type="submit" className="button" disabled={sending}>
          {sending && <span className="spinner" aria-hidden="true" />}
          {sending ? t('posts.web.posting') : t('posts.web.submit')}
        </button>
      </div>
      <p className="form-status" role="status">
        {status}
      </p>
    </form>
  );
}
