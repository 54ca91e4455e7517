import { useTranslation } from 'react-i18next';
import { INTERESTS, VISIBILITIES, type InterestCode, type MemberProfileView, type Visibility } from '../../common/social/profile.js';
import { cityByCode } from '../../common/social/cities.js';
import { photoUrl } from './api.js';
import { useLanguage } from '../useLanguage.js';

/** "Who can see this": a labelled select beside every field. */
export function VisibilityPicker({ id, value, onChange, label, field }: { id: string; value: Visibility; onChange: (v: Visibility) => void; label?: string; field?: string }) {
  const { t } = useTranslation();
  return (
    <div className="visibility-picker">
      <label htmlFor={id}>
        {label ?? t('profiles.visibility.label')}
        {field && <span className="visually-hidden"> ({field})</span>}
      </label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value as Visibility)}>
        {VISIBILITIES.map((v) => (
          <option key={v} value={v}>
            {t(`profiles.visibility.${v}`)}
          </option>
        ))}
      </select>
    </div>
  );
}

export function interestLabel(code: string, language: 'id' | 'en'): string {
  return code in INTERESTS ? INTERESTS[code as InterestCode][language] : code;
}

export function cityName(code: string | undefined | null): string {
  return cityByCode(code)?.name ?? '';
}

/** A profile as someone else sees it (also the "see my profile as…" preview). Fields absent were not sent. */
export function ProfileView({ view, children }: { view: MemberProfileView; children?: React.ReactNode }) {
  const { t } = useTranslation();
  const language = useLanguage();
  return (
    <article className="profile-view" aria-labelledby="profile-view-name">
      <h2 id="profile-view-name">
        {view.nickname} <span className="profile-username">@{view.username}</span>
        {view.verified && <span className="badge">{t('profiles.discover.verified')}</span>}
      </h2>
      {view.photos.length > 0 && (
        <ul className="profile-photos" aria-label={t('profiles.fields.photos')}>
          {view.photos.map((p, i) => (
            <li key={p.id}>
              <img src={photoUrl(view.username, p.id, '320')} alt={t('profiles.photos.alt', { n: i + 1, nickname: view.nickname })} width={160} height={160} />
            </li>
          ))}
        </ul>
      )}
      <dl className="profile-fields">
        {view.age !== undefined && (
          <>
            <dt>{t('profiles.fields.age')}</dt>
            <dd>{t('profiles.fields.ageValue', { age: view.age })}</dd>
          </>
        )}
        {view.city !== undefined && (
          <>
            <dt>{t('profiles.fields.city')}</dt>
            <dd>
              {cityName(view.city)}
              {view.distanceBand && ` · ${t(`profiles.band.${view.distanceBand}`)}`}
            </dd>
          </>
        )}
        {view.bio !== undefined && (
          <>
            <dt>{t('profiles.fields.bio')}</dt>
            <dd className="profile-bio">{view.bio}</dd>
          </>
        )}
        {view.interests !== undefined && (
          <>
            <dt>{t('profiles.fields.interests')}</dt>
            <dd>
              <ul className="chips">
                {view.interests.map((i) => (
                  <li key={i}>{interestLabel(i, language)}</li>
                ))}
                {(view.tags ?? []).map((tag) => (
                  <li key={`tag-${tag}`} className="chip-tag">
                    {tag}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
        {view.languages !== undefined && (
          <>
            <dt>{t('profiles.fields.languages')}</dt>
            <dd>{view.languages.map((l) => t(`profiles.language.${l}`)).join(', ')}</dd>
          </>
        )}
      </dl>
      {children}
    </article>
  );
}
