import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { INTEREST_CODES, PROFILE_LANGUAGES, type DiscoveryCard } from '../../common/social/profile.js';
import { useSignInRedirect } from '../connections/useSignedIn.js';
import { fetchDiscover, fetchOwnProfile, photoUrl, setPlainRanking, type DiscoverQuery } from '../profiles/api.js';
import { cityName, interestLabel } from '../profiles/parts.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';
import '../profiles/profiles.css';

const BANDS = ['lt2', '5to10', '10to25', '25to50'] as const;

/** Discovery: filters, the objection to personalized ranking, and cards with only what people show everyone. */
export function Discover() {
  const { t } = useTranslation();
  const language = useLanguage();
  const id = useId();
  const signInIfNeeded = useSignInRedirect();
  useDocumentTitle(t('profiles.title.discover'));
  const [query, setQuery] = useState<DiscoverQuery>({});
  const [draft, setDraft] = useState<DiscoverQuery>({});
  const [cards, setCards] = useState<DiscoveryCard[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const [plain, setPlain] = useState<boolean | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string | null>(null);
  const listRef = useRef<HTMLHeadingElement>(null);

  const load = useCallback(
    async (q: DiscoverQuery, offset: number) => {
      const outcome = await fetchDiscover(q, offset, { language });
      if (signInIfNeeded(outcome)) return;
      if (outcome.kind !== 'ok') {
        setError(outcome.kind === 'problem' ? (outcome.detail ?? t('profiles.error')) : t('profiles.error'));
        return;
      }
      setError(null);
      setCards((prev) => (offset > 0 && prev ? [...prev, ...outcome.value.members] : outcome.value.members));
      setNext(outcome.value.nextOffset);
      setPlain(outcome.value.ordering === 'plain');
    },
    [language],
  );

  useEffect(() => {
    void load(query, 0);
  }, [load, query]);

  useEffect(() => {
    void fetchOwnProfile({ language }).then((o) => o.kind === 'ok' && setPlain(o.value.plainRanking));
  }, [language]);

  async function togglePlain(value: boolean) {
    const before = plain;
    setPlain(value);
    const outcome = await setPlainRanking(value, { language });
    if (signInIfNeeded(outcome)) return;
    if (outcome.kind !== 'ok') {
      setPlain(before);
      return setStatus(t('profiles.error'));
    }
    setPlain(outcome.value.plainRanking);
    setStatus(t(outcome.value.plainRanking ? 'profiles.discover.plainOn' : 'profiles.discover.plainOff'));
    void load(query, 0);
  }

  const set = (key: keyof DiscoverQuery) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setDraft((d) => ({ ...d, [key]: e.target.value }));

  return (
    <div className="discover">
      <header className="page-intro">
        <h1 tabIndex={-1}>{t('profiles.title.discover')}</h1>
        <p className="tagline">
          <Link to="/profile">{t('profiles.title.own')}</Link> · <Link to="/profile/edit">{t('profiles.actions.edit')}</Link>
        </p>
      </header>

      <section className="profile-section" aria-labelledby={`${id}-plain`}>
        <div className="checkbox-row">
          <input id={`${id}-plain`} type="checkbox" checked={plain === true} disabled={plain === null} onChange={(e) => void togglePlain(e.target.checked)} aria-describedby={`${id}-plain-hint`} />
          <label htmlFor={`${id}-plain`}>{t('profiles.discover.plain')}</label>
        </div>
        <p id={`${id}-plain-hint`} className="field-hint">
          {t('profiles.discover.plainExplain')}
        </p>
      </section>

      <form
        className="profile-section"
        aria-labelledby={`${id}-filters`}
        onSubmit={(e) => {
          e.preventDefault();
          setQuery({ ...draft });
        }}
      >
        <h2 id={`${id}-filters`}>{t('profiles.discover.filters')}</h2>
        <p className="field-hint">{t('profiles.discover.filterNote')}</p>
        <div className="discover-filters">
          <div className="field">
            <label htmlFor={`${id}-min`}>{t('profiles.discover.minAge')}</label>
            <input id={`${id}-min`} type="number" inputMode="numeric" min={13} max={120} value={draft.minAge ?? ''} onChange={set('minAge')} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-max`}>{t('profiles.discover.maxAge')}</label>
            <input id={`${id}-max`} type="number" inputMode="numeric" min={13} max={120} value={draft.maxAge ?? ''} onChange={set('maxAge')} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-gender`}>{t('profiles.discover.gender')}</label>
            <select id={`${id}-gender`} value={draft.gender ?? ''} onChange={set('gender')}>
              <option value="">{t('profiles.discover.anyGender')}</option>
              {(['female', 'male', 'nonbinary'] as const).map((g) => (
                <option key={g} value={g}>
                  {t(`profiles.discover.${g}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-within`}>{t('profiles.discover.within')}</label>
            <select id={`${id}-within`} value={draft.within ?? ''} onChange={set('within')}>
              <option value="">{t('profiles.discover.anyDistance')}</option>
              {BANDS.map((b) => (
                <option key={b} value={b}>
                  {t(`profiles.band.${b}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-interest`}>{t('profiles.discover.interest')}</label>
            <select id={`${id}-interest`} value={draft.interests ?? ''} onChange={set('interests')}>
              <option value="">{t('profiles.discover.anyInterest')}</option>
              {INTEREST_CODES.map((i) => (
                <option key={i} value={i}>
                  {interestLabel(i, language)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-language`}>{t('profiles.discover.language')}</label>
            <select id={`${id}-language`} value={draft.language ?? ''} onChange={set('language')}>
              <option value="">{t('profiles.discover.anyLanguage')}</option>
              {PROFILE_LANGUAGES.map((l) => (
                <option key={l} value={l}>
                  {t(`profiles.language.${l}`)}
                </option>
              ))}
            </select>
          </div>
        </div>
        <button type="submit" className="button">
          {t('profiles.actions.search')}
        </button>
      </form>

      <p role="status" className="form-status">
        {status}
      </p>
      {error && (
        <div className="error-summary" role="alert">
          <p>{error}</p>
        </div>
      )}
      <h2 ref={listRef} tabIndex={-1} className="visually-hidden">
        {t('profiles.discover.results', { count: cards?.length ?? 0 })}
      </h2>
      {cards && cards.length === 0 && <p>{t('profiles.discover.empty')}</p>}
      {cards && cards.length > 0 && (
        <ul className="discover-cards">
          {cards.map((c) => (
            <li key={c.username} className="discover-card">
              {c.photo ? <img className="card-photo" src={photoUrl(c.username, c.photo, '320')} alt="" width={96} height={96} /> : <span className="card-photo-empty" aria-hidden="true" />}
              <div>
                <h2>
                  <Link to={`/members/${c.username}`}>{c.nickname}</Link>
                  {c.age !== undefined && `, ${c.age}`}
                  {c.verified && <span className="badge">{t('profiles.discover.verified')}</span>}
                </h2>
                {(c.city || c.distanceBand) && (
                  <p>
                    {cityName(c.city)}
                    {c.city && c.distanceBand && ' · '}
                    {c.distanceBand && t(`profiles.band.${c.distanceBand}`)}
                  </p>
                )}
                {c.sharedInterests.length > 0 && <p>{t('profiles.discover.shared', { list: c.sharedInterests.map((i) => interestLabel(i, language)).join(', ') })}</p>}
              </div>
            </li>
          ))}
        </ul>
      )}
      {next !== null && (
        <button type="button" className="button button-secondary" onClick={() => void load(query, next)}>
          {t('profiles.actions.more')}
        </button>
      )}
    </div>
  );
}
