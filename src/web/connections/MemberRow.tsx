import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { displayName, type MemberCard } from './api.js';

/** One member in a list: small photo (if one is visible to me), name, @username, then whatever the page adds. */
export function MemberRow({ member, meta, children, actions }: { member: MemberCard; meta?: ReactNode; children?: ReactNode; actions?: ReactNode }) {
  const { t } = useTranslation();
  const name = displayName(member);
  return (
    <li className="member-item">
      {member.photoUrl ? (
        <img className="member-avatar" src={`${member.photoUrl}?size=96`} alt={t('connections.list.photoAlt', { name })} width={48} height={48} loading="lazy" />
      ) : (
        <span className="member-avatar member-avatar-empty" aria-hidden="true">
          {name.replace(/^@/, '').slice(0, 1).toUpperCase()}
        </span>
      )}
      <div className="member-body">
        <p className="member-name">{name}</p>
        <p className="member-meta">
          @{member.username}
          {meta ? <> · {meta}</> : null}
        </p>
        {children}
      </div>
      {actions && <div className="member-actions">{actions}</div>}
    </li>
  );
}
