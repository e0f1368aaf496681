import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import { findSignatureFields } from '../../functions/signing/verify.ts';

/** The partner of the example case: a fictional kabupaten. */
export const MITRA = 'Pemerintah Kabupaten Sukamaju';

/** What the officials type for the naskah of the example case (the end-to-end tests and the previews). */
export const NASKAH = {
  'naskah-jangka-waktu': '5',
  'mitra-alamat': 'Jalan Raya Sukamaju No. 10, Sukamaju',
  'mitra-penandatangan-nama': 'H. Dedi Kurniawan, S.E.',
  'mitra-penandatangan-jabatan': 'BUPATI SUKAMAJU',
  'mitra-nomor': '130/77/PEM/2026',
  'rapat-tempat': 'Ruang Rapat Bagian Kerjasama',
  // The meetings: two people sign the notulen, and every list of people is "nama | jabatan | instansi".
  'rapat-pimpinan': 'kabag-ks',
  'notulen-pencatat': 'staf-ks-1',
  'rapat-peserta':
    'Andi Saputra, S.H. | Kepala Bagian Hukum | Sekretariat Daerah Kota Contoh\nAgus Salim, S.IP. | Kepala Bagian Pemerintahan | Sekretariat Daerah Kabupaten Sukamaju',
  'notulen-peserta':
    'Hendra Gunawan, S.H., M.H. | Kepala Bagian Kerjasama | Sekretariat Daerah Kota Contoh\nRizky Pratama, S.Sos. | Analis Kerja Sama | Sekretariat Daerah Kota Contoh\nAgus Salim, S.IP. | Kepala Bagian Pemerintahan | Sekretariat Daerah Kabupaten Sukamaju',
  'lokasi-naskah-asli': 'Lemari arsip Bagian Kerjasama, rak 2, map KS-2026',
  'lokasi-arsip': 'Map File Kerja Sama 2026, Bagian Tata Pemerintahan',
};

export const OPENSSL = spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;

/**
 * An independent verifier: `openssl cms -verify` over the bytes a PDF signature covers, against a PEM CA. True
 * when the CMS verifies over the byte range and the chain reaches the CA. Callers check OPENSSL first.
 */
export function opensslVerifies(pdf: Uint8Array, index: number, caPem: string): boolean {
  const work = mkdtempSync(join(tmpdir(), 'sepakat-openssl-'));
  try {
    const field = findSignatureFields(pdf)[index]!;
    const [a, b, c, d] = field.byteRange;
    const der = field.contents.subarray(0, asn1js.fromBER(field.contents).offset);
    writeFileSync(join(work, 'sig.der'), der);
    writeFileSync(join(work, 'data.bin'), Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]));
    writeFileSync(join(work, 'ca.pem'), caPem);
    const run = spawnSync(
      'openssl',
      ['cms', '-verify', '-binary', '-inform', 'DER', '-in', 'sig.der', '-content', 'data.bin'].concat([
        '-CAfile',
        'ca.pem',
        '-out',
        '/dev/null',
      ]),
      { cwd: work, encoding: 'utf8' },
    );
    return run.status === 0 && /Verification successful/.test(run.stderr);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The revision of a PDF before its first incremental update: up to and including its first `%%EOF` line. */
export function firstRevision(pdf: Uint8Array): Uint8Array {
  const text = Buffer.from(pdf).toString('latin1');
  let end = text.indexOf('%%EOF') + '%%EOF'.length;
  if (text[end] === '\r') end++;
  if (text[end] === '\n') end++;
  return pdf.subarray(0, end);
}
