import type { Purpose } from './types.js';

/** Every purpose personal data may be processed for, as members read it. */
export const PURPOSES: Record<Purpose, { id: string; en: string }> = {
  account: { id: 'Membuat dan menjalankan akun Anda', en: 'Creating and running your account' },
  support: { id: 'Menjawab dan menyelesaikan permintaan layanan pelanggan', en: 'Answering and resolving customer-service requests' },
  service_notices: { id: 'Mengirim pemberitahuan layanan', en: 'Sending service notices' },
  security: { id: 'Menjaga keamanan akun dan layanan', en: 'Keeping accounts and the service secure' },
  accountability: { id: 'Mencatat siapa melakukan apa (jejak audit)', en: 'Recording who did what (audit trail)' },
  development: { id: 'Menguji Kenalan di lingkungan pengembangan', en: 'Testing Kenalan in development environments' },
};
