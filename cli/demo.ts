import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { startRuntime, PROJECT_ROOT, type LocalRuntime } from '../local/runtime.ts';
import { readMailbox } from '../local/ses/local-ses.ts';
import { driveCase, samplePdf, submitPermohonan } from './drive.ts';
import { genericScenario, type Scenario } from './scenario.ts';
import { loadTimeline, printTimeline } from './print-timeline.ts';

/**
 * `npm run demo`: a fresh local runtime in a temporary data directory, then each seed SOP end to end with scripted
 * people who use only the public paths (the intake API and presigned uploads; emailed links, the task page and
 * its form). After each case: its timeline against the Mutu Baku, its outcome and the emails it sent.
 * `--simpan` keeps the data directory for inspection (`npm run sepakat -- ... --data-dir <dir>`).
 *
 * `--sop <file or id>` drives any SOP instead, with no code of its own: a permohonan filled from the SOP's intake
 * (sample values, sample PDFs), every decision taking its first forward choice, and one return where the SOP has one
 * (the first activity offering "kembalikan" or "ulangi" takes it once, then goes forward).
 */

const pdf = (slot: string, title: string) => ({ slot, name: `${slot}.pdf`, bytes: samplePdf(title) });

const SCENARIOS: Scenario[] = [
  {
    judul: 'Kota: Penyusunan Naskah Kesepakatan Bersama (rapat teknis diulang, konsep dikembalikan ke pengusul)',
    permohonan: {
      sopId: 'kota-penyusunan-kesepakatan-bersama',
      perihal: 'Kesepakatan Bersama tentang penyelenggaraan pemerintahan dan pelayanan publik',
      pemohon: { nama: 'Drs. Joko Susilo', email: 'kerjasama@kab-mitra.test', instansi: 'Pemerintah Kabupaten Mitra' },
      data: {
        'pihak-mitra': 'Pemerintah Kabupaten Mitra',
        perihal: 'Penyelenggaraan pemerintahan dan pelayanan publik',
        'jenis-kerja-sama': 'KSDD',
      },
      files: [pdf('surat-permohonan', 'Surat permohonan Kesepakatan Bersama')],
    },
    script: { L7: ['ulangi', 'disepakati'], L9: ['tidak', 'ya'] },
    expected: 'selesai',
  },
  {
    judul: 'Kabupaten Blitar: Pengkoordinasian Nota Kesepakatan (berkas dikembalikan di langkah 1)',
    permohonan: {
      sopId: 'blitar-pengkoordinasian-nota-kesepakatan',
      perihal: 'Nota Kesepakatan pengembangan pariwisata kawasan Penataran',
      pemohon: {
        nama: 'Ir. Sri Wahyuni, M.T.',
        email: 'dinas.pariwisata@kediri.test',
        instansi: 'Pemerintah Kabupaten Kediri',
      },
      data: {
        'pihak-mitra': 'Pemerintah Kabupaten Kediri',
        'perangkat-daerah': 'Dinas Kebudayaan dan Pariwisata',
        perihal: 'Pengembangan pariwisata kawasan Penataran',
        'jenis-kerja-sama': 'KSDD',
      },
      files: [
        pdf('surat-permohonan', 'Surat permohonan Nota Kesepakatan'),
        pdf('draf-naskah', 'Draf Naskah Nota Kesepakatan'),
      ],
    },
    script: { L1: ['tidak-lengkap', 'lengkap'] },
    expected: 'selesai',
  },
  {
    judul: 'Kota Bandung: Kerjasama Teknik Luar Negeri (sampai selesai)',
    permohonan: {
      sopId: 'bandung-kerjasama-teknik-luar-negeri',
      perihal: 'Kerja sama teknik pengelolaan sampah kota',
      pemohon: { nama: 'Mr. Kenji Watanabe', email: 'international@kawasaki.test', instansi: 'Kawasaki City' },
      data: {
        'pihak-mitra': 'Kawasaki City',
        'negara-mitra': 'Jepang',
        perihal: 'Pengelolaan sampah kota',
        'jenis-kerja-sama': 'KSDPL',
      },
      files: [pdf('surat-permohonan', 'Letter of intent'), pdf('proposal', 'Kerangka acuan kerja sama teknik')],
    },
    script: {},
    expected: 'selesai',
  },
  {
    judul: 'Kota Bandung: Kerjasama Teknik Luar Negeri (DPRD tidak menyetujui di langkah 12)',
    permohonan: {
      sopId: 'bandung-kerjasama-teknik-luar-negeri',
      perihal: 'Kerja sama teknik transportasi massal',
      pemohon: { nama: 'Ms. Anna Schmidt', email: 'partnerschaft@braunschweig.test', instansi: 'Stadt Braunschweig' },
      data: {
        'pihak-mitra': 'Stadt Braunschweig',
        'negara-mitra': 'Jerman',
        perihal: 'Transportasi massal',
        'jenis-kerja-sama': 'KSDPL',
      },
      files: [pdf('surat-permohonan', 'Letter of intent')],
    },
    // L12 is a chain: its third link (L12.3) records the DPRD's decision.
    script: { 'L12.3': ['tidak-disetujui'] },
    expected: 'ditolak',
  },
];

async function waitForCase(rt: LocalRuntime, caseId: string, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const record = await rt.app.store.getCase(caseId);
    if (record?.cursor || (record && record.status !== 'aktif')) return;
    if (performance.now() > deadline)
      throw new Error(`permohonan ${caseId} tidak menjadi kasus dalam ${timeoutMs / 1000} detik`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function runScenario(rt: LocalRuntime, scenario: Scenario, index: number): Promise<void> {
  const started = performance.now();
  console.log('');
  console.log('='.repeat(100));
  console.log(`Kasus ${index + 1}: ${scenario.judul}`);
  console.log('='.repeat(100));
  const { intakeId } = await submitPermohonan(rt, scenario.permohonan);
  const caseId = intakeId;
  await waitForCase(rt, caseId);
  console.log(`Permohonan diterima: kasus ${caseId} (${scenario.permohonan.sopId})`);
  const result = await driveCase({
    dataDir: rt.dataDir,
    caseId,
    pemohonEmail: scenario.permohonan.pemohon.email,
    script: scenario.script,
    timeoutMs: 120_000,
  });
  // The pemohon is told the outcome first; the case summary closes right after.
  for (let i = 0; i < 200 && (await rt.app.store.getCase(caseId))?.status === 'aktif'; i++)
    await new Promise((r) => setTimeout(r, 25));
  console.log(`Tindakan (${result.acted.length}): ${result.acted.map((a) => `${a.node}:${a.choice}`).join(' ')}`);
  console.log('');
  const timeline = await loadTimeline(rt.app, caseId, rt.app.runtimeClock.now());
  if (!timeline) throw new Error(`kasus ${caseId} tidak ditemukan setelah berjalan`);
  printTimeline(timeline);
  const history = await rt.app.store.listHistory(caseId);
  const recorded = history.filter((e) => e.type === 'email-terkirim').length;
  const mailbox = (await readMailbox(rt.dataDir)).filter((m) => m.text?.includes(caseId)).length;
  console.log('');
  console.log(
    `Hasil: ${result.outcome} (diharapkan ${scenario.expected}); email terkirim: ${recorded} (tercatat di riwayat; ${mailbox} di kotak surat lokal menyebut kasus ini); ${((performance.now() - started) / 1000).toFixed(1)} detik`,
  );
  if (result.outcome !== scenario.expected)
    throw new Error(`kasus ${caseId} berakhir ${result.outcome}, bukan ${scenario.expected}`);
  if (timeline.outcome !== scenario.expected)
    throw new Error(`linimasa kasus ${caseId} mencatat hasil ${timeline.outcome ?? '-'}`);
}

/** `--sop <file or id>`: the SOP's id, and a directory holding the file when a file is given. */
function sopArgument(): { id: string; dir?: string } | undefined {
  const at = process.argv.indexOf('--sop');
  if (at < 0) return undefined;
  const value = process.argv[at + 1];
  if (!value) throw new Error('--sop membutuhkan berkas SOP atau id SOP');
  if (!existsSync(value)) return { id: value };
  const dir = mkdtempSync(join(tmpdir(), 'sepakat-demo-sop-'));
  copyFileSync(value, join(dir, basename(value)));
  const id = (parseYaml(readFileSync(value, 'utf8')) as { id?: unknown })?.id;
  if (typeof id !== 'string') throw new Error(`${value}: SOP tanpa id`);
  return { id, dir };
}

async function main(): Promise<number> {
  const keep = process.argv.includes('--simpan');
  const chosen = sopArgument();
  const dataDir = mkdtempSync(join(tmpdir(), 'sepakat-demo-'));
  console.log(`Demo Sepakat: runtime lokal baru di ${dataDir}`);
  let rt: LocalRuntime | undefined;
  let code = 0;
  try {
    rt = await startRuntime({
      dataDir,
      port: 0,
      sopDirs: [join(PROJECT_ROOT, 'sops'), ...(chosen?.dir ? [chosen.dir] : [])],
      log: (l) => console.log(`[runtime] ${l}`),
    });
    const runtime = rt;
    const scenarios = chosen ? [genericScenario(runtime.app.catalog.sops.latest(chosen.id))] : SCENARIOS;
    for (const [i, scenario] of scenarios.entries()) await runScenario(runtime, scenario, i);
    const mails = await readMailbox(dataDir);
    console.log('');
    console.log(
      `Demo selesai: ${scenarios.length} kasus berjalan sesuai harapan; ${mails.length} email di kotak surat lokal.`,
    );
  } catch (error) {
    console.error(`\nDemo gagal: ${(error as Error)?.stack ?? String(error)}`);
    code = 1;
  } finally {
    if (rt) await rt.close().catch((error: unknown) => console.error(`Runtime gagal ditutup: ${String(error)}`));
    if (keep) console.log(`Data demo disimpan di ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
    if (chosen?.dir) rmSync(chosen.dir, { recursive: true, force: true });
  }
  return code;
}

const code = await main();
await new Promise<void>((ok) => process.stdout.write('', () => ok()));
process.exit(code);
