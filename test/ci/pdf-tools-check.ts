/**
 * An extra CI check, outside `npm test` (it needs poppler's `pdfsig`, which `.ci/run` installs for itself): a
 * Kesepakatan Bersama rendered by the product, signed by the Walikota (development CA) and counter-signed by the
 * partner as an incremental update, is read by poppler, an independent PDF implementation. Both signatures must
 * verify over their byte ranges; one flipped byte must break the first.
 *
 *   npx tsx test/ci/pdfsig-check.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contohById } from '../../core/documents/contoh.ts';
import { createRenderer } from '../../functions/render/renderer.ts';
import { DevelopmentPki } from '../../functions/signing/dev-pki.ts';
import { addSecondSignature, signPdf } from '../../functions/signing/sign-pdf.ts';

const work = mkdtempSync(join(tmpdir(), 'sepakat-pdfsig-'));
const renderer = createRenderer();
try {
  const contoh = contohById('kota-kesepakatan-bersama');
  const rendered = await renderer.render('kesepakatan-bersama', contoh.data as never, { paper: 'F4' });
  const ours = await DevelopmentPki.open({ dir: join(work, 'pki') });
  const partner = await DevelopmentPki.open({ dir: join(work, 'pki-mitra'), caName: 'CA Mitra (uji)' });
  const walikota = await ours.signerFor({ id: 'walikota', nama: 'Dr. H. Ahmad Wijaya', jabatan: 'Walikota Contoh' });
  const bupati = await partner.signerFor({ id: 'bupati', nama: 'H. Dedi Kurniawan, S.E.', jabatan: 'Bupati Sukamaju' });
  const options = { location: 'Kota Contoh', contactInfo: 'kerjasama@kotacontoh.go.id' };
  const once = await signPdf(rendered.pdf, walikota, {
    ...options,
    reason: 'Menandatangani Kesepakatan Bersama',
    name: 'Dr. H. Ahmad Wijaya',
  });
  const twice = await addSecondSignature(once, bupati, {
    ...options,
    reason: 'Menandatangani Kesepakatan Bersama',
    name: 'H. Dedi Kurniawan, S.E.',
  });
  const flipped = new Uint8Array(twice);
  flipped[2000] = flipped[2000]! ^ 0x01;

  const pdfsig = (bytes: Uint8Array, name: string) => {
    const file = join(work, name);
    writeFileSync(file, bytes);
    const out = spawnSync('pdfsig', ['-nocert', file], { encoding: 'utf8' });
    if (out.error) throw out.error;
    return `${out.stdout}${out.stderr}`;
  };
  const valid = (report: string) => [...report.matchAll(/Signature Validation: Signature is Valid/g)].length;

  const good = pdfsig(twice, 'dua-tanda-tangan.pdf');
  console.log(good);
  if (valid(good) !== 2) throw new Error('pdfsig: both signatures should be valid');
  const bad = pdfsig(flipped, 'satu-bita-diubah.pdf');
  console.log(bad);
  if (valid(bad) > 1) throw new Error('pdfsig: a flipped byte inside the first signed range must break it');
  console.log('pdfsig: 2 tanda tangan sah; 1 bita diubah → tidak sah. OK');
} finally {
  await renderer.close();
  rmSync(work, { recursive: true, force: true });
}
