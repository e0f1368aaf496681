import { z } from 'zod';
import { footerDokumen, KopSchema, kopView, paragraf, teks, TteSchema } from './common.ts';
import type { FooterView, KopView } from './common.ts';

/**
 * Lembar Riwayat Penandatanganan: the audit certificate of a signed naskah. It names the final PDF (file, size,
 * SHA-256, register number) and lists every paraf and signature given on the naskah, in order: the act, the party,
 * the person's name and jabatan, the time in the pemda's zone, the content version and the SHA-256 of the document
 * it was given on, and how it was given (an emailed link and a one-time code, recorded by an official from a scan,
 * an electronic signature added by the partner). The sheet is sealed with the pemda's electronic seal and carries
 * its own verification address and QR code (`tte`).
 */
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'harus SHA-256 (64 digit heksadesimal)');

export const PeristiwaSchema = z
  .object({
    /** "Paraf hierarki ke-1", "Paraf koordinasi", "Tanda tangan elektronik", "Tanda tangan di atas kertas". */
    tindakan: teks,
    /** "PIHAK KESATU" or "PIHAK KEDUA". */
    pihak: teks,
    nama: teks,
    jabatan: teks,
    /** The time, already written in the pemda's zone ("Senin, 14 Desember 2026 pukul 10.15 WIB"). */
    waktu: teks,
    /** The content version the act approves ("sha256:…"); absent where none was recorded. */
    versiIsi: teks.optional(),
    /** The SHA-256 of the document the act was given on; absent where no stored document is known. */
    sha256: sha256Hex.optional(),
    /** How it was given. */
    cara: teks,
  })
  .strict();
export type Peristiwa = z.infer<typeof PeristiwaSchema>;

export const LembarRiwayatSchema = z
  .object({
    kop: KopSchema,
    naskah: z
      .object({
        /** "Kesepakatan Bersama", "Nota Kesepakatan", … */
        jenis: teks,
        nomor: teks,
        tentang: teks.optional(),
        perihal: teks,
        paraPihak: z.array(teks).min(1),
        /** The final PDF: the copy the parties receive. */
        berkas: teks,
        ukuran: teks,
        sha256: sha256Hex,
        /** Where the naskah itself is verified. */
        verifikasi: teks,
      })
      .strict(),
    peristiwa: z.array(PeristiwaSchema).min(1, 'paling sedikit satu paraf atau tanda tangan'),
    /** When the sheet was made, in the pemda's zone. */
    dibuat: teks,
    /** Where this sheet is verified (also the QR code's content, `tte.qr`). */
    verifikasi: teks,
    catatan: z.array(paragraf).default([]),
    tte: TteSchema,
  })
  .strict();
export type LembarRiwayatInput = z.input<typeof LembarRiwayatSchema>;
export type LembarRiwayat = z.infer<typeof LembarRiwayatSchema>;

export interface LembarRiwayatView {
  kop: KopView;
  naskah: LembarRiwayat['naskah'];
  peristiwa: (Omit<Peristiwa, 'versiIsi' | 'sha256'> & { no: number; versiIsi: string; sha256: string })[];
  dibuat: string;
  verifikasi: string;
  catatan: string[];
  qr: { qr: string; label: string | null; qrDataUrl: string | null };
  footer: FooterView;
}

export function prepareLembarRiwayat(d: LembarRiwayat): LembarRiwayatView {
  return {
    kop: kopView(d.kop),
    naskah: d.naskah,
    peristiwa: d.peristiwa.map((p, i) => ({
      ...p,
      no: i + 1,
      versiIsi: p.versiIsi ?? '-',
      sha256: p.sha256 ?? '-',
    })),
    dibuat: d.dibuat,
    verifikasi: d.verifikasi,
    catatan: d.catatan,
    qr: { qr: d.tte.qr, label: d.tte.label ?? null, qrDataUrl: null },
    footer: footerDokumen(d),
  };
}
