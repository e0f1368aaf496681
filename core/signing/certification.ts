import type { CertificateKind } from '../ports.ts';

/**
 * What certifies an electronic signature, in the words an official or a citizen reads (the verification page, the
 * archive entry, the Lembar Riwayat). Pure.
 *
 * "TTE tersertifikasi BSrE" is said only of `bsre`: a chain that reached a root the deployer configured as BSrE's
 * (functions/signing/trust-anchors.ts decides the kind; a marked test CA is never `bsre`).
 */
export function certificationText(kind: CertificateKind, holder?: string): string {
  switch (kind) {
    case 'bsre':
      return 'TTE tersertifikasi BSrE';
    case 'bsre-tiruan':
      return 'BSrE tiruan — bukan BSrE (layanan uji lokal)';
    case 'pemda':
      return `Sertifikat ${holder ?? 'pemerintah daerah'} — bukan TTE tersertifikasi BSrE`;
    case 'pengembangan':
      return 'Sertifikat pengembangan — bukan BSrE';
  }
}

/** The same, for a signature whose chain reached no trust anchor (or a kind not meant for signers). */
export const UNCERTIFIED_TEXT = 'Tidak sampai ke penerbit sertifikat yang dipercaya sistem ini';

/** The PAdES level as people read it. */
export function levelText(level: 'B-B' | 'B-T' | 'B-LT' | null): string {
  switch (level) {
    case 'B-LT':
      return 'PAdES B-LT (cap waktu tepercaya dan data validasi jangka panjang)';
    case 'B-T':
      return 'PAdES B-T (dengan cap waktu tepercaya)';
    case 'B-B':
      return 'PAdES B-B (tanpa cap waktu tepercaya)';
    default:
      return 'tidak diketahui';
  }
}
