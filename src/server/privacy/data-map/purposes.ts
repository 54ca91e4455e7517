import type { Purpose } from './types.js';

/** Every purpose personal data may be processed for, as members read it. */
export const PURPOSES: Record<Purpose, { id: string; en: string }> = {
  account: { id: 'Membuat dan menjalankan akun Anda', en: 'Creating and running your account' },
  support: { id: 'Menjawab dan menyelesaikan permintaan layanan pelanggan', en: 'Answering and resolving customer-service requests' },
  service_notices: { id: 'Mengirim pemberitahuan layanan', en: 'Sending service notices' },
  security: { id: 'Menjaga keamanan akun dan layanan', en: 'Keeping accounts and the service secure' },
  accountability: { id: 'Mencatat siapa melakukan apa (jejak audit)', en: 'Recording who did what (audit trail)' },
  development: { id: 'Menguji Kenalan di lingkungan pengembangan', en: 'Testing Kenalan in development environments' },
  marketing_email: { id: 'Mengirim email pemasaran dan buletin', en: 'Sending marketing email and newsletters' },
  email_tracking: { id: 'Mengetahui apakah email kami dibuka dan tautannya diklik', en: 'Knowing whether our emails are opened and their links clicked' },
  preference_cookies: { id: 'Cookie preferensi untuk mengingat pilihan Anda (misalnya bahasa)', en: 'Preference cookies to remember your choices (such as language)' },
  analytics_cookies: { id: 'Cookie analitik untuk memahami penggunaan situs', en: 'Analytics cookies to understand how the site is used' },
  marketing_cookies: { id: 'Cookie pemasaran', en: 'Marketing cookies' },
  personalized_recommendations: { id: 'Rekomendasi yang dipersonalisasi', en: 'Personalized recommendations' },
  share_affiliates: { id: 'Berbagi dengan afiliasi Kenalan', en: 'Sharing with Kenalan affiliates' },
  share_partners: { id: 'Berbagi dengan mitra resmi', en: 'Sharing with authorized partners' },
  research: { id: 'Penelitian dengan data yang sudah dide-identifikasi', en: 'Research on de-identified data' },
  biometric_verification: { id: 'Verifikasi wajah (data biometrik)', en: 'Face verification (biometric data)' },
};
