import type { TFunction } from 'i18next';
import type { Outcome } from '../http.js';

/** The server's localized detail (already in the member's language), or a generic text. */
export function problemText(outcome: Exclude<Outcome<unknown>, { kind: 'ok' }>, t: TFunction): string {
  if (outcome.kind === 'network') return t('connections.errors.network');
  const field = Object.values(outcome.fields)[0];
  return field ?? outcome.detail ?? t('connections.errors.generic');
}
