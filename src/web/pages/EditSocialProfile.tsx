import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { CITIES } from '../../common/social/cities.js';
import { checkProfile, INTEREST_CODES, PROFILE_LANGUAGES, PROFILE_LIMITS, type OwnProfile, type ProfileUpdate, type Visibility } from '../../common/social/profile.js';
import { useSignInRedirect } from '../connections/useSignedIn.js';
import type { Outcome } from '../http.js';
import { fetchOwnProfile, forgetLocation, photoUrl, removePhoto, reorderPhotos, saveProfile, setPhotoVisibility, shareLocation, uploadPhoto } from '../profiles/api.js';
import { interestLabel, VisibilityPicker } from '../profiles/parts.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';
import '../profiles/profiles.css';

const CITY_CODES = CITIES.map((c) => c.code);

function toUpdate(p: OwnProfile): ProfileUpdate {
  return {
    bio: p.bio,
    bioVisibility: p.bioVisibility,
    interests: p.interests,
    tags: p.tags,
    interestsVisibility: p.interestsVisibility,
    languages: p.languages,
    languagesVisibility: p.languagesVisibility,
    city: p.city,
    cityVisibility: p.cityVisibility,
    ageVisibility: p.ageVisibility,
    hidden: p.hidden,
    genderInDiscovery: p.genderInDiscovery,
  };
}

/** Edit my profile: every field with who may see it, photos (with the P4.6 reminder), location by permission only. */
export function EditSocialProfile() {
  const { t } = useTranslation();
  const language = useLanguage();
  const id = useId();
  const signInIfNeeded = useSignInRedirect();
  useDocumentTitle(t('profiles.title.edit'));
  const [profile, setProfile] = useState<OwnProfile | null>(null);
  const [form, setForm] = useState<ProfileUpdate | null>(null);
  const [tagsText, setTagsText] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const [newPhotoVisibility, setNewPhotoVisibility] = useState<Visibility>('connections');
  const fileRef = useRef<HTMLInputElement>(null);
  const summaryRef = useRef<HTMLDivElement>(null);

  function accept(p: OwnProfile) {
    setProfile(p);
    setForm(toUpdate(p));
    setTagsText(p.tags.join(', '));
  }

  useEffect(() => {
    void fetchOwnProfile({ language }).then((o) => {
      if (signInIfNeeded(o)) return;
      if (o.kind === 'ok') accept(o.value);
      else setStatus(t('profiles.error'));
    });
  }, [language]);

  function handle<T>(outcome: Outcome<T>, ok: (value: T) => void) {
    if (signInIfNeeded(outcome)) return;
    if (outcome.kind === 'ok') return ok(outcome.value);
    if (outcome.kind === 'problem') {
      setErrors(outcome.fields);
      setStatus(Object.values(outcome.fields)[0] ?? outcome.detail ?? t('profiles.error'));
    } else setStatus(t('profiles.error'));
  }

  if (!profile || !form) return <p role="status">…</p>;
  const up = <K extends keyof ProfileUpdate>(key: K, value: ProfileUpdate[K]) => setForm({ ...form, [key]: value });
  const toggle = (key: 'interests' | 'languages', code: string) => up(key, form[key].includes(code) ? form[key].filter((c) => c !== code) : [...form[key], code]);
  const fieldError = (name: string) =>
    errors[name] ? (
      <p id={`${id}-${name}-error`} className="field-error">
        {errors[name]}
      </p>
    ) : null;

  async function save(e: React.FormEvent) {
    e.preventDefault();
    if (!form) return;
    const update = { ...form, tags: tagsText.split(',').map((s) => s.trim()).filter(Boolean) };
    const local = checkProfile(update, CITY_CODES);
    if (local.length > 0) {
      setErrors(Object.fromEntries(local.map((p) => [p.field, t(`profiles.problems.${p.code}`)])));
      summaryRef.current?.focus();
      return;
    }
    setBusy(true);
    const outcome = await saveProfile(update, { language });
    setBusy(false);
    handle(outcome, (p) => {
      accept(p);
      setErrors({});
      setStatus(t('profiles.actions.saved'));
    });
  }

  function useDeviceLocation() {
    if (!('geolocation' in navigator)) return setStatus(t('profiles.location.unavailable'));
    navigator.geolocation.getCurrentPosition(
      (pos) => void shareLocation(pos.coords.latitude, pos.coords.longitude, { language }).then((o) => handle(o, (loc) => { setProfile((p) => (p ? { ...p, location: loc } : p)); setStatus(t(loc.restricted ? 'profiles.location.restricted' : 'profiles.location.saved')); })),
      (err) => setStatus(t(err.code === err.PERMISSION_DENIED ? 'profiles.location.denied' : 'profiles.location.unavailable')),
      { enableHighAccuracy: false, timeout: 15_000, maximumAge: 60_000 },
    );
  }

  async function addPhoto() {
    const file = fileRef.current?.files?.[0];
    if (!file) return;
    setBusy(true);
    setStatus(t('profiles.photos.uploading'));
    const outcome = await uploadPhoto(file, newPhotoVisibility, { language });
    setBusy(false);
    handle(outcome, (p) => {
      setProfile(p);
      setErrors({});
      setStatus('');
      if (fileRef.current) fileRef.current.value = '';
    });
  }

  const move = (index: number, by: number) => {
    const ids = profile.photos.map((p) => p.id);
    const [item] = ids.splice(index, 1);
    ids.splice(index + by, 0, item!);
    void reorderPhotos(ids, { language }).then((o) => handle(o, setProfile));
  };

  const errorList = Object.entries(errors);
  return (
    <div className="edit-social-profile narrow">
      <header className="page-intro">
        <h1>{t('profiles.title.edit')}</h1>
        <p className="tagline">
          <Link to="/profile">{t('profiles.title.own')}</Link> · <Link to="/discover">{t('profiles.title.discover')}</Link>
        </p>
      </header>
      <div ref={summaryRef} tabIndex={-1}>
        {errorList.length > 0 && (
          <div className="error-summary" role="alert">
            <ul>
              {errorList.map(([field, message]) => (
                <li key={field}>
                  <a href={`#${id}-${field}`}>{message}</a>
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
      <p role="status" className="form-status">
        {status}
      </p>

      <form onSubmit={(e) => void save(e)} noValidate>
        <div className={`field profile-section${errors.bio ? ' has-error' : ''}`}>
          <label htmlFor={`${id}-bio`}>{t('profiles.fields.bio')}</label>
          <p id={`${id}-bio-hint`} className="field-hint">
            {t('profiles.fields.bioHint', { max: PROFILE_LIMITS.bio })}
          </p>
          {fieldError('bio')}
          <textarea id={`${id}-bio`} rows={4} maxLength={PROFILE_LIMITS.bio} value={form.bio} onChange={(e) => up('bio', e.target.value)} aria-describedby={`${id}-bio-hint`} />
          <VisibilityPicker id={`${id}-bio-vis`} field={t('profiles.fields.bio')} value={form.bioVisibility} onChange={(v) => up('bioVisibility', v)} />
        </div>

        <fieldset className={`profile-section${errors.interests || errors.tags ? ' field has-error' : ''}`} id={`${id}-interests`}>
          <legend>{t('profiles.fields.interests')}</legend>
          <p className="field-hint">{t('profiles.fields.interestsHint', { max: PROFILE_LIMITS.interests })}</p>
          {fieldError('interests')}
          <div className="option-grid">
            {INTEREST_CODES.map((code) => (
              <div className="checkbox-row" key={code}>
                <input id={`${id}-i-${code}`} type="checkbox" checked={form.interests.includes(code)} onChange={() => toggle('interests', code)} />
                <label htmlFor={`${id}-i-${code}`}>{interestLabel(code, language)}</label>
              </div>
            ))}
          </div>
          <div className="field">
            <label htmlFor={`${id}-tags`}>{t('profiles.fields.tags')}</label>
            <p id={`${id}-tags-hint`} className="field-hint">
              {t('profiles.fields.tagsHint', { max: PROFILE_LIMITS.tags })}
            </p>
            {fieldError('tags')}
            <input id={`${id}-tags`} value={tagsText} onChange={(e) => setTagsText(e.target.value)} aria-describedby={`${id}-tags-hint`} />
          </div>
          <VisibilityPicker id={`${id}-interests-vis`} field={t('profiles.fields.interests')} value={form.interestsVisibility} onChange={(v) => up('interestsVisibility', v)} />
        </fieldset>

        <fieldset className="profile-section" id={`${id}-languages`}>
          <legend>{t('profiles.fields.languages')}</legend>
          {fieldError('languages')}
          <div className="option-grid">
            {PROFILE_LANGUAGES.map((code) => (
              <div className="checkbox-row" key={code}>
                <input id={`${id}-l-${code}`} type="checkbox" checked={form.languages.includes(code)} onChange={() => toggle('languages', code)} />
                <label htmlFor={`${id}-l-${code}`}>{t(`profiles.language.${code}`)}</label>
              </div>
            ))}
          </div>
          <VisibilityPicker id={`${id}-languages-vis`} field={t('profiles.fields.languages')} value={form.languagesVisibility} onChange={(v) => up('languagesVisibility', v)} />
        </fieldset>

        <div className="field profile-section">
          <label htmlFor={`${id}-city`}>{t('profiles.fields.city')}</label>
          <p id={`${id}-city-hint`} className="field-hint">
            {t('profiles.fields.cityHint')}
          </p>
          {fieldError('city')}
          <select id={`${id}-city`} value={form.city ?? ''} onChange={(e) => up('city', e.target.value || null)} aria-describedby={`${id}-city-hint`}>
            <option value="">{t('profiles.fields.noCity')}</option>
            {CITIES.map((c) => (
              <option key={c.code} value={c.code}>
                {c.name} ({c.province})
              </option>
            ))}
          </select>
          <VisibilityPicker id={`${id}-city-vis`} field={t('profiles.fields.city')} value={form.cityVisibility} onChange={(v) => up('cityVisibility', v)} />
        </div>

        <div className="field profile-section">
          <p className="field-label-like">
            <strong>{t('profiles.fields.age')}</strong>: {t('profiles.fields.ageValue', { age: profile.age })}
          </p>
          <VisibilityPicker id={`${id}-age-vis`} field={t('profiles.fields.age')} value={form.ageVisibility} onChange={(v) => up('ageVisibility', v)} />
        </div>

        <div className="profile-section">
          <div className="checkbox-row">
            <input id={`${id}-hidden`} type="checkbox" checked={form.hidden} onChange={(e) => up('hidden', e.target.checked)} />
            <label htmlFor={`${id}-hidden`}>{t('profiles.fields.hidden')}</label>
          </div>
          <div className="checkbox-row">
            <input id={`${id}-gender`} type="checkbox" checked={form.genderInDiscovery} onChange={(e) => up('genderInDiscovery', e.target.checked)} />
            <label htmlFor={`${id}-gender`}>{t('profiles.fields.genderInDiscovery')}</label>
          </div>
        </div>

        <div className="form-actions">
          <button type="submit" className="button" disabled={busy}>
            {t('profiles.actions.save')}
          </button>
        </div>
      </form>

      <section className="profile-section" aria-labelledby={`${id}-loc-title`}>
        <h2 id={`${id}-loc-title`}>{t('profiles.location.title')}</h2>
        <p>{t('profiles.location.explain')}</p>
        <p>{t(profile.location.source === 'precise' ? 'profiles.location.sourcePrecise' : profile.location.source === 'city' ? 'profiles.location.sourceCity' : 'profiles.location.sourceNone')}</p>
        {profile.location.restricted && <p>{t('profiles.location.restricted')}</p>}
        <div className="button-row photo-actions">
          <button type="button" className="button button-secondary" onClick={useDeviceLocation}>
            {t('profiles.location.share')}
          </button>
          {profile.location.source === 'precise' && (
            <button type="button" className="button button-secondary" onClick={() => void forgetLocation({ language }).then((o) => handle(o, (loc) => setProfile({ ...profile, location: loc })))}>
              {t('profiles.location.forget')}
            </button>
          )}
        </div>
      </section>

      <section className="profile-section" aria-labelledby={`${id}-photos-title`} id={`${id}-photo`}>
        <h2 id={`${id}-photos-title`}>{t('profiles.fields.photos')}</h2>
        <p className="field-hint">{t('profiles.photos.limit', { max: PROFILE_LIMITS.photos })}</p>
        <ul className="photo-editor">
          {profile.photos.map((p, i) => (
            <li key={p.id}>
              <img src={photoUrl(profile.username, p.id, '320')} alt={t('profiles.photos.alt', { n: i + 1, nickname: profile.nickname })} width={96} height={96} />
              <div>
                <VisibilityPicker id={`${id}-pv-${p.id}`} label={t('profiles.photos.visibilityOf', { n: i + 1 })} value={p.visibility} onChange={(v) => void setPhotoVisibility(p.id, v, { language }).then((o) => handle(o, setProfile))} />
                <div className="photo-actions">
                  <button type="button" className="button button-secondary" disabled={i === 0} onClick={() => move(i, -1)} aria-label={`${t('profiles.photos.up')} (${i + 1})`}>
                    ↑
                  </button>
                  <button type="button" className="button button-secondary" disabled={i === profile.photos.length - 1} onClick={() => move(i, 1)} aria-label={`${t('profiles.photos.down')} (${i + 1})`}>
                    ↓
                  </button>
                  <button type="button" className="button button-danger" disabled={profile.photos.length <= 1} onClick={() => void removePhoto(p.id, { language }).then((o) => handle(o, setProfile))}>
                    {t('profiles.photos.remove')}
                  </button>
                </div>
              </div>
            </li>
          ))}
        </ul>
        {profile.photos.length < PROFILE_LIMITS.photos && (
          <div className={`field${errors.photo ? ' has-error' : ''}`}>
            <p id={`${id}-reminder`} className="photo-reminder">
              {t('profiles.photos.reminder')}
            </p>
            {fieldError('photo')}
            <label htmlFor={`${id}-file`}>{t('profiles.photos.add')}</label>
            <input id={`${id}-file`} ref={fileRef} type="file" accept="image/jpeg,image/png,image/webp,image/avif" aria-describedby={`${id}-reminder`} />
            <VisibilityPicker id={`${id}-new-vis`} field={t('profiles.photos.add')} value={newPhotoVisibility} onChange={setNewPhotoVisibility} />
            <button type="button" className="button" disabled={busy} onClick={() => void addPhoto()}>
              {t('profiles.photos.addButton')}
            </button>
          </div>
        )}
      </section>
    </div>
  );
}
