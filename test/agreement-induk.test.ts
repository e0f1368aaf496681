import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitPermohonan } from '../cli/drive.ts';
import { DASAR_KESEPAKATAN } from '../core/agreement/induk.ts';
import type { AgreementRecord } from '../core/agreement/agreement-model.ts';
import type { CaseRecord } from '../core/case/model.ts';
import { entryId } from '../functions/handlers/archive-routes.ts';
import { agreementPathId } from '../functions/handlers/monitoring-routes.ts';
import { PRINCIPALS, sessionFor, web } from './support/console.ts';
import { eventually, permohonanFor, startTestRuntime } from './support/runtime.ts';

/**
 * A Perjanjian Kerja Sama names the Kesepakatan Bersama it implements at intake (`dasar-kesepakatan-nomor`); the
 * number must be in the pemda's register, of an agreement that has not ended. Once the PKS is registered (the path
 * of the `daftar` step, `agreements.registerCase`), both agreements link to each other. Real local services; the
 * runtime's clock in the test's hands.
 */
const at = (local: string) => new Date(`${local.replace(' ', 'T')}:00+07:00`);
const BLITAR = 'kab-blitar';
const SOP_BLITAR = 'blitar-pengkoordinasian-nota-kesepakatan';
const KOTA = 'kota-contoh';
const SOP_KOTA = 'kota-penyusunan-kesepakatan-bersama';

describe('a Perjanjian Kerja Sama and the Kesepakatan Bersama it implements', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  const now = at('2026-11-23 09:00');
  const clock = { now: () => now };
  let kb: AgreementRecord;
  let kbKota: AgreementRecord;
  let pks = '';

  beforeAll(async () => {
    rt = await startTestRuntime({ clock, schedulerIntervalMs: 0 });
    kb = await signedKesepakatan(BLITAR, SOP_BLITAR, 'nota-kesepakatan', '20261123-kbblitarxx');
    kbKota = await signedKesepakatan(KOTA, SOP_KOTA, 'kesepakatan-bersama', '20261123-kbkotaaaxx');
  }, 60_000);
  afterAll(async () => rt?.cleanup());

  /**
   * A finished case whose signed naskah got its number from the pemda's register (allocated, then marked used as the
   * signature does), registered as the `daftar` step registers it.
   */
  async function signedKesepakatan(pemdaId: string, sopId: string, series: string, caseId: string) {
    const sop = rt.app.catalog.sops.latest(sopId);
    const entry = await rt.app
      .register(pemdaId)
      .allocate({ caseId, purpose: 'naskah', series, perihal: 'Kesepakatan' });
    await rt.app.register(pemdaId).markUsed(entry.numberText, {
      dates: { document: '2026-11-23', signed: '2026-11-23', validFrom: '2026-11-23', validUntil: '2031-11-22' },
    });
    const record: CaseRecord = {
      caseId,
      intakeId: caseId,
      sopId,
      sopVersion: sop.definition.version,
      sopKey: sop.key,
      pemdaId,
      perihal: 'Kesepakatan bersama pengembangan pariwisata',
      pemohon: { nama: 'Dinas Pariwisata', email: 'pariwisata@pemda.test', instansi: 'Dinas Pariwisata' },
      status: 'selesai',
      createdAt: now.toISOString(),
      data: {
        'pihak-mitra': 'Pemerintah Kabupaten Kediri',
        'naskah-jenis': 'kesepakatan-bersama',
        'nomor-naskah': entry.numberText,
        'naskah-tanggal': '2026-11-23',
        'naskah-jangka-waktu': 5,
      },
      files: [],
      cursor: null,
      visits: {},
    };
    await rt.app.store.createCase(record);
    return (await rt.app.agreements.registerCase(caseId))!;
  }

  /** The intake form's check before any byte is sent (the page's script posts this). */
  async function formCheck(dasar: string) {
    const input = permohonanFor(rt, SOP_BLITAR, { [DASAR_KESEPAKATAN]: dasar });
    const res = await fetch(`${rt.urls.web}/permohonan/siapkan`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: rt.urls.web },
      body: JSON.stringify({
        sopId: SOP_BLITAR,
        perihal: input.perihal,
        pemohon: input.pemohon,
        data: input.data,
        files: input.files.map((f) => ({ slot: f.slot, name: f.name, size: f.bytes.length })),
      }),
    });
    return { status: res.status, body: (await res.json()) as { pesan?: string; rincian?: Record<string, string> } };
  }

  it('shows the field on the intake form and accepts a Kesepakatan Bersama in force', async () => {
    const page = await web(rt, `/permohonan/baru?sop=${SOP_BLITAR}`);
    expect(page.text).toContain('Nomor Kesepakatan Bersama / Nota Kesepakatan yang menjadi dasar');
    expect(page.text).toContain(`name="d_${DASAR_KESEPAKATAN}"`);
    const ok = await formCheck(` ${kb.nomor} `);
    expect(ok.status).toBe(200);
  });

  it('links the PKS to its Kesepakatan Bersama both ways when the PKS is registered, once however often', async () => {
    // Arrange: the permohonan names the KB; its case keeps the number.
    const { intakeId } = await submitPermohonan(
      rt,
      permohonanFor(rt, SOP_BLITAR, { [DASAR_KESEPAKATAN]: kb.nomor }, 'Perjanjian kerja sama promosi wisata'),
    );
    const record = await eventually(async () => rt.app.store.getCase(intakeId));
    expect(record.data[DASAR_KESEPAKATAN]).toBe(kb.nomor);
    // Its naskah, a PKS, is signed and numbered (the fixture path of the `daftar` step).
    const entry = await rt.app
      .register(BLITAR)
      .allocate({ caseId: intakeId, purpose: 'naskah', series: 'nota-kesepakatan', perihal: 'PKS' });
    pks = entry.numberText;
    await rt.app.store.setCaseData(intakeId, {
      'nomor-naskah': pks,
      'naskah-jenis': 'perjanjian-kerja-sama',
      'naskah-tanggal': '2026-11-23',
    });

    // Act: registered, then registered again (a retried step).
    await rt.app.agreements.registerCase(intakeId);
    await rt.app.agreements.registerCase(intakeId);

    // Assert
    expect(await rt.app.agreements.get(BLITAR, pks)).toMatchObject({ jenis: 'perjanjian-kerja-sama', induk: kb.nomor });
    expect((await rt.app.agreements.get(BLITAR, kb.nomor))?.pelaksanaan).toEqual([pks]);
    const list = await rt.app.agreements.list(BLITAR);
    expect(list.find((a) => a.nomor === kb.nomor)).toMatchObject({ pelaksanaan: [pks] });
    expect(list.find((a) => a.nomor === pks)).toMatchObject({ induk: kb.nomor, pelaksanaan: [] });
    const facts = (await rt.app.store.listHistory(kb.caseId)).filter((e) => e.detail?.pelaksanaan === pks);
    expect(facts).toHaveLength(1);
    const detail = (await rt.app.agreements.detail(BLITAR, pks))!;
    expect(detail.induk?.nomor).toBe(kb.nomor);
    expect(detail.summary.induk).toBe(kb.nomor);

    // The pages: the KB lists its PKS, the PKS names its KB with its status; the archive entry links them.
    const admin = sessionFor(rt, PRINCIPALS.adminBlitar);
    const kbPage = await web(rt, `/konsol/perjanjian/${agreementPathId(kb.nomor)}`, { cookie: admin.cookie });
    expect(kbPage.text).toContain('Dilaksanakan dengan');
    expect(kbPage.text).toContain(`href="/konsol/perjanjian/${agreementPathId(pks)}"`);
    expect(kbPage.text).toContain(`Dilaksanakan dengan Perjanjian Kerja Sama Nomor ${pks}`);
    const pksPage = await web(rt, `/konsol/perjanjian/${agreementPathId(pks)}`, { cookie: admin.cookie });
    expect(pksPage.text).toContain(`href="/konsol/perjanjian/${agreementPathId(kb.nomor)}"`);
    expect(pksPage.text).toContain('data-induk-status="berlaku"');
    expect(pksPage.text).not.toContain('data-induk-catatan');
    const arsip = sessionFor(rt, PRINCIPALS.arsiparisBlitar);
    const kbEntry = await web(rt, `/arsip/${entryId(kb.nomor)}`, { cookie: arsip.cookie });
    expect(kbEntry.status).toBe(200);
    expect(kbEntry.text).toContain('Dilaksanakan dengan');
    expect(kbEntry.text).toContain(`href="/arsip/${entryId(pks)}"`);
  }, 60_000);

  it('refuses a permohonan naming a number not in the register, or another pemda’s, with the reason', async () => {
    // The form says so before any byte is sent, and keeps the field marked.
    const unknown = await formCheck('000.5.4/999/409.1.1/2026');
    expect(unknown.status).toBe(400);
    expect(unknown.body.rincian?.[`d_${DASAR_KESEPAKATAN}`]).toContain('tidak terdaftar di register kerja sama');
    const other = await formCheck(kbKota.nomor);
    expect(other.status).toBe(400);
    expect(other.body.rincian?.[`d_${DASAR_KESEPAKATAN}`]).toContain('tidak terdaftar di register kerja sama');
    // A PKS is not a basis.
    const notKb = await formCheck(pks);
    expect(notKb.body.rincian?.[`d_${DASAR_KESEPAKATAN}`]).toContain('adalah Perjanjian Kerja Sama');

    // A script that skips the form is refused the same way by the API: nothing is reserved, no upload URL given.
    await expect(
      submitPermohonan(rt, permohonanFor(rt, SOP_BLITAR, { [DASAR_KESEPAKATAN]: kbKota.nomor })),
    ).rejects.toThrow(`"${kbKota.nomor}" tidak terdaftar di register kerja sama`);
    await expect(
      submitPermohonan(rt, permohonanFor(rt, SOP_BLITAR, { [DASAR_KESEPAKATAN]: '000.5.4/999/409.1.1/2026' })),
    ).rejects.toThrow('tidak terdaftar di register');
  }, 60_000);

  it('shows on the PKS page that its Kesepakatan Bersama has ended, and the PKS goes on', async () => {
    // Act
    await rt.app.agreements.endEarly(BLITAR, kb.nomor, { alasan: 'tujuan-tercapai', oleh: 'Admin Kerja Sama Blitar' });

    // Assert
    expect((await rt.app.agreements.get(BLITAR, pks))?.status).toBe('berlaku');
    const admin = sessionFor(rt, PRINCIPALS.adminBlitar);
    const pksPage = await web(rt, `/konsol/perjanjian/${agreementPathId(pks)}`, { cookie: admin.cookie });
    expect(pksPage.text).toContain('data-induk-status="berakhir"');
    expect(pksPage.text).toContain('yang menjadi dasar perjanjian ini sudah berakhir sejak 23 November 2026');
    expect(pksPage.text).toContain('tidak berakhir dengan sendirinya');
    // An ended KB is no basis for a new permohonan.
    const ended = await formCheck(kb.nomor);
    expect(ended.status).toBe(400);
    expect(ended.body.rincian?.[`d_${DASAR_KESEPAKATAN}`]).toContain('sudah berakhir sejak 23 November 2026');
  });
});
