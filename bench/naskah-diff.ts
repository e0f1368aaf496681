/**
 * Benchmark: the reviewer's diff of a naskah (core/naskah/diff.ts) and the view the task page shows of it
 * (core/naskah/diff-view.ts), on a naskah of 60 pasal (the editor's limit), 4 ayat each of 300–600 characters,
 * some with butir: about 110,000 characters.
 *
 *   npx tsx bench/naskah-diff.ts [--runs R] [--quick]
 *
 * Default R = 300 timed runs per scenario after 30 untimed; --quick: R = 50 (stated in the output). Scenarios:
 * - **review**: what a reviewer typically meets: a pasal inserted at 2, one moved from 4 to 40, one deleted, six
 *   ayat reworded by a few words, the title changed;
 * - **every ayat**: a word changed in each of the 240 ayat;
 * - **rewritten**: every ayat replaced by the wording of another (the same vocabulary, other sentences): the word
 *   diff's worst case.
 * Baseline in the same run (alternating): a positional walk comparing every text of the two versions for equality,
 * the floor of any diff (every text is looked at once). Wall-clock percentiles suffer when the machine is shared
 * (the load average is printed); the CPU time of the diffs divided by their number is given beside them. Prints a table, then one line `BENCH_JSON {…}` for
 * run-all.ts. `--cases` (for other benches) is ignored.
 */
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { diffNaskah, summarizeDiff } from '../core/naskah/diff.ts';
import { perubahanView } from '../core/naskah/diff-view.ts';
import type { NaskahContent, Pasal } from '../core/naskah/content.ts';
import type { SummaryRow } from './concurrent-cases.ts';
import { percentile, ratio, round, table } from './stats.ts';

export const BENCH_NAME = 'naskah-diff';

const SENTENCES = [
  'PARA PIHAK sepakat untuk melaksanakan kerja sama di bidang pengelolaan sampah secara terpadu, berkelanjutan dan berwawasan lingkungan',
  'Pelaksanaan kerja sama sebagaimana dimaksud pada ayat (1) dilakukan oleh perangkat daerah yang membidangi urusan lingkungan hidup',
  'Segala biaya yang timbul akibat pelaksanaan Kesepakatan Bersama ini dibebankan kepada Anggaran Pendapatan dan Belanja Daerah masing-masing pihak',
  'Dalam hal terjadi keadaan kahar, pihak yang mengalaminya wajib memberitahukan secara tertulis kepada pihak lainnya paling lambat 14 (empat belas) hari kalender',
  'Perselisihan yang timbul dalam pelaksanaan Kesepakatan Bersama ini diselesaikan secara musyawarah untuk mufakat oleh PARA PIHAK',
  'Monitoring dan evaluasi dilaksanakan paling sedikit 1 (satu) kali dalam 6 (enam) bulan dan hasilnya dilaporkan kepada kepala daerah',
];

function ayatText(p: number, a: number): string {
  const n = 2 + ((p * 7 + a * 3) % 3);
  const sentence = Array.from({ length: n }, (_, k) => SENTENCES[(p + a + k) % SENTENCES.length]).join('; ');
  const butir =
    a === 1 ? '\npertukaran data dan informasi;\npeningkatan kapasitas sumber daya manusia; dan\nkegiatan lain.' : '';
  return `${sentence} (ketentuan ${p}.${a}).${butir}`;
}

export function naskah60(): NaskahContent {
  const pasal: Pasal[] = Array.from({ length: 60 }, (_, i) => ({
    id: `p-${i + 1}`,
    judul: `Ketentuan ${i + 1}`,
    ayat: Array.from({ length: 4 }, (_, j) => ({ id: `a-${i + 1}-${j + 1}`, teks: ayatText(i + 1, j + 1) })),
  }));
  return {
    jenis: 'kesepakatan-bersama',
    tentang: 'Kerja Sama Pengelolaan Sampah Terpadu',
    pertimbangan: [{ id: 'b-1', teks: 'bahwa pengelolaan sampah merupakan urusan pemerintahan konkuren;' }],
    dasar: [{ id: 'd-1', teks: 'Undang-Undang Nomor 23 Tahun 2014 tentang Pemerintahan Daerah;' }],
    pasal,
  };
}

const reword = (teks: string) => teks.replace('secara', 'dengan cara').replace('paling', 'sekurang-kurangnya');

export function scenarios(): { name: string; before: NaskahContent; after: NaskahContent }[] {
  const before = naskah60();
  const review = (): NaskahContent => {
    const pasal = before.pasal.map((p, i) =>
      i % 10 === 5
        ? { ...p, ayat: p.ayat.map((a, j) => (j === 0 ? { ...a, teks: reword(a.teks) + ' Tambahan.' } : a)) }
        : p,
    );
    const [moved] = pasal.splice(3, 1);
    pasal.splice(39, 0, moved!);
    pasal.splice(20, 1);
    pasal.splice(1, 0, { id: 'p-baru', judul: 'Kerahasiaan', ayat: [{ id: 'a-baru', teks: ayatText(99, 1) }] });
    return { ...before, tentang: `${before.tentang} di Kota Contoh`, pasal };
  };
  const everyAyat: NaskahContent = {
    ...before,
    pasal: before.pasal.map((p) => ({ ...p, ayat: p.ayat.map((a) => ({ ...a, teks: `${a.teks} Berlaku.` })) })),
  };
  const rewritten: NaskahContent = {
    ...before,
    pasal: before.pasal.map((p, i) => ({
      ...p,
      ayat: p.ayat.map((a, j) => ({
        ...a,
        teks: ayatText(i + 31, j + 2)
          .split('')
          .reverse()
          .join(''),
      })),
    })),
  };
  return [
    { name: 'review', before, after: review() },
    { name: 'every ayat', before, after: everyAyat },
    { name: 'rewritten', before, after: rewritten },
  ];
}

/** The floor: every text of the two versions compared by position. */
function positional(a: NaskahContent, b: NaskahContent): number {
  let differ = a.tentang === b.tentang ? 0 : 1;
  const n = Math.max(a.pasal.length, b.pasal.length);
  for (let i = 0; i < n; i++) {
    const x = a.pasal[i];
    const y = b.pasal[i];
    if (x?.judul !== y?.judul) differ++;
    const m = Math.max(x?.ayat.length ?? 0, y?.ayat.length ?? 0);
    for (let j = 0; j < m; j++) if (x?.ayat[j]?.teks !== y?.ayat[j]?.teks) differ++;
  }
  return differ;
}

const META = {
  before: { versi: 3, at: '2026-12-01T02:00:00.000Z', by: { nama: 'Budi', jabatan: 'Kasubbag' } },
  after: { versi: 4, at: '2026-12-02T02:00:00.000Z', by: { nama: 'Budi', jabatan: 'Kasubbag' } },
  reason: 'acted' as const,
  timeZone: 'WIB' as const,
};

interface Row {
  scenario: string;
  summary: string;
  /** CPU time (user + system) of the timed diffs, per diff. */
  diffCpuMean: number;
  diffP50: number;
  diffP95: number;
  viewP50: number;
  viewP95: number;
  baselineP50: number;
}

export function runNaskahDiffBench(options: { runs: number; quick: boolean }) {
  const rows: Row[] = [];
  let sink = 0;
  for (const s of scenarios()) {
    const diff: number[] = [];
    const view: number[] = [];
    const base: number[] = [];
    let cpu = 0;
    for (let r = -30; r < options.runs; r++) {
      const c = process.cpuUsage();
      let t = performance.now();
      const d = diffNaskah(s.before, s.after);
      const tDiff = performance.now() - t;
      const used = process.cpuUsage(c);
      if (r >= 0) cpu += (used.user + used.system) / 1000;
      t = performance.now();
      const v = perubahanView(diffNaskah(s.before, s.after), META);
      const tView = performance.now() - t;
      t = performance.now();
      sink += positional(s.before, s.after);
      const tBase = performance.now() - t;
      sink += d.pasal.length + v.pasal.length;
      if (r < 0) continue;
      diff.push(tDiff);
      view.push(tView);
      base.push(tBase);
    }
    rows.push({
      scenario: s.name,
      summary: summarizeDiff(diffNaskah(s.before, s.after)).text,
      diffCpuMean: round(cpu / options.runs, 3),
      diffP50: round(percentile(diff, 50), 3),
      diffP95: round(percentile(diff, 95), 3),
      viewP50: round(percentile(view, 50), 3),
      viewP95: round(percentile(view, 95), 3),
      baselineP50: round(percentile(base, 50), 3),
    });
  }
  const summary: SummaryRow[] = rows.flatMap((r) => [
    {
      metric: `diff, ${r.scenario}, p95`,
      unit: 'ms',
      value: r.diffP95,
      baseline: r.baselineP50,
      ratio: ratio(r.diffP95, r.baselineP50),
    },
    { metric: `diff + view, ${r.scenario}, p95`, unit: 'ms', value: r.viewP95 },
    { metric: `diff, ${r.scenario}, CPU per run`, unit: 'ms', value: r.diffCpuMean },
  ]);
  return {
    bench: BENCH_NAME,
    runs: options.runs,
    quick: options.quick,
    loadAverage: round(loadavg()[0]!, 1),
    cpus: availableParallelism(),
    rows,
    summary,
    sink: sink > 0,
  };
}

function report(result: ReturnType<typeof runNaskahDiffBench>): string {
  return [
    `naskah-diff: 60 pasal × 4 ayat, ${result.runs} runs per scenario${result.quick ? ' (--quick)' : ''}; ` +
      `load average ${result.loadAverage} on ${result.cpus} CPUs`,
    table(
      [
        'scenario',
        'diff cpu/run ms',
        'diff p50 ms',
        'diff p95 ms',
        'diff+view p50',
        'diff+view p95',
        'positional p50',
        'summary',
      ],
      result.rows.map((r) => [
        r.scenario,
        r.diffCpuMean,
        r.diffP50,
        r.diffP95,
        r.viewP50,
        r.viewP95,
        r.baselineP50,
        r.summary,
      ]),
    ),
  ].join('\n');
}

function parseArgs(argv: readonly string[]): { runs: number; quick: boolean } {
  let runs = 300;
  let quick = false;
  let runsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') quick = true;
    else if (arg === '--runs') [runs, runsGiven] = [Number(argv[++i]), true];
    else if (arg.startsWith('--runs=')) [runs, runsGiven] = [Number(arg.split('=')[1]), true];
    // Meant for other benches (run-all.ts passes every argument to every bench).
    else if (arg === '--cases' || arg === '--analytics-cases') i++;
    else if (arg.startsWith('--') && arg.includes('=')) continue;
    else if (arg === '--skip-baseline' || arg === '--keep') continue;
    else throw new Error(`unknown argument ${arg}`);
  }
  if (quick && !runsGiven) runs = 50;
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  return { runs, quick };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const result = runNaskahDiffBench(parseArgs(process.argv.slice(2)));
    process.stdout.write(`${report(result)}\n`);
    process.stdout.write(`BENCH_JSON ${JSON.stringify(result)}\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  }
}
