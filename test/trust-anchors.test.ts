import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePdf } from '../cli/drive.ts';
import { DevelopmentPki } from '../functions/signing/dev-pki.ts';
import { signPdf } from '../functions/signing/sign-pdf.ts';
import { BSRE_TIRUAN_MARK, DEVELOPMENT_MARK } from '../functions/signing/signer.ts';
import {
  anchorByMark,
  anchorsOf,
  bsreAnchor,
  bsreRootsFromFile,
  developmentAnchor,
  pemdaAnchor,
  tsaAnchor,
  withBsreRoots,
} from '../functions/signing/trust-anchors.ts';
import { trustOf, verifyPdfSignatures } from '../functions/signing/verify.ts';

/**
 * Trust anchors labelled for what they are, with real certificates: the development CA, the local BSrE service's
 * test CA (made the way local/bsre/ makes it), and a plain root that looks like a real one. A marked root stays
 * what its mark says even when configured as BSrE's; only an unmarked root in the BSrE file is `bsre`.
 */
const dir = mkdtempSync(join(tmpdir(), 'sepakat-anchors-'));
const now = () => new Date('2026-11-23T03:00:00Z');
const checkDate = new Date('2026-11-24T00:00:00Z');
let development: DevelopmentPki;
let tiruan: DevelopmentPki;
let realLooking: DevelopmentPki;
const OFFICIAL = { id: 'walikota', nama: 'Dr. H. Ahmad Wijaya', jabatan: 'Walikota Contoh' };

beforeAll(async () => {
  development = await DevelopmentPki.open({ dir: join(dir, 'dev'), now });
  tiruan = await DevelopmentPki.open({
    dir: join(dir, 'tiruan'),
    caName: `CA ${BSRE_TIRUAN_MARK}`,
    mark: BSRE_TIRUAN_MARK,
    now,
  });
  realLooking = await DevelopmentPki.open({
    dir: join(dir, 'akar'),
    caName: 'Root CA Otoritas Sertifikat Digital',
    mark: 'Balai Sertifikasi Elektronik',
    now,
  });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pem = (...pkis: DevelopmentPki[]) => pkis.map((p) => p.caCertificatePem).join('\n');

async function signedBy(pki: DevelopmentPki): Promise<Uint8Array> {
  return signPdf(new Uint8Array(samplePdf('Kesepakatan Bersama')), await pki.signerFor(OFFICIAL), {
    reason: 'Menandatangani naskah',
    location: 'Kota Contoh',
    name: OFFICIAL.nama,
    contactInfo: 'walikota@kota-contoh.test',
    signingTime: new Date('2026-11-23T03:15:00Z'),
  });
}

describe('trust anchors', () => {
  it('labels the development CA and the BSrE tiruan CA by their marks, never as BSrE', () => {
    expect(anchorByMark(development.caCertificate)).toMatchObject({
      kind: 'pengembangan',
      label: 'CA pengembangan Sepakat — bukan BSrE',
    });
    expect(developmentAnchor(development.caCertificate).kind).toBe('pengembangan');
    expect(anchorByMark(tiruan.caCertificate)).toMatchObject({
      kind: 'bsre-tiruan',
      label: 'CA BSrE tiruan — bukan BSrE (layanan uji lokal)',
    });
    // An unmarked root known only as DER is a pemda CA named by its organisation, not BSrE.
    expect(anchorByMark(realLooking.caCertificate)).toMatchObject({
      kind: 'pemda',
      label: 'CA Sepakat (tidak tersertifikasi BSrE)',
    });
  });

  it('labels a pemda CA with the pemda name, unless its names carry a mark', () => {
    expect(pemdaAnchor(realLooking.caCertificate, 'Pemerintah Kota Contoh')).toEqual({
      der: realLooking.caCertificate,
      kind: 'pemda',
      label: 'CA Pemerintah Kota Contoh (tidak tersertifikasi BSrE)',
      holder: 'Pemerintah Kota Contoh',
    });
    expect(pemdaAnchor(development.caCertificate, 'Pemerintah Kota Contoh').kind).toBe('pengembangan');
  });

  it('labels a plain root configured as BSrE as bsre, and the tiruan or development root configured so as what it is', async () => {
    expect(bsreAnchor(realLooking.caCertificate)).toMatchObject({
      kind: 'bsre',
      label: 'Root CA Otoritas Sertifikat Digital (akar BSrE yang dikonfigurasi)',
    });
    const file = join(dir, 'akar-bsre.pem');
    writeFileSync(file, pem(realLooking, tiruan, development));
    const anchors = await bsreRootsFromFile(file);
    expect(anchors.map((a) => a.kind)).toEqual(['bsre', 'bsre-tiruan', 'pengembangan']);
    expect(anchors[1]!.label).toContain(BSRE_TIRUAN_MARK);
    expect(anchors[2]!.label).not.toContain('BSrE yang dikonfigurasi');
  });

  it('refuses a BSrE roots file that is missing or holds no certificate, naming the variable', async () => {
    const empty = join(dir, 'kosong.pem');
    writeFileSync(empty, 'bukan sertifikat\n');
    await expect(bsreRootsFromFile(empty)).rejects.toThrow(/SEPAKAT_BSRE_ROOTS_FILE tidak memuat sertifikat/);
    await expect(bsreRootsFromFile(join(dir, 'tidak-ada.pem'))).rejects.toThrow(
      /SEPAKAT_BSRE_ROOTS_FILE tidak dapat dibaca/,
    );
  });

  it('says which anchor a chain reached and who issued the certificate', async () => {
    const anchors = [
      developmentAnchor(development.caCertificate),
      bsreAnchor(realLooking.caCertificate),
      bsreAnchor(tiruan.caCertificate),
      tsaAnchor(development.caCertificate),
    ];
    const [real] = (await verifyPdfSignatures(await signedBy(realLooking), { anchors, checkDate })).signatures;
    expect(real).toMatchObject({
      valid: true,
      anchor: { kind: 'bsre', label: 'Root CA Otoritas Sertifikat Digital (akar BSrE yang dikonfigurasi)' },
      issuerName: 'Root CA Otoritas Sertifikat Digital',
    });
    const [fake] = (await verifyPdfSignatures(await signedBy(tiruan), { anchors, checkDate })).signatures;
    expect(fake).toMatchObject({ valid: true, anchor: { kind: 'bsre-tiruan' }, issuerName: `CA ${BSRE_TIRUAN_MARK}` });
    const [dev] = (await verifyPdfSignatures(await signedBy(development), { anchors, checkDate })).signatures;
    expect(dev).toMatchObject({ valid: true, anchor: { kind: 'pengembangan' } });
    expect(dev!.certificate!.subject).toContain(DEVELOPMENT_MARK);
    // A TSA anchor is no signer's anchor; a chain that reaches no anchor reports none.
    const tsaOnly = [tsaAnchor(development.caCertificate)];
    const [untrusted] = (await verifyPdfSignatures(await signedBy(development), { anchors: tsaOnly, checkDate }))
      .signatures;
    expect(untrusted).toMatchObject({ chainOk: false, valid: false, anchor: null });
  });

  it('still labels by mark for callers that pass plain roots', async () => {
    const [s] = (await verifyPdfSignatures(await signedBy(tiruan), { trustedRoots: [tiruan.caCertificate], checkDate }))
      .signatures;
    expect(s!.anchor).toEqual({ kind: 'bsre-tiruan', label: 'CA BSrE tiruan — bukan BSrE (layanan uji lokal)' });
  });

  it('adds the configured BSrE roots to the keys: each signature names its own anchor', async () => {
    const file = join(dir, 'akar-bsre-2.pem');
    writeFileSync(file, pem(realLooking, tiruan));
    expect(await withBsreRoots(development, undefined)).toBe(development);
    const keys = await withBsreRoots(development, file);
    expect((await anchorsOf(keys)).map((a) => a.kind)).toEqual(['pengembangan', 'bsre', 'bsre-tiruan']);
    expect(await keys.trustedRoots()).toHaveLength(3);
    const trust = { ...(await trustOf(keys)), checkDate };
    for (const [pki, kind] of [
      [development, 'pengembangan'],
      [realLooking, 'bsre'],
      [tiruan, 'bsre-tiruan'],
    ] as const) {
      const [s] = (await verifyPdfSignatures(await signedBy(pki), trust)).signatures;
      expect(s).toMatchObject({ valid: true, anchor: { kind } });
    }
  });
});
