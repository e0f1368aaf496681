import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { createDirectory, DirectorySchema, type DirectoryData } from '../core/directory/directory.ts';
import { checkAgainstDirectory } from '../core/sop/load-checks.ts';
import { formatIssue, InvalidDefinitionError, loadSop } from '../core/sop/load-sop.ts';
import { checkSopFile, loadCatalog } from '../functions/adapters/catalog.ts';
import { createSepakat, environmentFrom } from '../infra/stacks.ts';
import { readSettings } from '../infra/settings.ts';
import { PROJECT_ROOT } from '../local/runtime.ts';

/**
 * The loader refuses what could otherwise only stop a case at run time (issue 15, item 3): one test per check, each
 * with its Indonesian message naming the file, the step and the field; the seeds and fixtures pass every check; the
 * `sop periksa` command and the synth run the same checks.
 */

const FILE = 'uji-periksa.yaml';
type Raw = Record<string, unknown>;

const field = (id: string, extra: Raw = {}) => ({ id, label: id, type: 'text', ...extra });
const step = (id: string, actor: string, extra: Raw = {}) => ({
  id,
  no: id.slice(1),
  uraian: `Langkah ${id}`,
  actor,
  output: `Keluaran ${id}`,
  fields: [field(`catatan-${id.toLowerCase()}`)],
  ...extra,
});
/** What a notulen cannot be made without (core/documents/vocabulary.ts WAJIB_DOKUMEN). */
const NOTULEN_FIELDS = [
  field('notulen-pembahasan', { caseData: true }),
  field('notulen-kesimpulan', { caseData: true }),
];
const sign = { action: 'tandatangan', dokumen: 'kesepakatan-bersama', nomor: 'naskah' };
const reserve = { action: 'nomor', seri: 'kesepakatan-bersama', untuk: 'naskah' };

/** A small SOP of Kota Contoh: its steps given by the test. */
function sop(steps: Raw[], extra: Raw = {}): Raw {
  return {
    id: 'uji-periksa',
    version: 1,
    pemda: 'kota-contoh',
    source: { file: 'uji' },
    header: { unit: ['BAGIAN KERJASAMA'], nama: 'Uji pemeriksaan', tanggalEfektif: '2026-01-01' },
    intake: { data: [field('perihal'), field('pihak-mitra')] },
    actors: [
      { id: 'staf-kerjasama', jabatan: 'Analis Kerja Sama', kind: 'internal' },
      { id: 'kabag-kerjasama', jabatan: 'Kepala Bagian Kerjasama', kind: 'internal' },
      { id: 'walikota', jabatan: 'Walikota', kind: 'internal' },
    ],
    steps,
    ...extra,
  };
}

/** The problems the loader finds in the SOP (empty when it loads). */
function loadProblems(raw: Raw): string[] {
  try {
    loadSop(stringifyYaml(raw), FILE);
    return [];
  } catch (error) {
    if (error instanceof InvalidDefinitionError) return error.issues.map(formatIssue);
    throw error;
  }
}

const KOTA_DIRECTORY = join(PROJECT_ROOT, 'config/pemda/kota-contoh.yaml');
const kotaData = (): DirectoryData => DirectorySchema.parse(parseYaml(readFileSync(KOTA_DIRECTORY, 'utf8')));

/** The problems of the SOP against Kota Contoh's directory, changed by `edit`. */
function directoryProblems(raw: Raw, edit: (data: DirectoryData) => void = () => {}): string[] {
  const data = kotaData();
  edit(data);
  const loaded = loadSop(stringifyYaml(raw), FILE);
  return checkAgainstDirectory(loaded, FILE, createDirectory(data, 'kota-contoh.yaml'), 'kota-contoh.yaml').map(
    formatIssue,
  );
}

describe('numbers: refused only where a document would print one not yet reserved', () => {
  it('refuses a naskah signed before its number is reserved, naming file, step and field', () => {
    const problems = loadProblems(
      sop([
        step('L1', 'staf-kerjasama'),
        step('L2', 'walikota', {
          kind: 'tandatangan',
          choices: [{ value: 'tandatangani', label: 'Tandatangani', next: 'L3', automatic: [sign] }],
        }),
        step('L3', 'staf-kerjasama', { automatic: { after: [reserve, { action: 'daftar', nomor: 'naskah' }] } }),
      ]),
    );
    expect(problems).toEqual([
      `${FILE}: langkah L2: L2.tandatangani.automatic[0].nomor: nomor "naskah" dipakai kesepakatan-bersama yang ditampilkan saat tugas tanda tangan dibuka sebelum dicadangkan, pada sedikitnya satu jalur alur: cadangkan dengan aksi "nomor" (untuk: naskah) pada langkah sebelumnya di setiap jalur, atau sebut seri pada aksi "tandatangan" agar nomor diambil saat tugas tanda tangan dibuka (Ambil Nomor)`,
    ]);
  });

  it('accepts "sign, then number" when the signing task takes the number as it opens (Ambil Nomor)', () => {
    const raw = sop([
      step('L1', 'staf-kerjasama'),
      step('L2', 'walikota', {
        kind: 'tandatangan',
        choices: [
          {
            value: 'tandatangani',
            label: 'Tandatangani',
            next: 'L3',
            automatic: [{ ...sign, seri: 'kesepakatan-bersama' }],
          },
        ],
      }),
      step('L3', 'staf-kerjasama', { automatic: { after: [reserve, { action: 'daftar', nomor: 'naskah' }] } }),
    ]);
    expect(loadProblems(raw)).toEqual([]);
    expect(directoryProblems(raw)).toEqual([]);
  });

  it('refuses a number reserved on one path only (a choice that skips the reservation)', () => {
    const problems = loadProblems(
      sop([
        step('L1', 'staf-kerjasama', {
          choices: [
            { value: 'nomori', label: 'Beri nomor', next: 'L2' },
            { value: 'langsung', label: 'Langsung ke tanda tangan', next: 'L3' },
          ],
        }),
        step('L2', 'staf-kerjasama', { automatic: { after: [reserve] } }),
        step('L3', 'walikota', {
          kind: 'tandatangan',
          choices: [{ value: 'tandatangani', label: 'Tandatangani', next: 'selesai', automatic: [sign] }],
        }),
      ]),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^uji-periksa\.yaml: langkah L3: L3\.tandatangani\.automatic\[0\]\.nomor: nomor "naskah" dipakai .* pada sedikitnya satu jalur alur/,
    );
  });

  it('refuses registering (daftar) a number before it is reserved', () => {
    const problems = loadProblems(
      sop([
        step('L1', 'staf-kerjasama', { automatic: { after: [{ action: 'daftar', nomor: 'naskah' }] } }),
        step('L2', 'staf-kerjasama', { automatic: { after: [reserve] } }),
      ]),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^uji-periksa\.yaml: langkah L1: L1\.lanjut\.automatic\[0\]\.nomor: nomor "naskah" dipakai aksi "daftar" sebelum dicadangkan/,
      ),
    ]);
  });

  it('keeps the check of a number no action of the SOP reserves at all', () => {
    const problems = loadProblems(
      sop([step('L1', 'staf-kerjasama', { automatic: { after: [{ action: 'arsip', nomor: 'naskah' }] } })]),
    );
    expect(problems).toContain(
      `${FILE}: langkah L1: L1.lanjut.automatic[0].nomor: nomor "naskah" tidak dicadangkan oleh aksi "nomor" mana pun di SOP ini`,
    );
  });
});

describe('gates: on a field collected before them on every path', () => {
  const gate = {
    id: 'G1',
    gate: { question: 'Membebani APBD?', field: 'apbd', equals: true, then: 'L3', else: 'selesai' },
  };
  const collects = { fields: [field('apbd', { type: 'boolean', caseData: true })] };

  it('refuses a gate that one path reaches without the step that collects its field', () => {
    const problems = loadProblems(
      sop([
        step('L1', 'staf-kerjasama', {
          choices: [
            { value: 'periksa', label: 'Periksa APBD', next: 'L2' },
            { value: 'lewati', label: 'Lewati', next: 'G1' },
          ],
        }),
        step('L2', 'staf-kerjasama', { ...collects, next: 'G1' }),
        gate,
        step('L3', 'kabag-kerjasama'),
      ]),
    );
    expect(problems).toEqual([
      `${FILE}: langkah G1: gate.field: "apbd" belum dikumpulkan pada sedikitnya satu jalur alur menuju gerbang ini: setiap jalur harus melewati langkah yang mengisinya (caseData) atau mengambilnya dari data permohonan`,
    ]);
  });

  it('refuses a gate placed before the step that collects its field', () => {
    const problems = loadProblems(
      sop([step('L1', 'staf-kerjasama', { next: 'G1' }), gate, step('L3', 'kabag-kerjasama', collects)]),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^uji-periksa\.yaml: langkah G1: gate\.field: "apbd" belum dikumpulkan/),
    ]);
  });

  it('accepts the gate when every path collects the field, and keeps refusing a field collected nowhere', () => {
    expect(
      loadProblems(
        sop([step('L1', 'staf-kerjasama', { ...collects, next: 'G1' }), gate, step('L3', 'kabag-kerjasama')]),
      ),
    ).toEqual([]);
    expect(
      loadProblems(sop([step('L1', 'staf-kerjasama', { next: 'G1' }), gate, step('L3', 'kabag-kerjasama')])),
    ).toEqual([`${FILE}: langkah G1: gate.field: "apbd" bukan data permohonan atau isian caseData`]);
  });
});

describe('the people the documents print, in the pemda directory', () => {
  const letter = (extra: Raw = {}) =>
    sop([
      step('L1', 'staf-kerjasama', {
        automatic: { after: [{ action: 'dokumen', dokumen: 'surat-pengantar' }] },
        ...extra,
      }),
    ]);

  it('refuses a letter signer without pangkat (the letter prints NIP and pangkat)', () => {
    const problems = directoryProblems(letter(), (d) => {
      delete d.people.find((p) => p.id === 'kabag-ks')!.pangkat;
    });
    expect(problems).toEqual([
      `${FILE}: langkah L1: L1.lanjut.automatic[0].dokumen: penandatangan surat (pemda.dokumen.penandatanganSurat) surat-pengantar mencetak NIP dan pangkat: Hendra Gunawan, S.H., M.H. (Kepala Bagian Kerjasama) memerlukan NIP 18 digit dan pangkat/golongan: lengkapi data pejabat di direktori pemda (people.kabag-ks di direktori kota-contoh (kota-contoh.yaml))`,
    ]);
  });

  it('refuses the official who signs a letter on a signing task without NIP', () => {
    const raw = sop(
      [
        step('L1', 'kabag-kerjasama', {
          kind: 'tandatangan',
          choices: [
            {
              value: 'tandatangani',
              label: 'Tandatangani',
              next: 'selesai',
              automatic: [{ action: 'tandatangan', dokumen: 'nota-dinas', nomor: 'nota-dinas', seri: 'surat-keluar' }],
            },
          ],
        }),
      ],
      { intake: { data: [field('perihal'), field('pihak-mitra'), field('nota-dinas-kepada', { caseData: true })] } },
    );
    expect(directoryProblems(raw)).toEqual([]);
    const problems = directoryProblems(raw, (d) => {
      delete d.people.find((p) => p.id === 'kabag-ks')!.nip;
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /^uji-periksa\.yaml: langkah L1: L1\.tandatangani\.automatic\[0\]\.dokumen: penandatangan nota-dinas mencetak NIP dan pangkat: Hendra Gunawan.*memerlukan NIP 18 digit/,
      ),
    ]);
  });

  it('refuses a notulen whose step names no notulis', () => {
    const problems = directoryProblems(
      sop([
        step('L1', 'staf-kerjasama', {
          fields: NOTULEN_FIELDS,
          automatic: { after: [{ action: 'dokumen', dokumen: 'notulen-rapat' }] },
        }),
      ]),
    );
    expect(problems).toEqual([
      `${FILE}: langkah L1: L1.lanjut.automatic[0].dokumen: notulen-rapat memerlukan notulisnya: langkah ini harus mencatat rapat (rapat: { catat: notulen }) dengan isian "notulen-pencatat" (pegawai) pada L1`,
    ]);
  });

  it("refuses an SOP whose pemda's signer of the naskah (the kepala daerah) is missing on a date it is in force", () => {
    const problems = directoryProblems(letter(), (d) => {
      d.roles['walikota'] = [{ person: 'walikota', to: '2026-09-30' }];
    });
    expect(problems).toContain(
      `${FILE}: actors: penandatangan pihak pemda (WALIKOTA CONTOH, peran "walikota" pada pemda.dokumen.kepalaDaerah) tidak dipegang siapa pun pada 2026-10-01 di direktori kota-contoh (kota-contoh.yaml); SOP berlaku sejak 2026-01-01`,
    );
  });
});

describe('actors: somebody holds each on every date the SOP is in force', () => {
  const raw = sop([step('L1', 'staf-kerjasama'), step('L2', 'kabag-kerjasama')]);

  it('refuses an actor nobody holds after a holder leaves', () => {
    const problems = directoryProblems(raw, (d) => {
      d.roles['kabag-kerjasama'] = [{ person: 'kabag-ks', to: '2026-12-31' }];
    });
    expect(problems).toEqual([
      `${FILE}: langkah L2: actors.kabag-kerjasama: tidak ada pejabat yang memegang peran "kabag-kerjasama" (Kepala Bagian Kerjasama) pada 2027-01-01 di direktori kota-contoh (kota-contoh.yaml) (roles/acting); SOP berlaku sejak 2026-01-01`,
    ]);
  });

  it('refuses an actor whose holder starts after the SOP is in force, and accepts a Plh covering the gap', () => {
    const late = (d: DirectoryData) => {
      d.roles['kabag-kerjasama'] = [{ person: 'kabag-ks', from: '2026-03-01' }];
    };
    expect(directoryProblems(raw, late)).toEqual([expect.stringContaining('pada 2026-01-01 di direktori kota-contoh')]);
    expect(
      directoryProblems(raw, (d) => {
        late(d);
        d.acting.push({
          person: 'kasubbag-ks',
          role: 'kabag-kerjasama',
          sebagai: 'Plh',
          from: '2025-12-01',
          to: '2026-02-28',
        });
      }),
    ).toEqual([]);
  });

  it('keeps refusing a role the directory lacks and a series its register lacks', () => {
    const problems = directoryProblems(
      sop([
        step('L1', 'staf-kerjasama', {
          automatic: { after: [{ action: 'nomor', seri: 'tidak-ada', untuk: 'naskah' }] },
        }),
      ]),
      (d) => {
        delete d.roles['walikota'];
      },
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        `${FILE}: langkah L1: L1.lanjut.automatic[0].seri: seri penomoran "tidak-ada" tidak ada di penomoran direktori kota-contoh (kota-contoh.yaml)`,
        `${FILE}: actors.walikota: peran "walikota" tidak ada di direktori kota-contoh (kota-contoh.yaml)`,
      ]),
    );
  });
});

describe('the seeds and the fixtures', () => {
  const files = [
    'sops/bandung-kerjasama-teknik-luar-negeri.yaml',
    'sops/blitar-pengkoordinasian-nota-kesepakatan.yaml',
    'sops/kota-penyusunan-kesepakatan-bersama.yaml',
    'test/fixtures/sops/fixture-kerja-sama-pihak-ketiga.yaml',
  ];

  it.each(files)('%s passes every check', (file) => {
    expect(checkSopFile(join(PROJECT_ROOT, file), { configDir: join(PROJECT_ROOT, 'config') })).toEqual([]);
  });

  it('load together in the catalog', () => {
    const catalog = loadCatalog({
      sopDirs: [join(PROJECT_ROOT, 'sops'), join(PROJECT_ROOT, 'test/fixtures/sops')],
      configDir: join(PROJECT_ROOT, 'config'),
    });
    expect(catalog.sops.all()).toHaveLength(4);
  });
});

/** A project root of its own: the real config, and sops/ with the SOPs the test writes. */
const roots: string[] = [];
function rootWith(sops: Record<string, Raw>): string {
  const root = mkdtempSync(join(tmpdir(), 'sepakat-periksa-'));
  roots.push(root);
  cpSync(join(PROJECT_ROOT, 'config'), join(root, 'config'), { recursive: true });
  mkdirSync(join(root, 'sops'));
  for (const [name, raw] of Object.entries(sops)) writeFileSync(join(root, 'sops', name), stringifyYaml(raw));
  return root;
}
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

/** Signed with a number no step reserves: refused twice (where it is printed, and reserved nowhere). */
const unnumbered = sop([
  step('L1', 'staf-kerjasama'),
  step('L2', 'walikota', {
    kind: 'tandatangan',
    choices: [{ value: 'tandatangani', label: 'Tandatangani', next: 'selesai', automatic: [sign] }],
  }),
]);

describe('npm run sepakat -- sop periksa', () => {
  function sepakat(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((done) => {
      execFile(
        join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'),
        ['cli/sepakat.ts', ...args],
        {
          cwd: PROJECT_ROOT,
          env: { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}` },
          timeout: 30_000,
        },
        (error, stdout, stderr) =>
          done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
      );
    });
  }

  it('says a seed passes, with exit code 0 and nothing started', async () => {
    const result = await sepakat([
      'sop',
      'periksa',
      'sops/blitar-pengkoordinasian-nota-kesepakatan.yaml',
      '--data-dir',
      '/nonexistent',
    ]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.trim()).toBe(
      'SOP sops/blitar-pengkoordinasian-nota-kesepakatan.yaml: lolos semua pemeriksaan',
    );
  });

  it('lists every problem with exit code 1', async () => {
    const root = rootWith({ 'uji-periksa.yaml': unnumbered });
    const file = join(root, 'sops', 'uji-periksa.yaml');
    const result = await sepakat(['sop', 'periksa', file, '--config', join(root, 'config')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([
      `SOP ${file}: 2 masalah`,
      `- ${file}: langkah L2: L2.tandatangani.automatic[0].nomor: nomor "naskah" tidak dicadangkan oleh aksi "nomor" mana pun di SOP ini`,
      expect.stringMatching(
        /^- .*uji-periksa\.yaml: langkah L2: L2\.tandatangani\.automatic\[0\]\.nomor: nomor "naskah" dipakai /,
      ),
    ]);
  });

  it('checks against the directory of --pemda', async () => {
    const result = await sepakat([
      'sop',
      'periksa',
      'sops/kota-penyusunan-kesepakatan-bersama.yaml',
      '--pemda',
      'kab-blitar',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      '- sops/kota-penyusunan-kesepakatan-bersama.yaml: langkah L12: actors.walikota: peran "walikota" tidak ada di direktori kab-blitar (config/pemda/kab-blitar.yaml)',
    );
  });
});

describe('npm run synth', () => {
  it('stops with the messages when an SOP in sops/ fails a check', () => {
    const numbered = sop([
      step('L1', 'staf-kerjasama', { automatic: { after: [reserve] } }),
      step('L2', 'kabag-kerjasama', {
        fields: NOTULEN_FIELDS,
        automatic: { after: [{ action: 'dokumen', dokumen: 'notulen-rapat' }] },
      }),
    ]);
    const root = rootWith({ 'uji-periksa.yaml': numbered });
    const context = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context as Raw;
    const settings = readSettings((key) => context[key], root);
    const synth = () => createSepakat(new App(), { settings, root, env: environmentFrom({}, settings) });
    expect(synth).toThrow(InvalidDefinitionError);
    expect(synth).toThrow(
      `${join(root, 'sops', 'uji-periksa.yaml')}: langkah L2: L2.lanjut.automatic[0].dokumen: notulen-rapat memerlukan notulisnya`,
    );
  });
});
