import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actOnLink, driveCase, submitPermohonan, taskLinks } from '../cli/drive.ts';
import { textOf } from '../cli/page-reading.ts';
import { localDateOf } from '../core/calendar/zone.ts';
import { readMailbox } from '../local/ses/local-ses.ts';
import { PRINCIPALS, sessionFor, web } from './support/console.ts';
import { MITRA, NASKAH } from './support/kasus.ts';
import { eventually, PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';

/**
 * The disposisi travels and the notulen is right (issue 13, items 4 and 6), through the real local runtime: the
 * Kota SOP's officials act from their emailed links. The Sekda, the Asisten and the Kabag type their arahan (L1–L3);
 * each next official's page shows it, the case timeline shows it, and each step leaves a Lembar Disposisi. The
 * rapat teknis (L7) is refused while its date is still to come, and when one person is both pimpinan and notulis,
 * with nothing stored; then it records a notulen signed by two people.
 */
const SOP = 'kota-penyusunan-kesepakatan-bersama';
const ARAHAN = {
  L1: 'Mohon dicermati dan diproses sesuai ketentuan.\nKoordinasikan dengan Bagian Kerjasama.',
  L2: 'Siapkan rapat koordinasi dengan perangkat daerah terkait dan Pemerintah Kabupaten Sukamaju.',
  L3: 'Undang Bagian Hukum; minta draf naskah kepada pengusul paling lambat Jumat.',
};
const SURAT_NOMOR = '130/61/PEM/2026';

async function pdfText(bytes: Uint8Array): Promise<string> {
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(bytes)), { mergePages: true });
  return text.replace(/\s+/g, ' ');
}

/** A local date `days` from today in WIB (the Kota's zone). */
const wibDate = (days: number) => localDateOf(new Date(Date.now() + days * 86_400_000), 'WIB');

describe('the disposisi travels, and the notulen is right (Kota SOP, real local runtime)', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let caseId: string;
  beforeAll(async () => {
    rt = await startTestRuntime();
    const { intakeId } = await submitPermohonan(
      rt,
      permohonanFor(rt, SOP, { 'pihak-mitra': MITRA, 'surat-nomor': SURAT_NOMOR, 'surat-tanggal': '2026-11-27' }),
    );
    caseId = intakeId;
    await eventually(async () => (await rt.app.store.getCase(caseId))?.cursor);
  });
  afterAll(async () => rt?.cleanup());

  /** The link of the task email of `node` (its `visit`-th), once it arrived. */
  const linkOf = (node: string, visit = 1) =>
    eventually(async () => {
      const mails = (await readMailbox(rt.dataDir)).filter(
        (m) => m.subject.startsWith(`Tugas baru: ${node} `) && m.text?.includes(`Nomor kasus: ${caseId}`),
      );
      return mails[visit - 1] ? taskLinks(mails[visit - 1]!)[0] : undefined;
    }, 60_000);
  const page = async (link: string) => {
    const res = await fetch(link);
    expect(res.status).toBe(200);
    return res.text();
  };
  /** The box "Disposisi/arahan untuk Anda" of a task page, as text ('' when the page has none). */
  const box = (html: string) => {
    const at = html.indexOf('id="disposisi"');
    // The box sits above the step's details (the <dl>).
    return at < 0 ? '' : textOf(html.slice(at, html.indexOf('<dl>', at)));
  };
  const decide = async (node: string, values: Record<string, string>) => {
    const done = await actOnLink(await linkOf(node), () => ({ pilihan: 'lanjut', values }), { dataDir: rt.dataDir });
    expect(done.status, textOf(done.html).slice(0, 400)).toBe(200);
  };

  it("shows each arahan to the next official, on the case's timeline, and on a Lembar Disposisi", async () => {
    // The Sekda's page has no disposisi for him; he gives his to the Asisten.
    expect(box(await page(await linkOf('L1')))).toBe('');
    await decide('L1', { arahan: ARAHAN.L1 });

    // The Asisten's page: who gave it, the jabatan, the date in the pemda's zone, the words as typed.
    const asisten = await page(await linkOf('L2'));
    const shown = box(asisten);
    expect(shown).toContain('Disposisi/arahan untuk Anda');
    expect(shown).toContain('Dari Ir. Siti Rahmawati, M.Si. — Sekretaris Daerah');
    expect(shown).toMatch(/\d{1,2} Desember 2026 pukul \d{2}\.\d{2} WIB/);
    expect(shown).toContain('kepada Asisten Pemerintahan (Asisten I)');
    // As typed: both lines, the line break kept in the markup.
    expect(asisten).toContain(
      'white-space: pre-line; overflow-wrap: anywhere">Mohon dicermati dan diproses sesuai ketentuan.\nKoordinasikan dengan Bagian Kerjasama.</blockquote>',
    );
    // The riwayat of the task page carries it beside the Sekda's decision.
    expect(textOf(asisten)).toContain(
      'Arahan kepada Asisten Pemerintahan (Asisten I): Mohon dicermati dan diproses sesuai ketentuan. / Koordinasikan dengan Bagian Kerjasama.',
    );
    await decide('L2', { arahan: ARAHAN.L2 });
    const kabag = box(await page(await linkOf('L3')));
    expect(kabag).toContain('Dari Drs. Bambang Purnomo, M.AP. — Asisten Pemerintahan dan Kesejahteraan Rakyat');
    expect(kabag).toContain(ARAHAN.L2);
    expect(kabag).not.toContain('Koordinasikan dengan Bagian Kerjasama');
    await decide('L3', { arahan: ARAHAN.L3 });
    const kasubbag = box(await page(await linkOf('L4.1')));
    expect(kasubbag).toContain('Dari Hendra Gunawan, S.H., M.H. — Kepala Bagian Kerjasama');
    expect(kasubbag).toContain(ARAHAN.L3);

    // One Lembar Disposisi per disposisi step, the last carrying the chain: from whom, to whom, the arahan, the date,
    // and the incoming letter the pemohon named.
    const sheets = await eventually(async () => {
      const found = (await rt.app.documents.listByCase(caseId)).filter((d) => d.kind === 'lembar-disposisi');
      return found.length === 3 ? found.sort((a, b) => a.createdAt.localeCompare(b.createdAt)) : undefined;
    }, 60_000);
    const first = await pdfText(await rt.app.documents.read(sheets[0]!));
    expect(first).toContain('LEMBAR DISPOSISI');
    expect(first).toContain(`Nomor surat : ${SURAT_NOMOR}`);
    expect(first).toContain('Tanggal surat : 27 November 2026');
    expect(first).toMatch(/Disposisi 1 — dari Sekretaris Daerah, tanggal \d{1,2} Desember 2026/);
    expect(first).toContain('Asisten Pemerintahan dan Kesejahteraan Rakyat (Drs. Bambang Purnomo, M.AP.)');
    expect(first).toContain('Mohon dicermati dan diproses sesuai ketentuan.');
    expect(first).toContain('Ir. Siti Rahmawati, M.Si.');
    const last = await pdfText(await rt.app.documents.read(sheets[2]!));
    expect(last).toMatch(/Disposisi 3 — dari Kepala Bagian Kerjasama/);
    expect(last).toContain('Kepala Subbagian Kerjasama Dalam Negeri (Maya Sari, S.IP.)');
    expect(last).toContain(ARAHAN.L3);

    // The console's case page: each arahan on the timeline and in the history, for the staff; not for the pemohon.
    const staff = sessionFor(rt, PRINCIPALS.pelaksanaKota);
    const konsol = await web(rt, `/konsol/kasus/${caseId}`, { cookie: staff.cookie });
    expect(konsol.status).toBe(200);
    const linimasa = textOf(
      konsol.text.slice(konsol.text.indexOf('id="linimasa"'), konsol.text.indexOf('id="bagan-alur"')),
    );
    expect(linimasa).toContain(`Arahan kepada Kepala Bagian Kerjasama: ${ARAHAN.L2}`);
    expect(linimasa).toContain(`Arahan kepada Kepala Subbagian Kerjasama Dalam Negeri: ${ARAHAN.L3}`);
    expect(textOf(konsol.text.slice(konsol.text.indexOf('id="riwayat"')))).toContain(
      `Arahan kepada Kepala Bagian Kerjasama: ${ARAHAN.L2}`,
    );
    const pemohon = await web(rt, `/konsol/kasus/${caseId}`, { cookie: sessionFor(rt, PRINCIPALS.pemohonKota).cookie });
    expect(pemohon.status).toBe(200);
    expect(pemohon.text).not.toContain(ARAHAN.L2);
  }, 240_000);

  it('refuses a notulen for a meeting still to come, and one person as pimpinan and notulis, storing nothing', async () => {
    // L4 invites to the rapat koordinasi (L8) of next week; L5 and L6 go on as scripted.
    await decide('L4.1', {
      ...NASKAH,
      'rapat-tanggal': wibDate(7),
      'rapat-waktu': '13.30 WIB s.d. selesai',
      'rapat-tempat': 'Ruang Rapat Asisten Pemerintahan',
      'rapat-acara': 'Rapat koordinasi pembahasan draf naskah',
    });
    await driveCase({
      dataDir: rt.dataDir,
      caseId,
      pemohonEmail: PEMOHON.email,
      values: NASKAH,
      stopAt: 'L7',
      alreadyDone: () => true,
      timeoutMs: 120_000,
    });
    const link = await linkOf('L7');
    // The rapat teknis is another meeting than the one L4 invited to: nothing of it prefills this form.
    const form = await page(link);
    expect(form).toContain('name="f_rapat-tempat" value=""');
    expect(form).not.toContain('Ruang Rapat Asisten Pemerintahan');
    expect(form).toContain('data-format="daftar-hadir"');
    expect(form).toContain('data-jenis="pegawai"');

    const taskId = new URL(link).pathname.split('/')[2]!.split('.')[0]!;
    const before = {
      history: await rt.app.store.listHistory(caseId),
      data: (await rt.app.store.getCase(caseId))!.data,
      documents: (await rt.app.documents.listByCase(caseId)).length,
    };
    const notulen = {
      ...NASKAH,
      'rapat-waktu': '09.00 WIB s.d. selesai',
      'rapat-tempat': 'Ruang Rapat Bagian Kerjasama, Lantai 2',
      'rapat-acara': 'Rapat teknis pembahasan draf naskah Kesepakatan Bersama',
      'notulen-pembahasan': 'Ruang lingkup:\nDisepakati dua bidang kerja sama.',
      'notulen-kesimpulan': 'Draf disetujui dengan perbaikan.',
    };
    const post = (values: Record<string, string>) =>
      actOnLink(link, () => ({ pilihan: 'disepakati', values: { ...notulen, ...values } }), { dataDir: rt.dataDir });

    const future = wibDate(7);
    const early = await post({ 'rapat-tanggal': future });
    expect(early.status).toBe(400);
    expect(textOf(early.html)).toMatch(
      /Tanggal rapat teknis: rapat tanggal \d{1,2} \w+ 20\d\d belum diadakan \(hari ini \d{1,2} \w+ 20\d\d\); notulen hanya dapat dicatat setelah rapat berlangsung/,
    );
    // What was typed comes back.
    expect(early.html).toContain(`name="f_rapat-tanggal" value="${future}"`);

    const samePerson = await post({ 'rapat-tanggal': wibDate(-1), 'notulen-pencatat': 'kabag-ks' });
    expect(samePerson.status).toBe(400);
    expect(textOf(samePerson.html)).toContain(
      'Notulis: harus orang lain dari pimpinan rapat (Hendra Gunawan, S.H., M.H.)',
    );
    const badList = await post({
      'rapat-tanggal': wibDate(-1),
      'notulen-peserta': 'Hendra Gunawan\nMaya Sari | Kasubbag',
    });
    expect(badList.status).toBe(400);
    expect(textOf(badList.html)).toContain('Daftar hadir: baris 1 ("Hendra Gunawan") hanya berisi satu kolom');

    // Nothing stored: the task is open without a decision, the history, the case data and the documents unchanged.
    const task = await rt.app.store.getTask(taskId);
    expect(task?.state).toBe('open');
    expect(task?.decision).toBeUndefined();
    expect(await rt.app.store.listHistory(caseId)).toEqual(before.history);
    expect((await rt.app.store.getCase(caseId))!.data).toEqual(before.data);
    expect((await rt.app.documents.listByCase(caseId)).length).toBe(before.documents);

    // Held yesterday, chaired by the Kabag with the Analis as notulis: recorded, and the notulen is signed by both.
    const held = await post({ 'rapat-tanggal': wibDate(-1) });
    expect(held.status, textOf(held.html).slice(0, 400)).toBe(200);
    const record = await eventually(async () =>
      (await rt.app.documents.listByCase(caseId)).find((d) => d.kind === 'notulen-rapat'),
    );
    const text = await pdfText(await rt.app.documents.read(record));
    expect(text).toContain('Tempat : Ruang Rapat Bagian Kerjasama, Lantai 2');
    expect(text).toContain('Acara : Rapat teknis pembahasan draf naskah Kesepakatan Bersama');
    expect(text).not.toContain('Ruang Rapat Asisten Pemerintahan');
    expect(text).toContain('Pimpinan Rapat Kepala Bagian Kerjasama, Hendra Gunawan, S.H., M.H.');
    expect(text).toContain('Notulis Analis Kerja Sama, Rizky Pratama, S.Sos.');
    expect(text).toContain('Agus Salim, S.IP. Kepala Bagian Pemerintahan Sekretariat Daerah Kabupaten Sukamaju');

    // The rapat koordinasi's first round (L8) is the meeting L4 invited to: its form starts from that undangan.
    const l8 = await page(await linkOf('L8'));
    expect(l8).toContain('name="f_rapat-tempat" value="Ruang Rapat Asisten Pemerintahan"');
    expect(l8).toContain('name="f_rapat-waktu" value="13.30 WIB s.d. selesai"');
    expect(l8).toContain(`name="f_rapat-tanggal" value="${wibDate(7)}"`);
  }, 300_000);
});
