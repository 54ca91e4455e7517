import type { Language } from '../../../common/i18n/index.js';
import type { LegalBasis, Retention } from '../data-map/types.js';

/** UU PDP Art. 20(2) grounds, as members read them. */
export const LEGAL_BASIS_LABELS: Record<LegalBasis, Record<Language, string>> = {
  consent: { id: 'Persetujuan Anda', en: 'Your consent' },
  contract: { id: 'Pelaksanaan perjanjian dengan Anda (akun Anda)', en: 'Performing our agreement with you (your account)' },
  legal_obligation: { id: 'Kewajiban hukum', en: 'A legal obligation' },
  vital_interest: { id: 'Kepentingan vital', en: 'Vital interests' },
  public_interest: { id: 'Kepentingan umum', en: 'Public interest' },
  legitimate_interest: { id: 'Kepentingan yang sah', en: 'Legitimate interest' },
};

/** "5 years" rather than "1825 days" when the period is whole years. */
const period: Record<Language, (days: number) => string> = {
  id: (d) => (d >= 365 && d % 365 === 0 ? `${d / 365} tahun` : `${d} hari`),
  en: (d) => (d >= 365 && d % 365 === 0 ? `${d / 365} year${d === 365 ? '' : 's'}` : `${d} day${d === 1 ? '' : 's'}`),
};

export const RETENTION_FROM_LABELS: Record<Retention['from'], Record<Language, (days: number) => string>> = {
  created: { id: (d) => `${period.id(d)} sejak dicatat`, en: (d) => `${period.en(d)} from when it was recorded` },
  closed: { id: (d) => `${period.id(d)} setelah selesai (misalnya sesi berakhir)`, en: (d) => `${period.en(d)} after it ends (e.g. the session closes)` },
  account_deleted: { id: (d) => `Selama akun ada, lalu ${period.id(d)} setelah akun dihapus`, en: (d) => `While the account exists, then ${period.en(d)} after it is deleted` },
};
