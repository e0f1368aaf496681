import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCaseNumber, matchesCaseNumber, parseCaseNumber } from '../core/case/case-number.ts';
import { isGate } from '../core/sop/schema.ts';
import { activityLabel, stepLabel } from '../core/sop/step-label.ts';
import { loadSops } from '../functions/adapters/catalog.ts';
import { Templates } from '../functions/adapters/page-templates.ts';
import { PROJECT_ROOT } from '../local/runtime.ts';
import { SEED_SOPS } from './support/runtime.ts';

/**
 * What people read on pages and in emails: a step is "Langkah 5 — …" wherever it is named (one function, one
 * template helper), and a case number is shown grouped for reading aloud, while whatever a person types back (grouped
 * or as stored) names the same case.
 */
describe('step labels', () => {
  it('read "Langkah <no> — <text>", whatever dot the SOP table printed after the number', () => {
    expect(stepLabel('1.', 'Mencermati permohonan')).toBe('Langkah 1 — Mencermati permohonan');
    expect(stepLabel('13.', 'Mengarsipkan')).toBe('Langkah 13 — Mengarsipkan');
    expect(stepLabel('5', 'Menelaah')).toBe('Langkah 5 — Menelaah');
    expect(stepLabel(' 7 .', 'Rapat')).toBe('Langkah 7 — Rapat');
    // A gate has no number: its text alone.
    expect(stepLabel(undefined, 'Apakah disepakati?')).toBe('Apakah disepakati?');
  });

  it('name every activity of the seed SOPs cleanly, a link of a chain by its own action', () => {
    const sops = loadSops([SEED_SOPS]).all();
    expect(sops.length).toBeGreaterThanOrEqual(3);
    for (const sop of sops)
      for (const node of sop.nodes) {
        if (node.type !== 'activity') continue;
        const label = activityLabel(sop, node);
        const step = sop.step(node.stepId);
        expect(isGate(step)).toBe(false);
        expect(label).toMatch(/^Langkah \d+ — \S/);
        expect(label).not.toMatch(/\d[.:]\s|\.\./);
        expect(label.endsWith(node.label)).toBe(true);
      }
  });

  it('are written by the `labelLangkah` helper in emails and pages (no "Langkah 1.:" or "1.. …")', () => {
    const templates = new Templates(join(PROJECT_ROOT, 'templates'));
    // Step 1 of the Kota SOP is numbered "1." in its table: the trailing dot never reaches the reader.
    const kota = loadSops([SEED_SOPS])
      .all()
      .find((s) => s.definition.id === 'kota-penyusunan-kesepakatan-bersama')!;
    const step = kota.step('L1');
    expect(!isGate(step) && step.no).toBe('1.');
    const activity = kota.node('L1');
    const model = {
      person: { nama: 'Hendra', jabatan: 'Kepala Bagian' },
      perihal: 'Kerja sama',
      caseId: '20261207-w6hz2ykipm',
      sopNama: kota.definition.header.nama,
      step,
      activity,
      url: 'http://127.0.0.1/tugas/x',
    };
    for (const template of ['tugas-baru', 'pengingat', 'eskalasi', 'tugas-dialihkan'] as const) {
      const mail = templates.render(template, {
        ...model,
        jenis: 'terlambat',
        atasan: model.person,
        kepada: model.person,
        oleh: model.person,
      });
      expect(mail.text, template).toContain(`Langkah 1 — ${!isGate(step) && step.uraian}`);
      expect(mail.text, template).not.toMatch(/Langkah 1\.|1\.\./);
    }
    const page = templates.page(
      'tugas',
      { ...model, record: { caseId: model.caseId, perihal: 'Kerja sama', pemohon: {} }, task: { person: {} } },
      { title: 'Tugas' },
    );
    expect(page).toContain(`<dd>Langkah 1 — ${!isGate(step) && step.uraian}`);
    // The case number on the page: grouped for reading aloud, the stored id as its machine-readable value.
    expect(page).toContain('<data value="20261207-w6hz2ykipm">2026-1207-W6HZ2-YKIPM</data>');
  });
});

describe('case numbers', () => {
  const stored = '20261207-w6hz2ykipm';

  it('are shown in groups of four and five, letters in capitals', () => {
    expect(formatCaseNumber(stored)).toBe('2026-1207-W6HZ2-YKIPM');
    // Anything that is not a stored case id is shown as it is.
    expect(formatCaseNumber('20261102-selesai')).toBe('20261102-selesai');
    expect(formatCaseNumber('kasus-a')).toBe('kasus-a');
  });

  it('are understood as typed: grouped or stored, spaces, dashes, any case, 0 for O and 8 for B', () => {
    for (const typed of [
      stored,
      '2026-1207-W6HZ2-YKIPM',
      '2026 1207 w6hz2 ykipm',
      ' 20261207W6HZ2YKIPM ',
      '2026.1207.W6HZ2.YKIPM',
      '2026–1207–W6HZ2–YKIPM',
    ])
      expect(parseCaseNumber(typed), typed).toBe(stored);
    expect(parseCaseNumber('2026-1207-ABCD0-88XYZ')).toBe('20261207-abcdobbxyz');
    for (const other of [
      '',
      'Kerja sama',
      '2026-1207',
      '2026-1207-W6HZ2-YKIPM-X',
      '2026-1207-W6HZ1-YKIPM',
      'ABCD-1207-W6HZ2-YKIPM',
    ])
      expect(parseCaseNumber(other), other).toBeUndefined();
    expect(parseCaseNumber(formatCaseNumber(stored))).toBe(stored);
  });

  it('are found by a search for the whole number or a part of it as read', () => {
    for (const typed of ['2026-1207-W6HZ2-YKIPM', 'W6HZ2-YKIPM', 'w6hz2 ykipm', '1207-W6HZ2', 'YKIPM'])
      expect(matchesCaseNumber(stored, typed), typed).toBe(true);
    for (const typed of ['2026-1207-W6HZ2-YKIPQ', 'W6HZ', 'Kerja sama', '2026-1208'])
      expect(matchesCaseNumber(stored, typed), typed).toBe(false);
  });
});
