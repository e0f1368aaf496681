import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { parse as parseYaml, parseDocument, type Document } from 'yaml';
import type { CaseStatus, TaskRecord } from '../core/case/model.ts';
import { formatWaktuSingkat } from '../core/format/tanggal.ts';
import { REGISTER_STATUSES, STATUS_LABEL, type RegisterStatus } from '../core/register/numbering.ts';
import type { App } from '../functions/app.ts';
import type { DocumentRecord } from '../functions/adapters/document-store.ts';
import type { Archive, ArchivedCopies } from '../core/documents/archive-search.ts';
import type { TaskForm } from './drive.ts';
import { firstText, innerOf, startTags, textOf } from './page-reading.ts';
import { formatTable, loadTimeline, potong, printTimeline } from './print-timeline.ts';
import { LOCAL_KEY_FILES } from '../local/local-keys.ts';
import { parseCaseNumber } from '../core/case/case-number.ts';

/**
 * The operator CLI of the local runtime: `npm run sepakat -- <perintah>`. It reads `<data-dir>/runtime.json`
 * (written by the running runtime) for the endpoints and the configuration, and talks to the local services
 * with the same AWS SDK clients the Lambdas use. Acting on a task goes through the public path, as a browser.
 * The AWS SDK and the mail parser load only when a command needs them, so a wrong argument answers at once.
 */

const USAGE = `Pemakaian: npm run sepakat -- <perintah> [pilihan] [--data-dir DIR]

Perintah:
  kasus [--status aktif|selesai|ditolak|dibatalkan]   daftar kasus
  tugas [--kasus ID]                                  tugas yang masih terbuka
  linimasa <ID-kasus>                                 linimasa kasus terhadap Mutu Baku
  bertindak <tautan> --pilihan X [--catatan "…"] [--isian kunci=nilai ...]
                                                      bertindak atas tugas melalui tautannya (seperti peramban)
  surat [--ke email]                                  email yang tersimpan di kotak surat lokal
  register --pemda ID --tahun YYYY [--seri ID] [--status S] [--csv berkas] [--pdf berkas]
                                                      buku register kerja sama: tabel, atau ekspor ke CSV/PDF
  arsip cari [--pemda ID] [--nomor N] [--mitra teks] [--perihal teks] [--tahun YYYY] [--status S]
                                                      cari naskah di arsip beserta salinan tersimpannya
                                                      (tanpa --tahun: tahun ini dan 4 tahun sebelumnya)
  arsip unduh <ID-dokumen> --oleh "Nama" [--peran "…"] [--alasan "…"]
                                                      tautan unduhan berumur pendek (5 menit); unduhan dicatat
  arsip riwayat <ID-dokumen>                          siapa mengunduh dokumen itu, kapan dan untuk apa
  lanjutkan <ID-kasus>                                melanjutkan kasus di langkahnya (setelah kerja otomatis
                                                      yang gagal diperbaiki); yang sudah dikerjakan tidak diulang
  sapu                                                kasus aktif tanpa eksekusi yang berjalan dilanjutkan di
                                                      langkahnya (yang berhenti karena kerja otomatis gagal
                                                      menunggu perbaikan lalu lanjutkan); mencetak jumlahnya
  batalkan <ID-kasus> --alasan "…"                    membatalkan kasus: tugas terbuka dihentikan, pemohon dan
                                                      pemegang tugas diberi tahu; dokumen tetap tersimpan
  muat-ulang                                           runtime yang berjalan memuat ulang SOP (versi baru) dan
                                                      konfigurasi pemda setelah lolos semua pemeriksaan muat;
                                                      berkas yang gagal tidak mengubah apa pun (di AWS: deploy
                                                      stack tanpa status)
  pindah-versi <ID-kasus> <versi> --alasan "…" [--langkah L]
                                                      memindahkan kasus terbuka ke versi SOP yang lebih baru pada
                                                      langkah yang sama (atau langkah L); dokumen, nomor, paraf dan
                                                      riwayat tetap; tugas lama dihentikan, tugas baru dikirim
  kalender impor <berkas.json>                        impor libur nasional dan cuti bersama satu tahun (format
                                                      config/calendar/2026.json); batas waktu perkiraan dihitung ulang
  perjanjian <ID-pemda>                               perjanjian yang terdaftar: status, jangka waktu, tautan
                                                      (induk, adendum) dan kewajiban berikutnya
  kms-buat [--jenis ECC_NIST_P256|RSA_2048] [--keterangan "…"]
                                                      membuat kunci tanda tangan di KMS lokal (bertag
                                                      sepakat:tujuan=tanda-tangan) dan mencetak ID-nya
  kms-csr <ID-kunci-KMS> --nama "…" --jabatan "…" [--nip N] [--instansi "…"] [--keluaran berkas.csr] [--region R]
                                                      permintaan sertifikat (CSR PKCS#10) untuk kunci KMS,
                                                      ditandatangani melalui KMS Sign; diterbitkan oleh CA pemda
  kms-pasang <ID-pemda> <ID-orang|segel> <ID-kunci-KMS> --sertifikat terbit.pem [--rantai rantai.pem]
             [--config DIR] [--region R]
                                                      memeriksa sertifikat terhadap kunci publik KMS, lalu menulis
                                                      rantainya ke config/sertifikat/<pemda>/<orang>.pem dan
                                                      tandaTangan.kms.<orang> ke config/pemda/<pemda>.yaml
  sop periksa <berkas> [--pemda ID] [--config DIR]    menjalankan semua pemeriksaan SOP tanpa menjalankan apa pun
                                                      (alur, nomor, gerbang, direktori pemda); kode keluar 1 bila
                                                      ada masalah
  sop dokumen <ID-SOP> [--versi N] --pdf berkas        dokumen SOP AP (kepala dan bagan alur, kertas pemda) ke
                                                      PDF; tidak memerlukan runtime yang berjalan
  bantuan                                             tampilkan pesan ini

--data-dir DIR   direktori data runtime lokal (bawaan: .sepakat)
Tanpa --region, perintah kms-* memakai KMS lokal dari \`npm start\` yang berjalan; dengan --region, AWS KMS di
region itu (kredensial AWS dari lingkungan). --config bawaan: ./config.`;

/**
 * `sop dokumen <id> [--versi N] --pdf <file>`: the SOP AP document of an SOP version, as the console serves it
 * (core/documents/sop-document.ts), from the SOPs and configuration of this checkout; no runtime needed.
 */
async function sopPerintah(
  args: readonly string[],
  versi: string | undefined,
  pdf: string | undefined,
  out: (l: string) => void,
) {
  const [sub, id] = args;
  if (sub !== 'dokumen')
    throw salahPerintah(`Subperintah sop "${sub ?? ''}" tidak dikenal; yang ada: periksa, dokumen.`);
  if (!id) throw salahPerintah('Sebutkan ID SOP, misalnya kota-penyusunan-kesepakatan-bersama.');
  if (!pdf) throw salahPerintah('Sebutkan berkas keluaran dengan --pdf <berkas>.');
  if (versi !== undefined && !/^[1-9]\d{0,3}$/.test(versi))
    throw salahPerintah(`--versi "${versi}" tidak valid: harus nomor versi SOP (1, 2, …).`);
  const { PROJECT_ROOT } = await import('../local/runtime.ts');
  const { loadCatalog } = await import('../functions/adapters/catalog.ts');
  const { createRenderer } = await import('../functions/render/renderer.ts');
  const { printSopDocument } = await import('../core/documents/sop-document.ts');
  const catalog = loadCatalog({ sopDirs: [join(PROJECT_ROOT, 'sops')], configDir: join(PROJECT_ROOT, 'config') });
  let sop;
  try {
    sop = versi === undefined ? catalog.sops.latest(id) : catalog.sops.get(`${id}@${versi}`);
  } catch {
    throw new Gagal(`SOP ${id}${versi ? ` versi ${versi}` : ''} tidak ditemukan di sops/.`, 1);
  }
  const renderer = createRenderer({ maxConcurrency: 1 });
  try {
    const printed = await printSopDocument(
      { directory: (pemdaId) => catalog.pemda(pemdaId).directory.data, renderer: () => renderer },
      sop.definition,
    );
    const file = resolve(pdf);
    writeFileSync(file, printed.pdf);
    out(
      `Dokumen SOP AP ${sop.key} (${printed.pages} halaman, kertas ${printed.paper}) ditulis ke ${file} (${Math.ceil(printed.pdf.length / 1024)} KB).`,
    );
  } finally {
    await renderer.close();
  }
}

/** A failure with the exit code and the message for the operator. */
class Gagal extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}
const salahPerintah = (message: string) => new Gagal(`${message}\n\n${USAGE}`, 2);
const tidakBerjalan = (message: string) => new Gagal(message, 3);

const STATUSES: readonly CaseStatus[] = ['aktif', 'selesai', 'ditolak', 'dibatalkan'];

interface RuntimeInfo {
  pid: number;
  urls: { web: string; dynamodb: string; s3: string; sfn: string; ses: string; kms?: string };
  config: Record<string, unknown>;
}

function readRuntimeInfo(dataDir: string): RuntimeInfo {
  const file = join(dataDir, 'runtime.json');
  if (!existsSync(file))
    throw tidakBerjalan(
      `Runtime Sepakat tidak berjalan: ${file} tidak ada.\nJalankan dulu \`npm start\`, atau sebutkan direktori datanya dengan --data-dir.`,
    );
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as RuntimeInfo;
    if (!info?.urls?.web || !info.config) throw new Error('isi tidak lengkap');
    return info;
  } catch (error) {
    throw tidakBerjalan(
      `Berkas ${file} rusak (${(error as Error).message}); jalankan ulang runtime dengan \`npm start\`.`,
    );
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The runtime is running when its process lives and its web server answers the health check. */
async function requireRunning(dataDir: string): Promise<RuntimeInfo> {
  const info = readRuntimeInfo(dataDir);
  if (typeof info.pid === 'number' && !processAlive(info.pid))
    throw tidakBerjalan(
      `Runtime Sepakat tidak berjalan (proses ${info.pid} sudah berhenti). Jalankan \`npm start\` lalu ulangi.`,
    );
  try {
    const res = await fetch(`${info.urls.web}/kesehatan`, { signal: AbortSignal.timeout(5000) });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  } catch (error) {
    throw tidakBerjalan(
      `Runtime Sepakat tidak dapat dihubungi di ${info.urls.web} (${(error as Error).message}). Jalankan \`npm start\` lalu ulangi.`,
    );
  }
  return info;
}

/** The app wired to the running runtime's local endpoints, with its link key from the data directory. */
async function appFor(dataDir: string, info: RuntimeInfo): Promise<App> {
  const [{ buildApp }, { loadConfig }] = await Promise.all([
    import('../functions/app.ts'),
    import('../functions/config.ts'),
  ]);
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(info.config)) if (v !== undefined && v !== null) env[k] = String(v);
  for (const [name, file] of Object.entries(LOCAL_KEY_FILES)) {
    const keyFile = join(dataDir, file);
    if (!existsSync(keyFile))
      throw tidakBerjalan(`Kunci lokal ${keyFile} tidak ada; jalankan ulang runtime dengan \`npm start\`.`);
    env[name] = readFileSync(keyFile, 'utf8').trim();
  }
  return buildApp(loadConfig(env));
}

function closeApp(app: App): void {
  app.clients.dynamodb.destroy();
  app.clients.s3.destroy();
  app.clients.sfn.destroy();
  app.clients.ses.destroy();
}

async function withApp<T>(dataDir: string, run: (app: App, info: RuntimeInfo) => Promise<T>): Promise<T> {
  const info = await requireRunning(dataDir);
  const app = await appFor(dataDir, info);
  try {
    return await run(app, info);
  } finally {
    await app.close(); // the browser, if an export launched one
    closeApp(app);
  }
}

const tzOf = (app: App, pemdaId: string) => {
  try {
    return app.catalog.pemda(pemdaId).calendar.timeZone;
  } catch {
    return 'WIB' as const;
  }
};

async function kasus(dataDir: string, status: string | undefined, out: (l: string) => void) {
  if (status !== undefined && !STATUSES.includes(status as CaseStatus))
    throw salahPerintah(`Status "${status}" tidak dikenal; pilih salah satu: ${STATUSES.join(', ')}.`);
  await withApp(dataDir, async (app) => {
    const cases = await app.store.listCases(status as CaseStatus | undefined);
    if (!cases.length) {
      out(status ? `Tidak ada kasus berstatus ${status}.` : 'Belum ada kasus.');
      return;
    }
    out(`${cases.length} kasus${status ? ` berstatus ${status}` : ''}:`);
    for (const line of formatTable(
      ['Kasus', 'SOP', 'Perihal', 'Status', 'Langkah kini', 'Dibuat'],
      cases.map((c) => [
        c.caseId,
        c.sopKey,
        potong(c.perihal, 48),
        c.status,
        c.cursor ? `${c.cursor.node}${c.cursor.visit > 1 ? ` (kunjungan ${c.cursor.visit})` : ''}` : '-',
        formatWaktuSingkat(c.createdAt, tzOf(app, c.pemdaId)),
      ]),
    ))
      out(line);
  });
}

/** A case number as typed: the stored id, or the grouped form people read ("2026-1207-W6HZ2-YKIPM"). */
const kasusDari = (typed: string | undefined) => (typed === undefined ? undefined : (parseCaseNumber(typed) ?? typed));

async function tugas(dataDir: string, caseId: string | undefined, out: (l: string) => void) {
  await withApp(dataDir, async (app) => {
    let open: TaskRecord[];
    if (caseId !== undefined) {
      const record = await app.store.getCase(caseId);
      if (!record) throw new Gagal(`Kasus ${caseId} tidak ditemukan.`, 1);
      open = (await app.store.listTasks({ caseId })).filter((t) => t.state === 'open');
    } else open = await app.store.listTasks({ state: 'open' });
    open.sort((a, b) => a.openedAt.localeCompare(b.openedAt));
    if (!open.length) {
      out(caseId ? `Tidak ada tugas terbuka pada kasus ${caseId}.` : 'Tidak ada tugas terbuka.');
      return;
    }
    const now = app.runtimeClock.now().getTime();
    const pemdaOf = new Map<string, string>();
    for (const t of open)
      if (!pemdaOf.has(t.caseId)) pemdaOf.set(t.caseId, (await app.store.getCase(t.caseId))?.pemdaId ?? '');
    out(`${open.length} tugas terbuka${caseId ? ` pada kasus ${caseId}` : ''}:`);
    for (const line of formatTable(
      ['Tugas', 'Kasus', 'Langkah', 'Pelaksana', 'Dibuka', 'Batas waktu', 'Terlambat'],
      open.map((t) => {
        const tz = tzOf(app, pemdaOf.get(t.caseId) ?? '');
        return [
          t.taskId,
          t.caseId,
          `${t.node}${t.visit > 1 ? ` (kunj. ${t.visit})` : ''}`,
          potong(`${t.person.nama}${t.person.sebagai ? ` (${t.person.sebagai})` : ''}, ${t.person.jabatan}`, 60),
          formatWaktuSingkat(t.openedAt, tz),
          t.dueAt ? `${formatWaktuSingkat(t.dueAt, tz)}${t.dueProvisional ? '*' : ''}` : 'tanpa batas',
          t.overdueAt && now > Date.parse(t.overdueAt) ? 'YA' : 'tidak',
        ];
      }),
    ))
      out(line);
    out('');
    out('Tautan tindakan (sama dengan tautan di email tugas):');
    for (const t of open) out(`  ${t.taskId}  ${app.runtime.taskUrl(t)}`);
  });
}

async function linimasa(dataDir: string, caseId: string | undefined, out: (l: string) => void) {
  if (!caseId) throw salahPerintah('Sebutkan nomor kasus: npm run sepakat -- linimasa <ID-kasus>.');
  await withApp(dataDir, async (app) => {
    const timeline = await loadTimeline(app, caseId, app.runtimeClock.now());
    if (!timeline) throw new Gagal(`Kasus ${caseId} tidak ditemukan.`, 1);
    printTimeline(timeline, out);
  });
}

/** The heading of a page and the messages of its boxes (success, information, errors). */
const teksHalaman = (html: string) => {
  const boxes = new Set(['kotak-ok', 'kotak-info', 'kotak-salah', 'salah']);
  const kotak = startTags(html, 'div')
    .filter((t) => boxes.has(t.attrs['class'] ?? ''))
    .map((t) => textOf(innerOf(html, t)));
  return { judul: firstText(html, 'h1'), pesan: kotak.filter(Boolean) };
};

async function bertindak(
  dataDir: string,
  link: string | undefined,
  options: { pilihan?: string; catatan?: string; isian?: string[] },
  out: (l: string) => void,
) {
  if (!link) throw salahPerintah('Sebutkan tautan tugas: npm run sepakat -- bertindak <tautan> --pilihan X.');
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw salahPerintah(`"${link}" bukan tautan (URL) yang sah.`);
  }
  if (!/^\/tugas\/[^/]+$/.test(url.pathname)) throw salahPerintah(`"${link}" bukan tautan tugas (…/tugas/<kode>).`);
  if (!options.pilihan) throw salahPerintah('Pilihan wajib: --pilihan <nilai> (nilai pilihan pada halaman tugas).');
  const values: Record<string, string> = {};
  for (const item of options.isian ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw salahPerintah(`--isian "${item}" harus berbentuk kunci=nilai.`);
    values[item.slice(0, eq)] = item.slice(eq + 1);
  }
  await requireRunning(dataDir);
  const { actOnLink } = await import('./drive.ts');
  const pilihan = options.pilihan;
  let problem: Gagal | undefined;
  const result = await actOnLink(
    url.toString(),
    (form: TaskForm) => {
      const issues: string[] = [];
      if (!form.choices.includes(pilihan))
        issues.push(`Pilihan "${pilihan}" tidak ada. Pilihan yang ada: ${form.choices.join(', ') || '(tidak ada)'}.`);
      const known = form.textFields.map((f) => f.name.slice(2));
      const unknown = Object.keys(values).filter((k) => !known.includes(k));
      if (unknown.length)
        issues.push(`Isian ${unknown.join(', ')} tidak ada. Isian yang ada: ${known.join(', ') || '(tidak ada)'}.`);
      if (issues.length) {
        problem = new Gagal([`Tugas "${form.title}":`, ...issues.map((i) => `  ${i}`)].join('\n'), 2);
        throw problem;
      }
      return { pilihan, ...(options.catatan !== undefined ? { catatan: options.catatan } : {}), values };
    },
    { dataDir },
  ).catch((error: unknown) => {
    if (error === problem) throw error;
    throw new Gagal(`Tindakan gagal: ${(error as Error).message}`, 1);
  });
  const page = teksHalaman(result.html);
  if (result.status !== 200) {
    throw new Gagal(
      [
        `Tindakan tidak tercatat (HTTP ${result.status}): ${page.judul || 'halaman tugas'}`,
        ...page.pesan.map((p) => `  - ${p}`),
      ].join('\n'),
      1,
    );
  }
  out(`Tercatat: ${page.judul || 'keputusan dikirim'}`);
  for (const p of page.pesan) out(`  ${p}`);
  if (result.form)
    out(`Tugas: ${result.form.title}; pilihan: ${pilihan}${options.catatan ? `; catatan: ${options.catatan}` : ''}`);
}

async function surat(dataDir: string, ke: string | undefined, out: (l: string) => void) {
  readRuntimeInfo(dataDir); // a Sepakat data directory; the runtime need not be running to read mail
  const { readMailbox } = await import('../local/ses/local-ses.ts');
  const target = ke?.trim().toLowerCase();
  const mails = (await readMailbox(dataDir)).filter((m) => !target || m.to.some((t) => t.toLowerCase() === target));
  if (!mails.length) {
    out(target ? `Tidak ada email untuk ${target}.` : 'Kotak surat lokal kosong.');
    return;
  }
  out(`${mails.length} email${target ? ` untuk ${target}` : ''} (waktu WIB):`);
  mails.forEach((m, i) => {
    out(`${String(i + 1).padStart(3)}. ${formatWaktuSingkat(m.sentAt, 'WIB')}  kepada ${m.to.join(', ')}`);
    out(`     ${m.subject}`);
    for (const l of m.links.filter((l) => /\/tugas\/[^/]+$/.test(l))) out(`     tautan: ${l}`);
  });
}

const tahunDari = (text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  if (!/^\d{4}$/.test(text.trim())) throw salahPerintah(`--tahun "${text}" harus tahun 4 angka, misalnya 2026.`);
  return Number(text.trim());
};

const statusDari = (text: string | undefined): RegisterStatus | undefined => {
  if (text === undefined) return undefined;
  if (!REGISTER_STATUSES.includes(text as RegisterStatus))
    throw salahPerintah(`Status nomor "${text}" tidak dikenal; pilih salah satu: ${REGISTER_STATUSES.join(', ')}.`);
  return text as RegisterStatus;
};

const pemdaDari = (app: App, pemdaId: string): string => {
  if (!app.catalog.pemdaIds().includes(pemdaId))
    throw salahPerintah(`Pemda "${pemdaId}" tidak dikenal; yang ada: ${app.catalog.pemdaIds().join(', ')}.`);
  return pemdaId;
};

/** The register export with each number's agreement status and next due item. */
const withAgreements = (app: App) => ({
  ...app,
  clock: app.runtimeClock,
  agreementsOf: (pemdaId: string) => app.agreements.list(pemdaId),
});

/** The agreements of a pemda: status today, term, links and what falls due next. */
/** `kalender impor <berkas>`: a year's holidays, checked, stored where the runtime reads them, then applied. */
async function kalender(dataDir: string, args: readonly string[], out: (l: string) => void) {
  const [sub, file] = args;
  if (sub !== 'impor' || !file)
    throw salahPerintah(
      'Pemakaian: npm run sepakat -- kalender impor <berkas.json> (format config/calendar/2026.json).',
    );
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(resolve(file), 'utf8'));
  } catch (error) {
    throw new Gagal(
      `Berkas ${file} tidak dapat dibaca sebagai JSON (${(error as Error).message}). Tidak ada yang diubah.`,
      1,
    );
  }
  await withApp(dataDir, async (app) => {
    const result = await app.calendars.import(raw);
    if (result.result === 'ditolak')
      throw new Gagal(`Kalender belum dapat diimpor:\n${result.messages.join('\n')}\nTidak ada yang diubah.`, 1);
    out(
      `Kalender ${result.year.year} diimpor: ${result.year.liburNasional.length} libur nasional, ${result.year.cutiBersama.length} cuti bersama.`,
    );
    out(
      `Batas waktu perkiraan dihitung ulang: ${result.tugas.diubah} dari ${result.tugas.diperiksa} tugas diperbarui.`,
    );
    out(
      `Jadwal pemantauan perkiraan dihitung ulang: ${result.perjanjian.diubah} dari ${result.perjanjian.diperiksa} perjanjian diperbarui.`,
    );
  });
}

/** `muat-ulang`: the running runtime loads its SOPs and configuration again (local/reload-request.ts). */
async function muatUlang(dataDir: string, out: (l: string) => void) {
  const info = await requireRunning(dataDir);
  const { requestReload } = await import('../local/reload-request.ts');
  const answer = await requestReload(dataDir, info.pid);
  if (answer.result === 'ditolak')
    throw new Gagal(`Data tidak dimuat ulang:\n${answer.messages.join('\n')}\nTidak ada yang diubah.`, 1);
  out(
    `Data dimuat ulang. ${answer.added.length ? `Versi SOP baru: ${answer.added.join(', ')}.` : 'Tidak ada versi SOP baru.'} ${answer.pemda.length ? `Konfigurasi pemda berubah: ${answer.pemda.join(', ')}.` : 'Konfigurasi pemda tidak berubah.'}`,
  );
}

/** `pindah-versi <kasus> <versi>`: an open case moves to a newer version of its SOP at a mapped step. */
async function pindahVersi(
  dataDir: string,
  caseId: string | undefined,
  versi: string | undefined,
  options: { langkah?: string | undefined; alasan?: string | undefined },
  out: (l: string) => void,
) {
  if (!caseId || !versi) throw salahPerintah('Sebutkan ID kasus dan versi tujuan: pindah-versi <ID-kasus> <versi>.');
  if (!/^[1-9]\d{0,3}$/.test(versi))
    throw salahPerintah(`Versi "${versi}" tidak valid: harus nomor versi SOP (1, 2, …).`);
  if (!options.alasan?.trim()) throw salahPerintah('Sebutkan alasan pemindahan dengan --alasan "…".');
  const operator = userInfo().username;
  await withApp(dataDir, async (app) => {
    const record = await app.runtime.requireCase(caseId);
    // The running runtime must have loaded that version (it runs the new execution), not only this checkout.
    const { DescribeStateMachineCommand } = await import('@aws-sdk/client-sfn');
    const { stateMachineName } = await import('../functions/config.ts');
    const key = `${record.sopId}@${versi}`;
    const loaded = await app.clients.sfn
      .send(
        new DescribeStateMachineCommand({
          stateMachineArn: `${app.config.SEPAKAT_STATE_MACHINE_ARN_PREFIX}${stateMachineName(key)}`,
        }),
      )
      .then(
        () => true,
        () => false,
      );
    if (!loaded)
      throw new Gagal(
        `SOP ${key} belum dimuat oleh runtime yang berjalan. Tambahkan berkasnya lalu jalankan \`npm run sepakat -- muat-ulang\`. Tidak ada yang diubah.`,
        1,
      );
    const result = await app.caseAdmin.moveToVersion({
      caseId,
      version: Number(versi),
      ...(options.langkah !== undefined ? { langkah: options.langkah } : {}),
      by: { id: `operator:${operator}`, nama: operator, jabatan: 'Operator' },
      reason: options.alasan!,
    });
    switch (result.result) {
      case 'tidak-valid':
      case 'ditolak':
        throw new Gagal(`${result.error}. Tidak ada yang diubah.`, result.result === 'tidak-valid' ? 2 : 1);
      case 'sudah':
        out(`Kasus ${caseId} sudah berada pada ${result.record.sopKey}; tidak ada yang dipindahkan dua kali.`);
        break;
      case 'dipindahkan':
        out(
          `Kasus ${caseId} dipindahkan dari ${result.from} ke ${result.to} pada langkah ${result.node}; tugas lama dihentikan, tugas baru dikirim.`,
        );
    }
  });
}

async function perjanjian(dataDir: string, pemda: string | undefined, out: (l: string) => void) {
  if (!pemda) throw salahPerintah('Sebutkan ID pemda: npm run sepakat -- perjanjian <ID-pemda>.');
  await withApp(dataDir, async (app) => {
    const pemdaId = pemdaDari(app, pemda);
    const list = await app.agreements.list(pemdaId);
    const nama = app.catalog.pemda(pemdaId).directory.data.pemda.nama;
    if (!list.length) {
      out(`${nama}: belum ada perjanjian terdaftar.`);
      return;
    }
    const { STATUS_LABEL: label } = await import('../core/agreement/agreement-model.ts');
    out(`${nama}: ${list.length} perjanjian`);
    for (const line of formatTable(
      ['Nomor', 'Jenis', 'Mitra', 'Status', 'Berlaku', 'Tautan', 'Berikutnya'],
      list.map((a) => [
        a.nomor,
        a.jenis,
        potong(a.mitra, 32),
        `${label[a.status]}${a.alasanBerakhir ? ` (${potong(a.alasanBerakhir, 40)})` : ''}`,
        `${a.mulai} s.d. ${a.berakhir}`,
        [
          a.induk ? `induk ${a.induk}` : '',
          a.pelaksanaan?.length ? `dilaksanakan dengan ${a.pelaksanaan.join(', ')}` : '',
          a.adendumDari ? `adendum atas ${a.adendumDari}` : '',
          a.adendum.length ? `adendum: ${a.adendum.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; ') || '-',
        a.berikutnya ? `${a.berikutnya.label} (${a.berikutnya.jatuhTempo})` : '-',
      ]),
    ))
      out(line);
  });
}

async function register(
  dataDir: string,
  options: { pemda?: string; tahun?: string; seri?: string; status?: string; csv?: string; pdf?: string },
  out: (l: string) => void,
) {
  if (!options.pemda) throw salahPerintah('Sebutkan pemdanya: --pemda <ID> (misalnya kota-contoh).');
  const year = tahunDari(options.tahun);
  if (year === undefined) throw salahPerintah('Sebutkan tahunnya: --tahun <YYYY>.');
  const status = statusDari(options.status);
  await withApp(dataDir, async (app) => {
    const pemdaId = pemdaDari(app, options.pemda!);
    const seri = app.catalog.pemda(pemdaId).directory.data.penomoran.series;
    if (options.seri !== undefined && !(options.seri in seri))
      throw salahPerintah(
        `Seri "${options.seri}" tidak ada di ${pemdaId}; seri yang ada: ${Object.keys(seri).join(', ')}.`,
      );
    const input = {
      pemdaId,
      year,
      ...(options.seri !== undefined ? { series: options.seri } : {}),
      ...(status !== undefined ? { status } : {}),
    };
    const { registerCsv, registerPdf } = await import('../functions/documents/register-export.ts');
    if (options.csv !== undefined || options.pdf !== undefined) {
      if (options.csv !== undefined) {
        const file = resolve(options.csv);
        const csv = await registerCsv(withAgreements(app), input);
        writeFileSync(file, csv);
        out(
          `CSV register ${pemdaId} tahun ${year} ditulis ke ${file} (${csv.trimEnd().split('\r\n').length - 1} nomor).`,
        );
      }
      if (options.pdf !== undefined) {
        const file = resolve(options.pdf);
        const pdf = await registerPdf(withAgreements(app), input);
        writeFileSync(file, pdf);
        out(`PDF register ${pemdaId} tahun ${year} ditulis ke ${file} (${Math.ceil(pdf.length / 1024)} KB).`);
      }
      return;
    }
    const entries = await app.register(pemdaId).listAll({
      year,
      ...(input.series !== undefined ? { series: input.series } : {}),
      ...(status !== undefined ? { status } : {}),
    });
    const nama = app.catalog.pemda(pemdaId).directory.data.pemda.nama;
    if (!entries.length) {
      out(`Register ${nama} tahun ${year}${options.seri ? ` seri ${options.seri}` : ''}: belum ada nomor tercatat.`);
      return;
    }
    const tz = tzOf(app, pemdaId);
    out(`Register ${nama} tahun ${year}${options.seri ? ` seri ${options.seri}` : ''}: ${entries.length} nomor`);
    for (const line of formatTable(
      ['Nomor', 'Seri', 'Status', 'Para pihak', 'Perihal', 'Dicadangkan', 'Kasus'],
      entries.map((e) => [
        e.numberText,
        e.series,
        STATUS_LABEL[e.status],
        potong(e.parties.join('; '), 48),
        potong(e.perihal ?? '', 40),
        formatWaktuSingkat(e.reservedAt, tz),
        e.caseId ?? '-',
      ]),
    ))
      out(line);
  });
}

async function archiveOf(app: App): Promise<Archive> {
  const { Archive } = await import('../core/documents/archive-search.ts');
  return new Archive({
    documents: app.documents,
    register: (pemdaId) => app.register(pemdaId),
    store: app.store,
    clock: app.runtimeClock,
    timeZone: (pemdaId) => tzOf(app, pemdaId),
  });
}

const JENIS_SALINAN: Readonly<Record<keyof ArchivedCopies, string>> = {
  signed: 'Naskah ditandatangani',
  partner: 'Salinan para pihak',
  scans: 'Pindaian',
  riwayat: 'Lembar Riwayat Penandatanganan',
  other: 'Dokumen lain',
};

function barisDokumen(d: DocumentRecord, tz: ReturnType<typeof tzOf>): string {
  const asli = d.asli === undefined ? '' : d.asli ? ', asli' : ', salinan';
  return `${d.docId}  ${d.fileName} (${Math.ceil(d.size / 1024)} KB${asli}, ${formatWaktuSingkat(d.createdAt, tz)})`;
}

async function arsipCari(
  dataDir: string,
  options: { pemda?: string; nomor?: string; mitra?: string; perihal?: string; tahun?: string; status?: string },
  out: (l: string) => void,
) {
  const tahun = tahunDari(options.tahun);
  const status = statusDari(options.status);
  await withApp(dataDir, async (app) => {
    const archive = await archiveOf(app);
    const pemdaIds = options.pemda !== undefined ? [pemdaDari(app, options.pemda)] : app.catalog.pemdaIds();
    let found = 0;
    for (const pemdaId of pemdaIds) {
      const result = await archive.search({
        pemdaId,
        ...(options.nomor !== undefined ? { nomor: options.nomor } : {}),
        ...(options.mitra !== undefined ? { mitra: options.mitra } : {}),
        ...(options.perihal !== undefined ? { perihal: options.perihal } : {}),
        ...(tahun !== undefined ? { tahun } : {}),
        ...(status !== undefined ? { status } : {}),
      });
      if (!result.items.length && pemdaIds.length > 1) continue;
      const tz = tzOf(app, pemdaId);
      const nama = app.catalog.pemda(pemdaId).directory.data.pemda.nama;
      const years =
        result.years.length > 1 ? `${result.years.at(-1)}–${result.years[0]}` : String(result.years[0] ?? '-');
      out(`${nama} (${pemdaId}), tahun ${years}: ${result.matched} naskah`);
      if (result.truncated)
        out(
          `  Ditampilkan ${result.items.length} dari ${result.matched}; persempit dengan --tahun, --status atau --mitra.`,
        );
      for (const { entry, copies } of result.items) {
        found++;
        out('');
        out(
          `  ${entry.numberText}  [${STATUS_LABEL[entry.status]}]  seri ${entry.series}${entry.caseId ? `, kasus ${entry.caseId}` : ''}`,
        );
        if (entry.parties.length) out(`    Para pihak: ${entry.parties.join('; ')}`);
        if (entry.perihal) out(`    Perihal: ${entry.perihal}`);
        if (entry.original) out(`    Naskah asli: ${entry.original.location} (${entry.original.copy})`);
        const groups = (Object.keys(JENIS_SALINAN) as (keyof ArchivedCopies)[]).filter((g) => copies[g].length);
        if (!groups.length) out('    Belum ada dokumen tersimpan untuk nomor ini.');
        for (const g of groups) {
          out(`    ${JENIS_SALINAN[g]}:`);
          for (const d of copies[g]) out(`      ${barisDokumen(d, tz)}`);
        }
      }
      out('');
    }
    if (!found) out('Tidak ada naskah arsip yang cocok dengan pencarian.');
    else out('Unduh: npm run sepakat -- arsip unduh <ID-dokumen> --oleh "Nama Anda" [--alasan "…"]');
  });
}

async function arsipUnduh(
  dataDir: string,
  docId: string | undefined,
  options: { oleh?: string; peran?: string; alasan?: string },
  out: (l: string) => void,
) {
  if (!docId) throw salahPerintah('Sebutkan ID dokumennya: npm run sepakat -- arsip unduh <ID-dokumen> --oleh "Nama".');
  if (!options.oleh?.trim()) throw salahPerintah('Sebutkan siapa yang mengunduh: --oleh "Nama" (dicatat di riwayat).');
  let akun = 'operator';
  try {
    akun = userInfo().username || akun;
  } catch {
    // No user entry (some containers): the name given is what identifies the downloader.
  }
  await withApp(dataDir, async (app) => {
    const archive = await archiveOf(app);
    const link = await archive.downloadLink(
      docId,
      { id: `cli:${akun}`, nama: options.oleh!.trim(), peran: options.peran?.trim() || 'Arsiparis' },
      options.alasan,
    );
    const tz = tzOf(app, link.record.pemdaId ?? '');
    const menit = Math.round((Date.parse(link.expiresAt) - app.runtimeClock.now().getTime()) / 60_000);
    out(
      `Tautan unduhan ${link.record.fileName} (berlaku sampai ${formatWaktuSingkat(link.expiresAt, tz)} ${tz}, ±${menit} menit):`,
    );
    out(link.url);
    out(
      `Dokumen ${link.record.docId}: ${link.record.kind}${link.record.nomor ? `, nomor ${link.record.nomor}` : ''}, SHA-256 ${link.record.sha256}`,
    );
    out(`Unduhan dicatat atas nama ${options.oleh!.trim()} di riwayat kasus ${link.record.caseId}.`);
  });
}

async function arsipRiwayat(dataDir: string, docId: string | undefined, out: (l: string) => void) {
  if (!docId) throw salahPerintah('Sebutkan ID dokumennya: npm run sepakat -- arsip riwayat <ID-dokumen>.');
  await withApp(dataDir, async (app) => {
    const archive = await archiveOf(app);
    const record = await app.documents.get(docId.trim());
    const downloads = await archive.downloads(docId);
    const tz = tzOf(app, record?.pemdaId ?? '');
    if (!downloads.length) {
      out(`Dokumen ${docId} belum pernah diunduh.`);
      return;
    }
    out(`${downloads.length} unduhan dokumen ${docId}${record ? ` (${record.fileName})` : ''}, terbaru dahulu:`);
    for (const line of formatTable(
      ['Waktu', 'Oleh', 'Peran', 'Alasan', 'Tautan berlaku'],
      downloads.map((d) => [
        formatWaktuSingkat(d.at, tz),
        d.who.nama,
        d.who.peran,
        potong(d.alasan ?? '-', 48),
        d.berlakuDetik !== undefined ? `${d.berlakuDetik} detik` : '-',
      ]),
    ))
      out(line);
  });
}

async function arsip(
  dataDir: string,
  args: readonly string[],
  values: Record<string, string | undefined>,
  out: (l: string) => void,
) {
  const [sub, docId] = args;
  const flags: Record<string, { args: number; flags: string[] }> = {
    cari: { args: 0, flags: ['pemda', 'nomor', 'mitra', 'perihal', 'tahun', 'status'] },
    unduh: { args: 1, flags: ['oleh', 'peran', 'alasan'] },
    riwayat: { args: 1, flags: [] },
  };
  if (!sub) throw salahPerintah('Sebutkan perintah arsip: cari, unduh atau riwayat.');
  const spec = flags[sub];
  if (!spec) throw salahPerintah(`Perintah "arsip ${sub}" tidak dikenal; pilih cari, unduh atau riwayat.`);
  if (args.length - 1 > spec.args)
    throw salahPerintah(`Argumen berlebih untuk arsip ${sub}: ${args.slice(1 + spec.args).join(' ')}.`);
  const stray = Object.keys(values).filter((k) => values[k] !== undefined && !spec.flags.includes(k));
  if (stray.length)
    throw salahPerintah(`Pilihan ${stray.map((s) => `--${s}`).join(', ')} tidak berlaku untuk arsip ${sub}.`);
  const pick = (...keys: string[]) =>
    Object.fromEntries(keys.filter((k) => values[k] !== undefined).map((k) => [k, values[k]!]));
  if (sub === 'cari') await arsipCari(dataDir, pick(...spec.flags), out);
  else if (sub === 'unduh') await arsipUnduh(dataDir, docId, pick(...spec.flags), out);
  else await arsipRiwayat(dataDir, docId, out);
}

/**
 * A KMS client: AWS KMS in `region` (credentials from the environment, as the AWS CLI) when given, otherwise the
 * local KMS of the running runtime (`npm start`).
 */
async function kmsClient(dataDir: string, region: string | undefined) {
  const { KMSClient } = await import('@aws-sdk/client-kms');
  if (region !== undefined) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region))
      throw salahPerintah(`--region "${region}" bukan nama region AWS (misalnya ap-southeast-3).`);
    return new KMSClient({ region });
  }
  const info = await requireRunning(dataDir);
  if (!info.urls.kms)
    throw tidakBerjalan('Runtime ini belum menjalankan KMS lokal; jalankan ulang `npm start` dari versi ini.');
  const { LOCAL_DEVELOPMENT_CREDENTIALS } = await import('../local/local-aws.ts');
  return new KMSClient({
    endpoint: info.urls.kms,
    region: String(info.config['SEPAKAT_REGION']),
    credentials: LOCAL_DEVELOPMENT_CREDENTIALS,
  });
}

/** The tag the signing function's `kms:Sign` permission requires (infra: `sepakat:tujuan=tanda-tangan`). */
const SIGNING_KEY_TAG = { TagKey: 'sepakat:tujuan', TagValue: 'tanda-tangan' };
const KEY_SPECS = ['ECC_NIST_P256', 'RSA_2048'] as const;

/** A signing key in the local KMS (in AWS the keys are `SepakatStateful`'s, from `sepakat:signingKeys`). */
async function kmsBuat(
  dataDir: string,
  options: { jenis?: string; keterangan?: string },
  out: (l: string) => void,
): Promise<void> {
  const jenis = options.jenis ?? 'ECC_NIST_P256';
  if (!KEY_SPECS.includes(jenis as (typeof KEY_SPECS)[number]))
    throw salahPerintah(`--jenis "${jenis}" tidak dikenal; pilih salah satu: ${KEY_SPECS.join(', ')}.`);
  const kms = await kmsClient(dataDir, undefined);
  try {
    const { CreateKeyCommand } = await import('@aws-sdk/client-kms');
    const { KeyMetadata } = await kms.send(
      new CreateKeyCommand({
        KeySpec: jenis as (typeof KEY_SPECS)[number],
        KeyUsage: 'SIGN_VERIFY',
        Description: options.keterangan?.trim() || 'Kunci tanda tangan Sepakat',
        Tags: [SIGNING_KEY_TAG],
      }),
    );
    out(`Kunci KMS lokal dibuat (${jenis}, tag ${SIGNING_KEY_TAG.TagKey}=${SIGNING_KEY_TAG.TagValue}):`);
    out(`  ID:  ${KeyMetadata!.KeyId!}`);
    out(`  ARN: ${KeyMetadata!.Arn!}`);
    out(`Berikutnya: npm run sepakat -- kms-csr ${KeyMetadata!.KeyId!} --nama "…" --jabatan "…" --keluaran berkas.csr`);
  } finally {
    kms.destroy();
  }
}

/**
 * A PKCS#10 request for a KMS key, signed through KMS `Sign` (the private key never leaves KMS), in PEM to the
 * terminal or a file: what the pemda's CA issues the official's certificate from.
 */
async function kmsCsr(
  dataDir: string,
  keyId: string | undefined,
  options: { nama?: string; jabatan?: string; nip?: string; instansi?: string; keluaran?: string; region?: string },
  out: (l: string) => void,
): Promise<void> {
  if (!keyId) throw salahPerintah('Sebutkan ID atau ARN kunci KMS.');
  if (!options.nama?.trim()) throw salahPerintah('Sebutkan nama pejabat dengan --nama "…".');
  if (!options.jabatan?.trim()) throw salahPerintah('Sebutkan jabatan dengan --jabatan "…".');
  if (options.nip !== undefined && !/^\d{18}$/.test(options.nip))
    throw salahPerintah(`--nip harus 18 angka (diterima "${options.nip}").`);
  const kms = await kmsClient(dataDir, options.region);
  const [{ kmsCertificateRequest }, { toPem }] = await Promise.all([
    import('../functions/signing/kms-signer.ts'),
    import('../functions/signing/asn1.ts'),
  ]);
  try {
    const der = await kmsCertificateRequest(kms, keyId, {
      nama: options.nama.trim(),
      jabatan: options.jabatan.trim(),
      ...(options.nip ? { nip: options.nip } : {}),
      ...(options.instansi?.trim() ? { instansi: options.instansi.trim() } : {}),
    });
    const pem = toPem(der, 'CERTIFICATE REQUEST');
    if (options.keluaran) {
      writeFileSync(options.keluaran, pem);
      out(`CSR untuk kunci ${keyId} ditulis ke ${options.keluaran}.`);
    } else out(pem.trimEnd());
  } finally {
    kms.destroy();
  }
}

/** The certificates of a PEM file, each parsed; an unreadable file or certificate is the operator's error. */
function certificatesOf(file: string, option: string): X509Certificate[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Gagal(
      `${option} ${file}: berkas tidak dapat dibaca (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). Tidak ada berkas yang diubah.`,
      2,
    );
  }
  const blocks = [...text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map((m) => m[0]);
  if (!blocks.length)
    throw new Gagal(
      `${option} ${file}: tidak memuat sertifikat PEM (-----BEGIN CERTIFICATE-----). Tidak ada berkas yang diubah.`,
      2,
    );
  return blocks.map((pem, i) => {
    try {
      return new X509Certificate(pem);
    } catch {
      throw new Gagal(
        `${option} ${file}: sertifikat ke-${i + 1} tidak dapat dibaca (bukan sertifikat X.509 yang sah). Tidak ada berkas yang diubah.`,
        2,
      );
    }
  });
}

/**
 * `edit` applied to a YAML file's document, keeping the file as it was written: the `yaml` Document API keeps
 * comments, but its output normalises some spelling (the padding of flow collections). The edit is one hunk of that
 * output (the lines between the common head and tail of the output before and after the edit); every other line is
 * taken from the file itself, unchanged. When the file's lines do not match the output's one for one, or the
 * spliced text would not read as the edited document, the Document's own output is used.
 */
function editYaml(source: string, edit: (doc: Document) => void): string {
  const options = { lineWidth: 0 };
  const doc = parseDocument(source);
  const before = doc.toString(options);
  edit(doc);
  const after = doc.toString(options);
  const s = source.split('\n');
  const b = before.split('\n');
  const a = after.split('\n');
  if (s.length !== b.length) return after;
  let head = 0;
  while (head < b.length && head < a.length && b[head] === a[head]) head++;
  let tail = 0;
  while (tail < b.length - head && tail < a.length - head && b[b.length - 1 - tail] === a[a.length - 1 - tail]) tail++;
  const spliced = [...s.slice(0, head), ...a.slice(head, a.length - tail), ...s.slice(s.length - tail)].join('\n');
  return isDeepStrictEqual(parseYaml(spliced), doc.toJS()) ? spliced : after;
}

/**
 * Installs the certificate of a pemda official's (or the pemda seal's) KMS key: checks the chain (each certificate
 * issued by the next, ending at the pemda CA's root) and that KMS `GetPublicKey` is the certificate's key
 * (`KmsSigner.open`), then writes the chain to `config/sertifikat/<pemda>/<person>.pem` and
 * `tandaTangan.kms.<person>` to `config/pemda/<pemda>.yaml`. Every check runs before the first write: a refusal
 * changes no file.
 */
async function kmsPasang(
  dataDir: string,
  args: readonly (string | undefined)[],
  options: { sertifikat?: string; rantai?: string; config?: string; region?: string },
  out: (l: string) => void,
): Promise<void> {
  const [pemdaId, personId, keyId] = args;
  if (!pemdaId || !personId || !keyId)
    throw salahPerintah(
      'Sebutkan pemda, orang (atau segel) dan kunci KMS: kms-pasang <ID-pemda> <ID-orang|segel> <ID-kunci-KMS>.',
    );
  if (!options.sertifikat)
    throw salahPerintah('Sebutkan sertifikat yang diterbitkan CA pemda: --sertifikat terbit.pem.');
  const configDir = resolve(options.config ?? 'config');
  const pemdaDir = join(configDir, 'pemda');
  const pemdaFile = join(pemdaDir, `${pemdaId}.yaml`);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(pemdaId) || !existsSync(pemdaFile)) {
    const known = existsSync(pemdaDir)
      ? readdirSync(pemdaDir)
          .filter((f) => f.endsWith('.yaml'))
          .map((f) => f.slice(0, -5))
      : [];
    throw new Gagal(
      `Pemda "${pemdaId}" tidak dikenal: ${pemdaFile} tidak ada (yang ada: ${known.join(', ') || 'tidak ada'}). Tidak ada berkas yang diubah.`,
      2,
    );
  }
  const source = readFileSync(pemdaFile, 'utf8');
  const doc = parseDocument(source);
  if (doc.errors.length)
    throw new Gagal(`${pemdaFile} bukan YAML yang sah: ${doc.errors[0]!.message}. Tidak ada berkas yang diubah.`, 1);
  const people = ((doc.toJS() as { people?: { id?: unknown }[] } | null)?.people ?? []).map((p) => String(p.id));
  if (personId !== 'segel' && !people.includes(personId))
    throw new Gagal(
      `Orang "${personId}" tidak ada di ${pemdaFile} (people: ${people.join(', ')}; atau "segel" untuk segel pemda). Tidak ada berkas yang diubah.`,
      2,
    );
  if (!/^[a-z0-9][a-z0-9-]*$/.test(personId))
    throw new Gagal(
      `ID orang "${personId}" tidak dapat menjadi nama berkas sertifikat. Tidak ada berkas yang diubah.`,
      2,
    );

  // The chain: the issued certificate first, then its issuers up to the pemda CA's root (what verification trusts).
  const chain = [
    ...certificatesOf(options.sertifikat, '--sertifikat'),
    ...(options.rantai ? certificatesOf(options.rantai, '--rantai') : []),
  ];
  for (let i = 0; i + 1 < chain.length; i++)
    if (!chain[i]!.checkIssued(chain[i + 1]!) || !chain[i]!.verify(chain[i + 1]!.publicKey))
      throw new Gagal(
        `Rantai sertifikat tidak tersambung: "${chain[i]!.subject.replace(/\n/g, ', ')}" tidak diterbitkan oleh ` +
          `"${chain[i + 1]!.subject.replace(/\n/g, ', ')}". Urutkan: sertifikat terbit dulu, lalu penerbitnya. Tidak ada berkas yang diubah.`,
        2,
      );
  const root = chain.at(-1)!;
  if (!root.checkIssued(root) || !root.verify(root.publicKey))
    throw new Gagal(
      `Rantai sertifikat tidak berakhir pada sertifikat akar CA pemda (yang terakhir diterbitkan oleh "${root.issuer.replace(/\n/g, ', ')}"): ` +
        'sertakan rantai penerbitnya dengan --rantai rantai.pem. Tidak ada berkas yang diubah.',
      2,
    );
  if (chain[0]!.ca)
    throw new Gagal(
      '--sertifikat: sertifikat pertama adalah sertifikat CA, bukan sertifikat yang diterbitkan untuk kunci KMS. Tidak ada berkas yang diubah.',
      2,
    );

  // The key: KMS GetPublicKey must be the certificate's key (the check the signer makes before each first use).
  const [{ KmsSigner }, { isSepakatError }] = await Promise.all([
    import('../functions/signing/kms-signer.ts'),
    import('../core/errors.ts'),
  ]);
  const kms = await kmsClient(dataDir, options.region);
  try {
    await KmsSigner.open(kms, { keyId, chain: chain.map((c) => new Uint8Array(c.raw)) });
  } catch (error) {
    if (isSepakatError(error)) throw new Gagal(`${error.message} Tidak ada berkas yang diubah.`, 1);
    throw error;
  } finally {
    kms.destroy();
  }

  const sertifikat = `${pemdaId}/${personId}.pem`;
  const yaml = editYaml(source, (d) =>
    d.setIn(['tandaTangan', 'kms', personId], d.createNode({ kunci: keyId, sertifikat })),
  );
  const { DirectorySchema } = await import('../core/directory/directory.ts');
  const checked = DirectorySchema.safeParse(parseYaml(yaml));
  if (!checked.success)
    throw new Gagal(
      `${pemdaFile} tidak sah setelah diubah: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}. Tidak ada berkas yang diubah.`,
      1,
    );
  const pemFile = join(configDir, 'sertifikat', sertifikat);
  mkdirSync(dirname(pemFile), { recursive: true });
  writeAtomically(pemFile, chain.map((c) => c.toString().trim()).join('\n') + '\n');
  writeAtomically(pemdaFile, yaml);
  const tandaTangan = checked.data.tandaTangan;
  out(`Sertifikat "${chain[0]!.subject.replace(/\n/g, ', ')}" cocok dengan kunci KMS ${keyId}.`);
  out(`  Rantai (${chain.length} sertifikat) ditulis ke ${pemFile}`);
  out(`  ${pemdaFile}: tandaTangan.kms.${personId} = { kunci: ${keyId}, sertifikat: ${sertifikat} }`);
  const used = personId === 'segel' ? tandaTangan.segel : tandaTangan.penyedia;
  if (used !== 'kms')
    out(
      `Belum dipakai: tandaTangan.${personId === 'segel' ? 'segel' : 'penyedia'} pemda ini "${used}"; setel ke kms untuk menandatangani dengan kunci ini.`,
    );
}

/** `sop periksa <file>`: every load check of the SOP and against its pemda's directory; nothing is started. */
async function sopPeriksa(
  args: readonly string[],
  options: { pemda?: string | undefined; config?: string | undefined },
  out: (l: string) => void,
) {
  const [sub, file] = args;
  if (sub !== 'periksa')
    throw salahPerintah(`Perintah sop ${sub ?? ''} tidak dikenal; yang ada: sop periksa <berkas>.`);
  if (!file) throw salahPerintah('Sebutkan berkas SOP: sop periksa <berkas>.');
  const { checkSopFile } = await import('../functions/adapters/catalog.ts');
  const problems = checkSopFile(file, { configDir: options.config ?? 'config', pemda: options.pemda });
  if (!problems.length) {
    out(`SOP ${file}: lolos semua pemeriksaan`);
    return;
  }
  throw new Gagal([`SOP ${file}: ${problems.length} masalah`, ...problems.map((p) => `- ${p}`)].join('\n'), 1);
}

/** A file replaced whole or not at all (a temporary file beside it, then rename). */
function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export async function main(argv: readonly string[], out: (l: string) => void = (l) => console.log(l)): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        'data-dir': { type: 'string' },
        status: { type: 'string' },
        kasus: { type: 'string' },
        pilihan: { type: 'string' },
        catatan: { type: 'string' },
        isian: { type: 'string', multiple: true },
        ke: { type: 'string' },
        pemda: { type: 'string' },
        tahun: { type: 'string' },
        seri: { type: 'string' },
        csv: { type: 'string' },
        pdf: { type: 'string' },
        nomor: { type: 'string' },
        mitra: { type: 'string' },
        perihal: { type: 'string' },
        oleh: { type: 'string' },
        peran: { type: 'string' },
        alasan: { type: 'string' },
        nama: { type: 'string' },
        jabatan: { type: 'string' },
        nip: { type: 'string' },
        instansi: { type: 'string' },
        keluaran: { type: 'string' },
        region: { type: 'string' },
        jenis: { type: 'string' },
        keterangan: { type: 'string' },
        sertifikat: { type: 'string' },
        rantai: { type: 'string' },
        config: { type: 'string' },
        versi: { type: 'string' },
        langkah: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    console.error(`Argumen tidak dikenali: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  const dataDir = resolve(values['data-dir'] ?? '.sepakat');
  const allowed: Record<string, { args: number; flags: string[] }> = {
    kasus: { args: 0, flags: ['status'] },
    tugas: { args: 0, flags: ['kasus'] },
    linimasa: { args: 1, flags: [] },
    bertindak: { args: 1, flags: ['pilihan', 'catatan', 'isian'] },
    surat: { args: 0, flags: ['ke'] },
    register: { args: 0, flags: ['pemda', 'tahun', 'seri', 'status', 'csv', 'pdf'] },
    lanjutkan: { args: 1, flags: [] },
    sapu: { args: 0, flags: [] },
    perjanjian: { args: 1, flags: [] },
    batalkan: { args: 1, flags: ['alasan'] },
    kalender: { args: 2, flags: [] },
    'muat-ulang': { args: 0, flags: [] },
    'pindah-versi': { args: 2, flags: ['alasan', 'langkah'] },
    'kms-buat': { args: 0, flags: ['jenis', 'keterangan'] },
    'kms-csr': { args: 1, flags: ['nama', 'jabatan', 'nip', 'instansi', 'keluaran', 'region'] },
    'kms-pasang': { args: 3, flags: ['sertifikat', 'rantai', 'config', 'region'] },
    sop: { args: 2, flags: ['pemda', 'config', 'versi', 'pdf'] },
    // Its subcommands check their own arguments and options.
    arsip: {
      args: 2,
      flags: ['pemda', 'nomor', 'mitra', 'perihal', 'tahun', 'status', 'oleh', 'peran', 'alasan'],
    },
  };
  try {
    if (values.help || command === 'bantuan') {
      out(USAGE);
      return 0;
    }
    if (!command) throw salahPerintah('Sebutkan perintah.');
    const spec = allowed[command];
    if (!spec) throw salahPerintah(`Perintah "${command}" tidak dikenal.`);
    if (rest.length > spec.args)
      throw salahPerintah(`Argumen berlebih untuk ${command}: ${rest.slice(spec.args).join(' ')}.`);
    const stray = Object.keys(values).filter((k) => k !== 'data-dir' && k !== 'help' && !spec.flags.includes(k));
    if (stray.length)
      throw salahPerintah(`Pilihan ${stray.map((s) => `--${s}`).join(', ')} tidak berlaku untuk ${command}.`);
    switch (command) {
      case 'kasus':
        await kasus(dataDir, values.status, out);
        break;
      case 'tugas':
        await tugas(dataDir, kasusDari(values.kasus), out);
        break;
      case 'linimasa':
        await linimasa(dataDir, kasusDari(rest[0]), out);
        break;
      case 'bertindak':
        await bertindak(
          dataDir,
          rest[0],
          {
            ...(values.pilihan !== undefined ? { pilihan: values.pilihan } : {}),
            ...(values.catatan !== undefined ? { catatan: values.catatan } : {}),
            ...(values.isian ? { isian: values.isian } : {}),
          },
          out,
        );
        break;
      case 'surat':
        await surat(dataDir, values.ke, out);
        break;
      case 'register':
        await register(
          dataDir,
          {
            ...(values.pemda !== undefined ? { pemda: values.pemda } : {}),
            ...(values.tahun !== undefined ? { tahun: values.tahun } : {}),
            ...(values.seri !== undefined ? { seri: values.seri } : {}),
            ...(values.status !== undefined ? { status: values.status } : {}),
            ...(values.csv !== undefined ? { csv: values.csv } : {}),
            ...(values.pdf !== undefined ? { pdf: values.pdf } : {}),
          },
          out,
        );
        break;
      case 'lanjutkan': {
        const caseId = kasusDari(rest[0]);
        if (!caseId) throw salahPerintah('Sebutkan ID kasus.');
        const resumed = await withApp(dataDir, (app) => app.runtime.resumeCase(caseId, 'dilanjutkan-operator'));
        out(
          resumed ? `Kasus ${caseId} dilanjutkan (eksekusi ${resumed.executionName}).` : `Kasus ${caseId} tidak aktif.`,
        );
        break;
      }
      case 'sapu': {
        const swept = await withApp(dataDir, (app) => app.sweepStranded());
        out(
          `Kasus aktif diperiksa: ${swept.checked}; tanpa eksekusi berjalan: ${swept.found}; dilanjutkan: ${swept.resumed}; menunggu perbaikan: ${swept.awaitingFix}; gagal dilanjutkan: ${swept.failed}.`,
        );
        for (const c of swept.cases) out(`  ${c.caseId}  ${c.outcome}`);
        break;
      }
      case 'batalkan': {
        const caseId = kasusDari(rest[0]);
        if (!caseId) throw salahPerintah('Sebutkan ID kasus.');
        if (!values.alasan?.trim()) throw salahPerintah('Sebutkan alasan pembatalan dengan --alasan "…".');
        const operator = userInfo().username;
        const result = await withApp(dataDir, (app) =>
          app.caseAdmin.cancel(
            caseId,
            { id: `operator:${operator}`, nama: operator, jabatan: 'Operator' },
            values.alasan!,
          ),
        );
        if (result.result === 'tidak-valid') throw new Gagal(`${result.error}. Tidak ada yang diubah.`, 2);
        if (result.result === 'sudah-berakhir')
          throw new Gagal(`Kasus ${caseId} sudah berakhir (${result.record.status}); tidak dapat dibatalkan.`, 1);
        out(
          result.result === 'ditutup'
            ? `Kasus ${caseId} dibatalkan; ${result.cancelledTasks} tugas terbuka dihentikan, pemohon diberi tahu.`
            : `Kasus ${caseId} sudah ${result.closing.kind} sebelumnya; tidak ada yang diubah.`,
        );
        break;
      }
      case 'muat-ulang':
        await muatUlang(dataDir, out);
        break;
      case 'pindah-versi':
        await pindahVersi(
          dataDir,
          kasusDari(rest[0]),
          rest[1],
          { langkah: values.langkah, alasan: values.alasan },
          out,
        );
        break;
      case 'perjanjian':
        await perjanjian(dataDir, rest[0], out);
        break;
      case 'kalender':
        await kalender(dataDir, rest, out);
        break;
      case 'kms-csr':
        await kmsCsr(
          dataDir,
          rest[0],
          {
            ...(values.nama !== undefined ? { nama: values.nama } : {}),
            ...(values.jabatan !== undefined ? { jabatan: values.jabatan } : {}),
            ...(values.nip !== undefined ? { nip: values.nip } : {}),
            ...(values.instansi !== undefined ? { instansi: values.instansi } : {}),
            ...(values.keluaran !== undefined ? { keluaran: values.keluaran } : {}),
            ...(values.region !== undefined ? { region: values.region } : {}),
          },
          out,
        );
        break;
      case 'kms-buat':
        await kmsBuat(
          dataDir,
          {
            ...(values.jenis !== undefined ? { jenis: values.jenis } : {}),
            ...(values.keterangan !== undefined ? { keterangan: values.keterangan } : {}),
          },
          out,
        );
        break;
      case 'kms-pasang':
        await kmsPasang(
          dataDir,
          rest,
          {
            ...(values.sertifikat !== undefined ? { sertifikat: values.sertifikat } : {}),
            ...(values.rantai !== undefined ? { rantai: values.rantai } : {}),
            ...(values.config !== undefined ? { config: values.config } : {}),
            ...(values.region !== undefined ? { region: values.region } : {}),
          },
          out,
        );
        break;
      case 'sop':
        // `sop periksa <berkas>` checks a file; `sop dokumen <id>` writes its SOP AP document.
        if (rest[0] === 'periksa') await sopPeriksa(rest, { pemda: values.pemda, config: values.config }, out);
        else await sopPerintah(rest, values.versi, values.pdf, out);
        break;
      case 'arsip': {
        const { 'data-dir': _dataDir, help: _help, isian: _isian, ...strings } = values;
        await arsip(dataDir, rest, strings, out);
        break;
      }
    }
    return 0;
  } catch (error) {
    if (error instanceof Gagal) {
      console.error(error.message);
      return error.code;
    }
    const text = String((error as Error)?.message ?? error);
    const code =
      (error as { code?: string; cause?: { code?: string } })?.code ??
      (error as { cause?: { code?: string } })?.cause?.code;
    if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(text)) {
      console.error(`Runtime Sepakat tidak dapat dihubungi (${text}). Jalankan \`npm start\` lalu ulangi.`);
      return 3;
    }
    console.error(`Gagal: ${text}`);
    return 1;
  }
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const code = await main(process.argv.slice(2));
  // Flush, then exit: idle keep-alive sockets must not hold the process open.
  await new Promise<void>((ok) => process.stdout.write('', () => ok()));
  process.exit(code);
}
