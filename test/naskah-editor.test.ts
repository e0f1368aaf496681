import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actOnLink, driveCase, parseTaskPage, submitPermohonan } from '../cli/drive.ts';
import { NASKAH_FACT } from '../core/naskah/versions.ts';
import { MITRA, NASKAH } from './support/kasus.ts';
import { eventually, PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';

/**
 * The pasal editor on a drafting step's task page (Kota SOP, L6), through HTTP as a browser without JavaScript
 * uses it: operations that come back edited, a conditional save, a stale save refused, a preview, and the konsep
 * rendered from exactly the saved version with the official's own words.
 */
async function pdfText(bytes: Uint8Array): Promise<string> {
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(bytes)), { mergePages: true });
  return text.replace(/\s+/g, ' ');
}

const OWN =
  'Kesepakatan Bersama ini menjadi pedoman PARA PIHAK untuk mengelola sampah regional secara terpadu, dari pemilahan di sumber sampai pengolahan akhir.';

describe('the pasal editor of a drafting step', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let link: string;
  let caseId: string;
  beforeAll(async () => {
    rt = await startTestRuntime();
    const { intakeId } = await submitPermohonan(
      rt,
      permohonanFor(
        rt,
        'kota-penyusunan-kesepakatan-bersama',
        { 'pihak-mitra': MITRA },
        'Kerja sama pengelolaan sampah',
      ),
    );
    caseId = intakeId;
    await eventually(async () => (await rt.app.store.getCase(caseId))?.cursor);
    const run = await driveCase({
      dataDir: rt.dataDir,
      caseId,
      pemohonEmail: PEMOHON.email,
      values: NASKAH,
      stopAt: 'L6',
    });
    link = run.stoppedAt!.link;
  }, 120_000);
  afterAll(async () => rt?.cleanup());

  const post = async (url: string, fields: Record<string, string>) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(url).origin },
      body: new URLSearchParams(fields).toString(),
    });
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? '',
      body: new Uint8Array(await res.arrayBuffer()),
    };
  };
  const html = (b: Uint8Array) => new TextDecoder().decode(b);
  const versions = async () => (await rt.app.store.listHistory(caseId)).filter((e) => e.type === NASKAH_FACT);

  it('starts from the outline filled with the case, edits without JavaScript, saves once, refuses a stale save', async () => {
    const page = await (await fetch(link)).text();
    expect(page).toContain('id="editor-naskah"');
    let form = parseTaskPage(page);
    // Version 0: the outline of the Kesepakatan Bersama filled with the case (the partner named, blanks none).
    expect(form.naskah['n_versi']).toBe('0');
    expect(form.naskah['n_urutan']).toBe(
      'maksud-tujuan,ruang-lingkup,pelaksanaan,jangka-waktu,penghubung,perubahan,penutup',
    );
    expect(form.naskah['n_ayat_penghubung_penghubung-2']).toContain(MITRA);

    // Insert a pasal after Pasal 2: the page comes back with it as Pasal 3, nothing stored.
    const inserted = await post(`${link}/naskah`, { ...form.naskah, naskah_op: 'tambah-pasal:ruang-lingkup' });
    expect(inserted.status).toBe(200);
    form = parseTaskPage(html(inserted.body));
    const order = form.naskah['n_urutan']!.split(',');
    expect(order).toHaveLength(8);
    expect(order.slice(0, 2)).toEqual(['maksud-tujuan', 'ruang-lingkup']);
    const fresh = order[2]!;
    expect(fresh).toMatch(/^p-[0-9a-f]{8}$/);
    expect(html(inserted.body)).toContain('Pasal 3');
    expect(await versions()).toHaveLength(0);

    // Move the new pasal down and back up: the order follows.
    const down = parseTaskPage(
      html((await post(`${link}/naskah`, { ...form.naskah, naskah_op: `turun-pasal:${fresh}` })).body),
    );
    expect(down.naskah['n_urutan']!.split(',')[3]).toBe(fresh);

    // Saving with an empty new pasal is refused, naming it; nothing stored.
    const empty = await post(`${link}/naskah`, form.naskah);
    expect(empty.status).toBe(400);
    expect(html(empty.body)).toContain('Pasal 3, judul wajib diisi');
    expect(await versions()).toHaveLength(0);

    // The official's own words, saved as version 1.
    const ayatFresh = form.naskah[`n_urutan_${fresh}`]!;
    const edited = {
      ...form.naskah,
      'n_ayat_maksud-tujuan_maksud-tujuan-1': OWN,
      [`n_judul_${fresh}`]: 'Pembagian Tugas',
      [`n_ayat_${fresh}_${ayatFresh}`]:
        'PARA PIHAK membagi tugas sebagai berikut:\nPIHAK KESATU menyediakan lahan;\nPIHAK KEDUA menyediakan armada angkut.',
    };
    const saved = await post(`${link}/naskah`, edited);
    expect(saved.status).toBe(200);
    expect(html(saved.body)).toContain('Konsep tersimpan sebagai versi 1.');
    expect(parseTaskPage(html(saved.body)).naskah['n_versi']).toBe('1');
    expect(await versions()).toHaveLength(1);

    // The same save again (a double click) stores nothing new.
    const again = await post(`${link}/naskah`, { ...edited, n_versi: '1' });
    expect(html(again.body)).toContain('Tidak ada perubahan: konsep tetap versi 1.');
    expect(await versions()).toHaveLength(1);

    // A save edited from version 0 after version 1 exists is stale: refused, the latest shown, the typed words kept.
    const stale = await post(`${link}/naskah`, {
      ...edited,
      n_versi: '0',
      'n_ayat_perubahan_perubahan-1': 'Teks lain.',
    });
    expect(stale.status).toBe(409);
    const stalePage = html(stale.body);
    expect(stalePage).toContain('sudah diubah oleh');
    expect(stalePage).toContain('Teks lain.');
    expect(parseTaskPage(stalePage).naskah['n_versi']).toBe('1');
    expect(await versions()).toHaveLength(1);

    // The preview renders the posted words as the konsep prints them.
    // The preview shows the posted words as the konsep prints them: its pages as images (a phone shows them).
    const invoked = rt.renderInvocations.length;
    const preview = await post(`${link}/naskah/pratinjau`, edited);
    expect(preview.status).toBe(200);
    // Rendered and drawn by the render function (the http function has no Chromium in AWS).
    expect(rt.renderInvocations.slice(invoked)).toEqual(['render', 'pageImages']);
    expect(preview.type).toMatch(/^text\/html/);
    const previewPage = html(preview.body);
    const images = [...previewPage.matchAll(/<img src="data:image\/png;base64,([^"]+)"/g)].map((m) =>
      Buffer.from(m[1]!.replaceAll('&#x3D;', '='), 'base64'),
    );
    expect(images.length).toBeGreaterThan(0);
    for (const png of images) expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    // The same content rendered as the konsep PDF: the words as posted, and as many pages as images.
    const record = (await rt.app.store.getCase(caseId))!;
    const posted = rt.app.drafts.fromForm(edited, 'kesepakatan-bersama')!;
    const rendered = await rt.app.documentWork.preview(record, posted.content);
    expect(rendered.pages).toBe(images.length);
    const previewText = await pdfText(rendered.pdf);
    expect(previewText).toContain('KONSEP');
    expect(previewText).toContain('PEMBAGIAN TUGAS');
    expect(await versions()).toHaveLength(1);
  }, 120_000);

  it("renders the konsep from exactly the saved version, with the official's words unchanged", async () => {
    const result = await actOnLink(link, (f) => ({ pilihan: f.choices[0]!, values: NASKAH }), { dataDir: rt.dataDir });
    expect(result.status).toBe(200);
    const decided = (await rt.app.store.listHistory(caseId)).find(
      (e) => e.type === 'tugas-diputuskan' && e.node === 'L6',
    );
    expect(decided).toBeDefined();
    const konsep = await eventually(async () =>
      (await rt.app.documents.listByCase(caseId)).find((d) => d.kind === 'konsep-naskah'),
    );
    expect(konsep.meta?.versiNaskah).toBe(1);
    const text = await pdfText(await rt.app.documents.read(konsep));
    expect(text).toContain(OWN);
    expect(text).not.toContain('Maksud Kesepakatan Bersama ini adalah');
    expect(text).toContain('a. PIHAK KESATU menyediakan lahan;');
    expect(text).toMatch(/Pasal 3 PEMBAGIAN TUGAS/);
  }, 120_000);

  it('shows the next reviewer what changed since the version before, marked word by word, and prints it', async () => {
    const drive = (stopAt: string) =>
      driveCase({
        dataDir: rt.dataDir,
        caseId,
        pemohonEmail: PEMOHON.email,
        values: NASKAH,
        stopAt,
        alreadyDone: () => true,
      });
    const l7 = (await drive('L7')).stoppedAt!.link;
    // At L7 the Kasubbag changes one word of Pasal 1 and inserts a pasal after it.
    const page7 = parseTaskPage(await (await fetch(l7)).text());
    const inserted = parseTaskPage(
      new TextDecoder().decode(
        (await post(`${l7}/naskah`, { ...page7.naskah, naskah_op: 'tambah-pasal:maksud-tujuan' })).body,
      ),
    );
    const fresh = inserted.naskah['n_urutan']!.split(',')[1]!;
    const l7result = await actOnLink(
      l7,
      (f) => ({
        pilihan: f.choices.find((c) => c !== 'ulangi') ?? f.choices[0]!,
        values: NASKAH,
        naskah: {
          ...inserted.naskah,
          'n_ayat_maksud-tujuan_maksud-tujuan-1': OWN.replace('secara terpadu', 'secara menyeluruh'),
          [`n_judul_${fresh}`]: 'Tim Teknis',
          [`n_ayat_${fresh}_${inserted.naskah[`n_urutan_${fresh}`]}`]: 'PARA PIHAK membentuk tim teknis bersama.',
        },
      }),
      { dataDir: rt.dataDir },
    );
    expect(l7result.status).toBe(200);
    // The Kabag at L8 never acted on the naskah: the page compares the latest with the version before it.
    const l8 = (await drive('L8')).stoppedAt!.link;
    const page8 = await (await fetch(l8)).text();
    const section = page8.slice(page8.indexOf('id="perubahan-naskah"'));
    expect(section).toContain('<del');
    expect(section).toMatch(/<del[^>]*>[^<]*terpadu[^<]*<\/del>/);
    expect(section).toMatch(/<ins[^>]*>[^<]*menyeluruh[^<]*<\/ins>/);
    expect(section).toContain('Tim Teknis');
    // The printable form of the same comparison.
    const invoked = rt.renderInvocations.length;
    const sheet = await post(`${l8}/naskah/perbandingan`, {});
    expect(sheet.status).toBe(200);
    // Printed by the render function (the http function has no Chromium in AWS).
    expect(rt.renderInvocations.slice(invoked)).toEqual(['printExport']);
    expect(sheet.type).toBe('application/pdf');
    const text = await pdfText(sheet.body);
    expect(text).toContain('menyeluruh');
    expect(text).toMatch(/Tim Teknis|TIM TEKNIS/);
  }, 180_000);
});
