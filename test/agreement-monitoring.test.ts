import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveCase, submitPermohonan } from '../cli/drive.ts';
import { main } from '../cli/sepakat.ts';
import { agreementJobKey } from '../core/agreement/agreement-jobs.ts';
import { registerCsv } from '../functions/documents/register-export.ts';
import { agreementPathId } from '../functions/handlers/monitoring-routes.ts';
import { readMailbox, type StoredMail } from '../local/ses/local-ses.ts';
import { sessionFor, web, PRINCIPALS } from './support/console.ts';
import { MITRA, NASKAH } from './support/kasus.ts';
import { PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';
import { at, fireDue, registerFinishedCase } from './support/agreements.ts';

/**
 * The life of an agreement after signing, on the real local services with the runtime's clock in the test's hands
 * (the local scheduler fires only through runDue). A Blitar Nota Kesepakatan is driven through its SOP to its
 * signature and registration; further agreements are registered from finished case fixtures through the same
 * registration path (`agreements.registerCase`, which the SOP's `daftar` step calls).
 */
const PEMDA = 'kab-blitar';
const SOP = 'blitar-pengkoordinasian-nota-kesepakatan';
const KABAG = 'kabag.tapem@blitarkab.test';
const ASISTEN = 'asisten1@blitarkab.test';

async function pdfText(bytes: Uint8Array): Promise<string> {
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(bytes)), { mergePages: true });
  return text.replace(/\s+/g, ' ');
}

describe('an agreement after signing: reports, monev, adendum, expiry, ending and BATAL', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let now = at('2026-11-23 09:00');
  const clock = { now: () => now };
  let nomor = '';
  let caseId = '';
  /** A one-year agreement registered with the first, to see the end of its term. */
  let expiring = '';

  beforeAll(async () => {
    rt = await startTestRuntime({ clock, schedulerIntervalMs: 0 });
  });
  afterAll(async () => rt?.cleanup());

  /** Fires everything due at `when` (jobs scheduled by jobs that fired included), as the scheduler loop would. */
  async function fireAt(when: string) {
    now = at(when);
    return fireDue(rt, now);
  }
  const mails = async (filter: (m: StoredMail) => boolean) => (await readMailbox(rt.dataDir)).filter(filter);
  const about = (n: string) => (m: StoredMail) => !!m.text?.includes(n);
  const pantauLink = (m: StoredMail) => m.links.find((l) => l.includes('/pantau/'))!;
  const path = (link: string) => new URL(link).pathname;
  const history = async (id: string) => rt.app.store.listHistory(id);

  /** A finished one-year agreement whose signed naskah carries `n` (the `daftar` step's registration path). */
  const fixture = async (n: string, data: Record<string, unknown> = {}) =>
    (await registerFinishedCase(rt, {
      caseId: `20261123-fixtur${n.split('/')[1]}`,
      nomor: n,
      createdAt: now,
      data: { 'naskah-tanggal': '2026-11-23', 'naskah-jangka-waktu': 1, ...data },
    }))!;

  it('registers the agreement once when the signed naskah is numbered, and schedules its monitoring', async () => {
    // Arrange and act: a Blitar Nota Kesepakatan for 2 years, driven to its end through the emailed links.
    const { intakeId } = await submitPermohonan(
      rt,
      permohonanFor(rt, SOP, { 'pihak-mitra': MITRA }, 'Kerja sama pengelolaan sampah regional'),
    );
    caseId = intakeId;
    const driven = await driveCase({
      dataDir: rt.dataDir,
      caseId,
      pemohonEmail: PEMOHON.email,
      // The number comes from the register (no SRIKANDI number): 000.5.4/001/409.1.1/2026.
      values: { ...NASKAH, 'naskah-jangka-waktu': '2', 'nomor-srikandi': '' },
      timeoutMs: 80_000,
    });
    expect(driven.outcome).toBe('selesai');

    // Assert
    const record = (await rt.app.store.getCase(caseId))!;
    nomor = String(record.data['nomor-naskah']);
    const a = (await rt.app.agreements.get(PEMDA, nomor))!;
    expect(a).toMatchObject({
      jenis: 'nota-kesepakatan',
      mitra: MITRA,
      caseId,
      mulai: '2026-11-23',
      jangkaWaktuTahun: 2,
      berakhir: '2028-11-22',
      status: 'berlaku',
      naskahDocId: record.data['dokumen-naskah-ditandatangani'],
      pelaksana: { email: PEMOHON.email },
    });
    // The register entry agrees on the term.
    expect((await rt.app.register(PEMDA).get(nomor))?.dates.validUntil).toBe('2028-11-22');
    // Registering again changes nothing.
    await rt.app.agreements.registerCase(caseId);
    expect((await history(caseId)).filter((e) => e.type === 'perjanjian-terdaftar')).toHaveLength(1);
    const first = agreementJobKey({ kind: 'pantau-perjanjian', pemdaId: PEMDA, nomor, tahap: 'laporan-minta', ke: 1 });
    expect(await rt.scheduler.store.get(first)).toMatchObject({
      state: 'pending',
      at: at('2027-02-09 07:30').toISOString(),
    });
    const list = await rt.app.agreements.list(PEMDA);
    expect(list.find((x) => x.nomor === nomor)).toMatchObject({
      status: 'berlaku',
      mulai: '2026-11-23',
      berakhir: '2028-11-22',
      adendum: [],
      berikutnya: { jenis: 'laporan', label: 'Laporan pelaksanaan triwulan I tahun 2027', jatuhTempo: '2027-02-23' },
    });
    expiring = (await fixture('000.5.4/103/409.1.1/2026')).nomor;

    // The register export shows each number's agreement status and what falls due next; so does the CLI.
    const csv = await registerCsv(
      { ...rt.app, agreementsOf: (p: string) => rt.app.agreements.list(p) },
      { pemdaId: PEMDA, year: 2026 },
    );
    expect(csv.split('\r\n')[0]).toMatch(/;Status Perjanjian;Kewajiban Berikutnya$/);
    expect(csv).toContain('Berlaku;Laporan pelaksanaan triwulan I tahun 2027 (23 Februari 2027)');
    const lines: string[] = [];
    expect(await main(['perjanjian', PEMDA, '--data-dir', rt.dataDir], (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toContain(nomor);
    expect(lines.join('\n')).toContain('Laporan pelaksanaan triwulan I tahun 2027 (2027-02-23)');
  }, 90_000);

  it('asks for the quarterly report, accepts it once through its link and stores its Laporan Pelaksanaan', async () => {
    // The annual report of 2026 falls due on 11 January 2027; the first report's link goes out on 9 February.
    await fireAt('2027-02-09 07:30');
    const [request] = await mails((m) => m.subject.startsWith('Laporan pelaksanaan diminta') && about(nomor)(m));
    expect(request!.to).toEqual([PEMOHON.email]);
    const link = pantauLink(request!);

    // GET only shows the form.
    const page = await web(rt, path(link));
    expect(page.status).toBe(200);
    expect(page.text).toContain('Laporan pelaksanaan triwulan I tahun 2027');
    const submissionId = /name="submissionId" value="([^"]+)"/.exec(page.text)![1]!;

    // A tampered link is refused.
    const tampered = path(link).slice(0, -3) + (path(link).endsWith('AAA') ? 'BBB' : 'AAA');
    expect((await web(rt, tampered)).status).toBe(404);

    // Bad input: a clear error, the values kept, nothing recorded.
    const form = {
      submissionId,
      kegiatan: 'Sosialisasi pemilahan sampah | Januari 2027 | Terlaksana\nPembangunan TPS3R | Februari 2027 | 40%',
      capaian: 'Dua desa memilah sampah dari rumah tangga.',
      kendala: 'Lahan TPS3R belum bersertifikat.',
      rencana: 'Menyelesaikan sertifikat lahan\nMelanjutkan pembangunan TPS3R',
      anggaran: 'Rp150.000.000 (40% dari pagu)',
      nama: 'Ir. Bambang Sutejo, M.T.',
      jabatan: 'Kepala Dinas Lingkungan Hidup',
      nip: '197001011995031001',
      pangkat: 'Pembina Utama Muda (IV/c)',
    };
    const bad = await web(rt, path(link), { form: { ...form, kegiatan: '', nip: '123' } });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Kegiatan yang dilaksanakan wajib diisi');
    expect(bad.text).toContain('NIP terdiri dari 18 angka');
    expect(bad.text).toContain('Dua desa memilah sampah');

    // Act
    const ok = await web(rt, path(link), { form });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('Laporan diterima');

    // Assert: the PDF, with the period and the activities, stored with the agreement's case.
    const docs = (await rt.app.documents.listByCase(caseId)).filter((d) => d.kind === 'laporan-pelaksanaan');
    expect(docs).toHaveLength(1);
    const text = await pdfText(await rt.app.documents.read(docs[0]!));
    expect(text).toContain('Laporan pelaksanaan triwulan I tahun 2027');
    expect(text).toContain('Sosialisasi pemilahan sampah');
    expect(text).toContain(nomor);
    expect(text).toContain('Ir. Bambang Sutejo, M.T.');
    // A second POST of the same link changes nothing (the same form says so; another is refused).
    expect((await web(rt, path(link), { form })).status).toBe(200);
    expect((await web(rt, path(link), { form: { ...form, submissionId: 'lain', capaian: 'Lain' } })).status).toBe(409);
    expect((await rt.app.documents.listByCase(caseId)).filter((d) => d.kind === 'laporan-pelaksanaan')).toHaveLength(1);
    expect((await history(caseId)).filter((e) => e.type === 'pemantauan-diterima')).toHaveLength(1);
    // The next report is scheduled; the list shows it as next.
    const second = agreementJobKey({ kind: 'pantau-perjanjian', pemdaId: PEMDA, nomor, tahap: 'laporan-minta', ke: 2 });
    expect(await rt.scheduler.store.get(second)).toMatchObject({ state: 'pending' });
    expect((await rt.app.agreements.list(PEMDA)).find((x) => x.nomor === nomor)?.berikutnya?.label).toBe(
      'Laporan pelaksanaan triwulan II tahun 2027',
    );
    // The reminder of the report that came in sends nothing when it fires.
    await fireAt('2027-02-24 07:30');
    expect(await mails((m) => m.subject.startsWith('Laporan pelaksanaan terlambat') && about(nomor)(m))).toHaveLength(
      0,
    );
  }, 60_000);

  it('made the annual report of 2026 once, and mailed it to the Bagian', async () => {
    const sent = await mails((m) => m.subject.startsWith('Laporan tahunan pelaksanaan kerja sama daerah 2026'));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to).toEqual([KABAG]);
    const doc = (await rt.app.agreements.annualReportOf(PEMDA, 2026))!;
    const text = await pdfText(await rt.app.documents.read(doc));
    expect(text).toContain('LAPORAN PELAKSANAAN KERJA SAMA DAERAH TAHUN 2026');
    expect(text).toContain(nomor);
    expect(text).toContain('Menteri Dalam Negeri melalui Gubernur');
    expect(text).not.toContain('Badan Pemeriksa Keuangan');
    expect(await rt.app.agreements.runJob({ kind: 'laporan-tahunan', pemdaId: PEMDA, tahun: 2026 })).toMatchObject({
      result: 'sudah-terkirim',
    });
    expect(await mails((m) => m.subject.startsWith('Laporan tahunan pelaksanaan kerja sama daerah 2026'))).toHaveLength(
      1,
    );
    // Staff of the archive find it on the archive page, and download it through a short-lived link.
    const { cookie } = sessionFor(rt, PRINCIPALS.arsiparisBlitar);
    const archive = await web(rt, '/arsip', { cookie });
    expect(archive.text).toContain('<a href="/konsol/perjanjian/laporan-tahunan/2026">Laporan tahunan 2026</a>');
    expect(archive.text).toContain(`dikirim ke ${KABAG}`);
    expect(archive.text).not.toContain('data-email-ditolak');
    expect((await web(rt, '/konsol/perjanjian/laporan-tahunan/2026', { cookie })).status).toBe(302);
  });

  it('reminds once of a missed report, escalates it once to the atasan of the Bagian head, and asks for the monev', async () => {
    // Report 2 covers 23 February – 22 May 2027 and falls due on Senin 24 May; its link goes out on 10 May with the
    // first monev's.
    await fireAt('2027-05-10 07:30');
    await fireAt('2027-05-25 07:30');
    await fireAt('2027-05-31 07:30');
    await fireAt('2027-06-01 07:30');
    const reminders = await mails((m) => m.subject.startsWith('Laporan pelaksanaan terlambat') && about(nomor)(m));
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.subject).toContain('triwulan II tahun 2027');
    const escalations = await mails((m) => m.subject.startsWith('Eskalasi laporan pelaksanaan') && about(nomor)(m));
    expect(escalations).toHaveLength(1);
    expect(escalations[0]!.to).toEqual([ASISTEN]);
    expect(escalations[0]!.text).not.toContain('/pantau/');
    const facts = await history(caseId);
    expect(
      facts.filter((e) => e.type === 'pengingat-terkirim' && e.detail?.tahap === 'laporan-terlambat'),
    ).toHaveLength(1);
    expect(facts.filter((e) => e.type === 'eskalasi-terkirim' && e.detail?.tahap === 'laporan-eskalasi')).toHaveLength(
      1,
    );
  });

  it('records the semester monev; a recommendation of adendum becomes a proposal to the administrator', async () => {
    const [request] = await mails((m) => m.subject.startsWith('Monitoring dan evaluasi:') && about(nomor)(m));
    expect(request!.subject).toContain('semester I tahun 2027');
    expect(request!.to[0]).toMatch(/^penata[12]@blitarkab\.test$/);
    const link = path(pantauLink(request!));
    const form = await web(rt, link);
    expect(form.status).toBe(200);
    expect(form.text).toContain('Diubah dengan adendum');
    const noNote = await web(rt, link, { form: { submissionId: 'm1', tanggal: '2027-05-28', rekomendasi: 'adendum' } });
    expect(noNote.status).toBe(400);
    expect(noNote.text).toContain('wajib disertai catatan');
    const ok = await web(rt, link, {
      form: {
        submissionId: 'm1',
        tanggal: '2027-05-28',
        rekomendasi: 'adendum',
        catatan: 'Ruang lingkup perlu ditambah pengolahan sampah plastik.',
      },
    });
    expect(ok.status).toBe(200);
    const a = (await rt.app.agreements.get(PEMDA, nomor))!;
    expect(a.usulan['monev.1']).toMatchObject({
      jenis: 'adendum',
      sumber: 'Monitoring dan evaluasi semester I tahun 2027',
    });
    expect(a.status).toBe('berlaku');
    expect(await mails((m) => m.subject.startsWith('Usulan adendum') && about(nomor)(m))).toHaveLength(1);
  });

  it('proposes BATAL after two reports missed in a row, and refuses the expired link of a missed report', async () => {
    const [second] = await mails(
      (m) =>
        m.subject.startsWith('Laporan pelaksanaan diminta') && m.subject.includes('triwulan II') && about(nomor)(m),
    );
    // Report 3 (due Selasa 24 August 2027) is missed too.
    await fireAt('2027-08-25 07:30');
    const a = (await rt.app.agreements.get(PEMDA, nomor))!;
    expect(a.usulan['batal.3']).toMatchObject({ jenis: 'batal' });
    expect(a.status).toBe('berlaku');
    expect(await mails((m) => m.subject.startsWith('Usulan pernyataan BATAL') && about(nomor)(m))).toHaveLength(1);
    // Report 2's link lived 60 days after its due date.
    const expired = await web(rt, path(pantauLink(second!)));
    expect(expired.status).toBe(410);
    expect(expired.text).toContain('kedaluwarsa');
  });

  it('starts an adendum from the agreement page; once signed, both agreements link to each other', async () => {
    const admin = sessionFor(rt, PRINCIPALS.adminBlitar);
    const pageId = agreementPathId(nomor);
    const page = await web(rt, `/konsol/perjanjian/${pageId}`, { cookie: admin.cookie });
    expect(page.status).toBe(200);
    expect(page.text).toContain('Mulai adendum');
    // Not an administrator: refused.
    const staff = sessionFor(rt, PRINCIPALS.pelaksanaBlitar);
    const refused = await web(rt, '/konsol/perjanjian/adendum', {
      cookie: staff.cookie,
      form: { _csrf: staff.csrf, nomor, sopId: SOP, submissionId: 'a1' },
    });
    expect(refused.status).toBe(403);
    const started = await web(rt, '/konsol/perjanjian/adendum', {
      cookie: admin.cookie,
      form: { _csrf: admin.csrf, nomor, sopId: SOP, submissionId: 'a1' },
    });
    expect(started.status).toBe(200);
    const adendumCase = /Kasus adendum (\d{8}-[a-z2-7]{10}) dimulai/.exec(started.text)![1]!;
    expect((await rt.app.store.getCase(adendumCase))?.data['adendum-dari']).toBe(nomor);
    // The same form again starts nothing new.
    const again = await web(rt, '/konsol/perjanjian/adendum', {
      cookie: admin.cookie,
      form: { _csrf: admin.csrf, nomor, sopId: SOP, submissionId: 'a1' },
    });
    expect(again.text).toContain('sudah dimulai sebelumnya');
    // Even when the repeat comes on another day (a new UTC date would have made a new case id).
    const before = now;
    now = new Date(now.getTime() + 24 * 3600_000);
    const tomorrow = sessionFor(rt, PRINCIPALS.adminBlitar);
    const nextDay = await web(rt, '/konsol/perjanjian/adendum', {
      cookie: tomorrow.cookie,
      form: { _csrf: tomorrow.csrf, nomor, sopId: SOP, submissionId: 'a1' },
    });
    now = before;
    expect(nextDay.text).toContain('sudah dimulai sebelumnya');
    expect(nextDay.text).toContain(adendumCase);
    expect((await rt.app.store.listCases()).filter((c) => c.data['adendum-dari'] === nomor)).toHaveLength(1);

    // Act: its naskah is signed and numbered (the fixture path of the `daftar` step).
    const adendumNomor = '000.5.4/031/409.1.1/2027';
    await rt.app.store.setCaseData(adendumCase, { 'nomor-naskah': adendumNomor, 'naskah-tanggal': '2027-08-25' });
    await rt.app.agreements.registerCase(adendumCase);

    // Assert
    const list = await rt.app.agreements.list(PEMDA);
    expect(list.find((x) => x.nomor === nomor)?.adendum).toEqual([adendumNomor]);
    expect(list.find((x) => x.nomor === adendumNomor)).toMatchObject({ adendumDari: nomor, status: 'berlaku' });
    expect(
      (await history(caseId)).some((e) => e.type === 'perjanjian-berubah' && e.detail?.adendum === adendumNomor),
    ).toBe(true);
  });

  it('ends an agreement early with a reason, cancelling its future monitoring', async () => {
    const a = await fixture('000.5.4/101/409.1.1/2026');
    const admin = sessionFor(rt, PRINCIPALS.adminBlitar);
    const bad = await web(rt, '/konsol/perjanjian/akhiri', {
      cookie: admin.cookie,
      form: { _csrf: admin.csrf, nomor: a.nomor, alasan: 'bosan' },
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Alasan pengakhiran harus salah satu dari');
    expect((await rt.app.agreements.get(PEMDA, a.nomor))?.status).toBe('berlaku');
    const ok = await web(rt, '/konsol/perjanjian/akhiri', {
      cookie: admin.cookie,
      form: { _csrf: admin.csrf, nomor: a.nomor, alasan: 'tujuan-tercapai', catatan: 'Jaringan sudah terpasang.' },
    });
    expect(ok.status).toBe(200);
    const closed = (await rt.app.agreements.get(PEMDA, a.nomor))!;
    expect(closed).toMatchObject({ status: 'berakhir', alasanBerakhir: 'tujuan-tercapai', ditutupPada: '2027-08-25' });
    const expiry = agreementJobKey({
      kind: 'pantau-perjanjian',
      pemdaId: PEMDA,
      nomor: a.nomor,
      tahap: 'berakhir',
      sampai: a.berakhir,
    });
    expect((await rt.scheduler.store.get(expiry))?.state).toBe('cancelled');
    expect((await rt.app.agreements.list(PEMDA)).find((x) => x.nomor === a.nomor)).toMatchObject({
      status: 'berakhir',
      alasanBerakhir: 'Tujuan kerja sama telah tercapai',
    });
    expect(await mails((m) => m.subject.startsWith('Kerja sama berakhir') && about(a.nomor)(m))).toHaveLength(1);
    // Once closed, it never changes again.
    const twice = await web(rt, '/konsol/perjanjian/batal', {
      cookie: admin.cookie,
      form: { _csrf: admin.csrf, nomor: a.nomor, alasan: 'Tidak dilaksanakan sama sekali' },
    });
    expect(twice.status).toBe(400);
    expect(twice.text).toContain('sudah berakhir');
  });

  it('declares BATAL with the administrator’s reason', async () => {
    const a = await fixture('000.5.4/102/409.1.1/2026');
    const admin = sessionFor(rt, PRINCIPALS.adminBlitar);
    const ok = await web(rt, '/konsol/perjanjian/batal', {
      cookie: admin.cookie,
      form: { _csrf: admin.csrf, nomor: a.nomor, alasan: 'Kerja sama tidak dilaksanakan oleh para pihak.' },
    });
    expect(ok.status).toBe(200);
    expect(await rt.app.agreements.get(PEMDA, a.nomor)).toMatchObject({
      status: 'batal',
      alasanBerakhir: 'Kerja sama tidak dilaksanakan oleh para pihak.',
    });
    expect(await mails((m) => m.subject.startsWith('Kerja sama dinyatakan BATAL') && about(a.nomor)(m))).toHaveLength(
      1,
    );
  });

  it('reminds of the end of the term at 90, 60, 30, 7 and 0 days, each once, then ends it', async () => {
    // One year from 23 November 2026: the 90-day reminder went out on 24 August with the reports above.
    const a = (await rt.app.agreements.get(PEMDA, expiring))!;
    expect(a.berakhir).toBe('2027-11-22');
    const reminders = async () =>
      (await mails((m) => about(a.nomor)(m) && /^(Jangka waktu berakhir|Hari terakhir)/.test(m.subject)))
        .map((m) => /dalam (\d+) hari|Hari terakhir/.exec(m.subject)![0])
        .sort();
    await fireAt('2027-09-23 07:30');
    await fireAt('2027-10-22 07:30');
    await fireAt('2027-11-15 07:30');
    await fireAt('2027-11-22 07:30');
    await fireAt('2027-11-22 12:00');
    expect(await reminders()).toEqual([
      'Hari terakhir',
      'dalam 30 hari',
      'dalam 60 hari',
      'dalam 7 hari',
      'dalam 90 hari',
    ]);
    expect((await rt.app.agreements.get(PEMDA, a.nomor))?.status).toBe('berlaku');

    // Act: the day after the last day.
    await fireAt('2027-11-23 00:00');

    // Assert: ended, its future monitoring cancelled, nobody reminded twice.
    const ended = (await rt.app.agreements.get(PEMDA, a.nomor))!;
    expect(ended).toMatchObject({
      status: 'berakhir',
      alasanBerakhir: 'jangka-waktu-habis',
      ditutupPada: '2027-11-23',
    });
    expect(await reminders()).toHaveLength(5);
    const last = agreementJobKey({
      kind: 'pantau-perjanjian',
      pemdaId: PEMDA,
      nomor: a.nomor,
      tahap: 'laporan-terlambat',
      ke: 4,
    });
    expect((await rt.scheduler.store.get(last))?.state).toBe('cancelled');
    expect(await mails((m) => m.subject.startsWith('Kerja sama berakhir') && about(a.nomor)(m))).toHaveLength(1);
    expect((await rt.app.agreements.list(PEMDA)).find((x) => x.nomor === a.nomor)).toMatchObject({
      status: 'berakhir',
      alasanBerakhir: 'Jangka waktu berakhir',
    });
  });
});
