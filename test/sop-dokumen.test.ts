import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli/sepakat.ts';
import { printSopDocument } from '../core/documents/sop-document.ts';
import { TIDAK_TERCANTUM } from '../core/documents/sop.ts';
import type { Sop } from '../core/sop/load-sop.ts';
import { isGate, type SopDefinition } from '../core/sop/schema.ts';
import { loadCatalog, type Catalog } from '../functions/adapters/catalog.ts';
import { createRenderer, type Renderer } from '../functions/render/renderer.ts';
import { PROJECT_ROOT } from '../local/runtime.ts';
import { PRINCIPALS, sessionFor, web } from './support/console.ts';
import { FIXTURE_SOPS, SEED_SOPS, startTestRuntime } from './support/runtime.ts';
import { scratchKeys } from './support/render-scratch.ts';

/**
 * The SOP AP document of every SOP in sops/ and the fixtures, read back from the PDF: its header, every step number,
 * the marks of the product's readings, no "-" for a header field the source lacks, and no total the source does not
 * state unless said to be computed. Then the console's SOP pages and the CLI, which serve the same document.
 */

async function pdfText(pdf: Uint8Array): Promise<string> {
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(pdf)), { mergePages: true });
  return text.replace(/\s+/g, ' ');
}

const catalog: Catalog = loadCatalog({ sopDirs: [SEED_SOPS, FIXTURE_SOPS], configDir: join(PROJECT_ROOT, 'config') });
const steps = (def: SopDefinition) => def.steps.filter((s) => !isGate(s));
const allChoices = (def: SopDefinition) =>
  steps(def).flatMap((s) => (isGate(s) ? [] : [...(s.choices ?? []), ...(s.chain ?? []).flatMap((l) => l.choices)]));

describe('the SOP AP document of each SOP, read back from its PDF', () => {
  let renderer: Renderer;
  const texts = new Map<string, string>();
  beforeAll(async () => {
    renderer = createRenderer({ maxConcurrency: 2 });
    for (const sop of catalog.sops.all()) {
      const printed = await printSopDocument(
        { directory: (id) => catalog.pemda(id).directory.data, renderer: () => renderer },
        sop.definition,
      );
      expect(printed.paper).toBe(catalog.pemda(sop.definition.pemda).directory.data.pemda.dokumen.kertas);
      texts.set(sop.definition.id, await pdfText(printed.pdf));
    }
  }, 180_000);
  afterAll(async () => renderer?.close());

  const sops = catalog.sops.all().map((s): [string, Sop] => [s.definition.id, s]);

  it.each(sops)('%s: header, every step number and its readings marked', (id, sop) => {
    const def = sop.definition;
    const text = texts.get(id)!;
    expect(text).toContain(def.header.nama);
    for (const line of def.header.unit) expect(text).toContain(line);
    // Every step's own number, and the gates' where the SOP gives one.
    for (const node of def.steps) if (node.no) expect(text).toContain(node.no);
    // A header field the source lacks says so; never a lone "-".
    const h = def.header;
    const missing = [h.nomor, h.tanggalPembuatan, h.tanggalRevisi, h.tanggalEfektif, h.disahkanOleh].some((v) => !v);
    if (missing) expect(text).toContain(TIDAK_TERCANTUM);
    if (h.nomor) expect(text).toContain(h.nomor);
    expect(text).not.toMatch(/(Nomor SOP|Tanggal Pembuatan|Tanggal Revisi|Tanggal Efektif|Disahkan oleh) - /);
    // The product's readings: marked in their rows and explained in the notes at the end.
    const reconstructed = steps(def).filter((s) => !isGate(s) && s.reconstructed).length;
    const added = allChoices(def).filter((c) => c.ditambahkan).length;
    expect(text.split('Langkah disusun Sepakat').length - 1).toBe(reconstructed);
    expect(text.split('Keputusan ditambahkan Sepakat').length - 1).toBe(added);
    if (reconstructed || added) expect(text).toContain('Catatan pembacaan Sepakat');
    // A total is the source's as stated, or says it is computed.
    if (def.totalWaktu) {
      expect(text).toContain(`Total Waktu ${def.totalWaktu}`);
      expect(text).not.toContain('dihitung Sepakat');
    } else if (steps(def).some((s) => !isGate(s) && s.waktu)) {
      expect(text).toMatch(/Total Waktu \[\d+\] [^()]+ \(dihitung Sepakat\)/);
    } else {
      expect(text).not.toContain('Total Waktu');
    }
  });

  it('marks what the seeds do not say: Blitar steps 1–4, lanes and total; Kota number; Bandung lanes and refusals', () => {
    const blitar = texts.get('blitar-pengkoordinasian-nota-kesepakatan')!;
    expect(blitar).toContain('Pihak lain (bacaan Sepakat)');
    expect(blitar).toMatch(
      /Lajur Asisten Pemerintahan dan Kesra; Sekretaris Daerah; Bupati Blitar bukan kolom Pelaksana/,
    );
    // "3-5 Hari" twice: a range, in working days, never "15 hari".
    expect(blitar).toContain('15–19 hari kerja (dihitung Sepakat)');
    expect(blitar).toContain('tanpa langkah 1, 2, 3, 4 yang tidak memiliki Waktu');
    expect(blitar).toContain('Pilihan "Tidak layak ditindaklanjuti" (ditolak, menuju "Ditolak") oleh Tim Koordinasi');
    const kota = texts.get('kota-penyusunan-kesepakatan-bersama')!;
    expect(kota).toContain('Pengambilan nomor dilakukan Sepakat pada langkah 12; sumber melakukannya pada langkah 14.');
    expect(kota).toContain('Tindakan dipindahkan Sepakat');
    expect(kota).toMatch(
      /Lajur Walikota; Pihak Pengusul .*; Bagian Hukum dan Perundang-Undangan bukan kolom Pelaksana/,
    );
    expect(kota).toContain(`Nomor SOP ${TIDAK_TERCANTUM}`);
    const bandung = texts.get('bandung-kerjasama-teknik-luar-negeri')!;
    expect(bandung).toContain('Sumber tidak memuat kolom Pelaksana');
    expect(bandung).toContain('Pelaksana (bacaan Sepakat)');
    for (const party of ['Badan Pemeriksa Keuangan (BPK)', 'Direktorat Jenderal Pengelolaan Utang'])
      expect(bandung).toContain(party);
    // The fixture is written in the product's format: its lanes are its own and no row is marked; only its total,
    // which it does not state, is computed and noted.
    const fixture = texts.get('fixture-kerja-sama-pihak-ketiga')!;
    expect(fixture).not.toContain('(bacaan Sepakat)');
    expect(fixture).not.toMatch(/\[\d+\] (Langkah|Pelaksana|Keputusan|Tindakan) /);
    expect(fixture).toContain('6 hari kerja, 44 hari kalender, 180 menit (dihitung Sepakat)');
  });
});

describe('the SOPs in the console and the CLI', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  beforeAll(async () => {
    rt = await startTestRuntime();
  }, 120_000);
  afterAll(async () => rt?.cleanup());

  const BLITAR = 'blitar-pengkoordinasian-nota-kesepakatan';

  it('lists the pemda’s SOPs and versions and opens one: swimlane, marks, total, PDF and ASL', async () => {
    const { cookie } = sessionFor(rt, PRINCIPALS.pelaksanaBlitar);
    const list = await web(rt, '/konsol/sop', { cookie });
    expect(list.status).toBe(200);
    expect(list.text).toContain(`data-sop="${BLITAR}" data-versi="1"`);
    expect(list.text).not.toContain('kota-penyusunan-kesepakatan-bersama');
    expect(list.text).toContain('<a href="/konsol/sop">SOP</a>');

    const page = await web(rt, `/konsol/sop/lihat?id=${BLITAR}&versi=1`, { cookie });
    expect(page.status).toBe(200);
    expect(page.text).toContain('id="bagan-alur"');
    expect(page.text).toContain('[2] Langkah disusun Sepakat');
    expect(page.text).toContain('Catatan pembacaan Sepakat');
    expect(page.text).toContain('15–19 hari kerja (dihitung Sepakat)');
    expect(page.text).toContain('class="lajur-sepakat"');

    const scratch = () => scratchKeys(rt);
    const before = await scratch();
    const invoked = rt.renderInvocations.length;
    const pdf = await fetch(`${rt.urls.web}/konsol/sop/dokumen.pdf?id=${BLITAR}&versi=1`, { headers: { cookie } });
    expect(pdf.status).toBe(200);
    // Rendered by the render function, the PDF back in its answer: a GET writes no scratch object.
    expect(rt.renderInvocations.slice(invoked)).toEqual(['render']);
    expect(await scratch()).toEqual(before);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const text = await pdfText(new Uint8Array(await pdf.arrayBuffer()));
    expect(text).toContain('T/900.04.03/2/409.1.1/SOP AP/2026');
    expect(text).toContain('Keputusan ditambahkan Sepakat');

    const asl = await fetch(`${rt.urls.web}/konsol/sop/asl.json?id=${BLITAR}`, { headers: { cookie } });
    expect(asl.status).toBe(200);
    const machine = (await asl.json()) as { StartAt: string; States: Record<string, unknown> };
    expect(Object.keys(machine.States).length).toBeGreaterThan(13);
    expect(machine.States[machine.StartAt]).toBeDefined();
  }, 120_000);

  it('answers another pemda’s SOP, an unknown version and a pemohon as it answers an unknown SOP', async () => {
    const { cookie } = sessionFor(rt, PRINCIPALS.pelaksanaKota);
    expect((await web(rt, `/konsol/sop/lihat?id=${BLITAR}`, { cookie })).status).toBe(404);
    expect((await web(rt, `/konsol/sop/dokumen.pdf?id=${BLITAR}`, { cookie })).status).toBe(404);
    const blitar = sessionFor(rt, PRINCIPALS.pelaksanaBlitar).cookie;
    expect((await web(rt, `/konsol/sop/lihat?id=${BLITAR}&versi=9`, { cookie: blitar })).status).toBe(404);
    const bad = await web(rt, `/konsol/sop/lihat?id=${BLITAR}&versi=satu`, { cookie: blitar });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Isian &quot;versi&quot; harus nomor versi SOP');
    const pemohon = sessionFor(rt, PRINCIPALS.pemohonKota).cookie;
    expect((await web(rt, '/konsol/sop', { cookie: pemohon })).status).toBe(403);
  });

  it('writes the PDF from the CLI: sop dokumen <id> --pdf <file>', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sepakat-sop-')), 'kota.pdf');
    const lines: string[] = [];
    const args = ['sop', 'dokumen', 'kota-penyusunan-kesepakatan-bersama', '--versi', '1', '--pdf', file];
    expect(await main(args, (l) => lines.push(l))).toBe(0);
    // The Kota prints on A4 (config/pemda/kota-contoh.yaml has no dokumen.kertas).
    expect(lines.join('\n')).toContain('kertas A4');
    const text = await pdfText(readFileSync(file));
    expect(text).toContain('SOP Penyusunan Naskah Kesepakatan Bersama');
    expect(text).toContain('Total Waktu 21 hari, 135 menit');
    expect(await main(['sop', 'dokumen', 'tidak-ada', '--pdf', file])).toBe(1);
  }, 60_000);
});
