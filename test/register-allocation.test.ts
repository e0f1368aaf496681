import { describe, expect, it } from 'vitest';
import { Register } from '../core/register/allocation.ts';
import { isSepakatError } from '../core/errors.ts';
import type { NumberingConfig, RegisterFaultPoint } from '../core/register/numbering.ts';
import { MemoryRegisterItems, TestClock } from './support/memory-ports.ts';

/**
 * The rules of number allocation (core/register/allocation.ts) on in-memory register items: milliseconds per test.
 * The same rules on DynamoDB, under concurrency and SIGKILL, are test/register.test.ts.
 */
const NUMBERING: NumberingConfig = {
  series: {
    naskah: { pattern: '000.5.4/{n}/409.1.1/{tahun}', label: 'Nota Kesepakatan' },
    dinas: { pattern: '000.5/{n}/409.1.1/{tahun}', label: 'Nota Dinas' },
  },
};

function register(options: { faults?: (point: RegisterFaultPoint) => void } = {}) {
  const items = new MemoryRegisterItems();
  const clock = new TestClock(new Date('2026-03-02T02:00:00Z'));
  const r = new Register(items, {
    pemdaId: 'kab-uji',
    numbering: NUMBERING,
    clock: () => clock.now(),
    ...(options.faults ? { faults: { point: (p) => options.faults!(p) } } : {}),
  });
  return { r, items, clock };
}

const code = (error: unknown) => (isSepakatError(error) ? (error as { code?: string }).code : String(error));

describe('number allocation rules', () => {
  it('gives a case and purpose one number; the next purpose gets the next number of the sequence', async () => {
    const { r } = register();
    const first = await r.allocate({ caseId: 'k1', purpose: 'naskah', series: 'naskah', parties: ['A', 'B'] });
    const again = await r.allocate({ caseId: 'k1', purpose: 'naskah', series: 'naskah' });
    const other = await r.allocate({ caseId: 'k2', purpose: 'naskah', series: 'naskah' });
    expect(first.numberText).toBe('000.5.4/1/409.1.1/2026');
    expect(again).toEqual(first);
    expect(other.numberText).toBe('000.5.4/2/409.1.1/2026');
    expect(first.status).toBe('dicadangkan');
  });

  it('refuses the same purpose in another series, naming the number it already has', async () => {
    const { r } = register();
    await r.allocate({ caseId: 'k1', purpose: 'naskah', series: 'naskah' });
    const error = await r.allocate({ caseId: 'k1', purpose: 'naskah', series: 'dinas' }).catch((e: unknown) => e);
    expect(code(error)).toBe('SeriBerbeda');
    expect(String((error as Error).message)).toContain('000.5.4/1/409.1.1/2026');
  });

  it('voids, once it is old, a number taken by an allocation that crashed before binding it', async () => {
    let crash = true;
    const { r, clock } = register({
      faults: (point) => {
        if (crash && point === 'after-counter') throw new Error('crash');
      },
    });
    await expect(r.allocate({ caseId: 'k1', purpose: 'naskah', series: 'naskah' })).rejects.toThrow('crash');
    crash = false;
    const young = await r.sweepHoles({ olderThan: new Date(clock.now().getTime() - 15 * 60_000) });
    expect(young).toMatchObject({ voided: [], young: 1 });
    clock.set(new Date(clock.now().getTime() + 60 * 60_000));
    const old = await r.sweepHoles({ olderThan: new Date(clock.now().getTime() - 15 * 60_000) });
    expect(old.voided.map((v) => v.numberText)).toEqual(['000.5.4/1/409.1.1/2026']);
    expect(await r.get('000.5.4/1/409.1.1/2026')).toMatchObject({ status: 'dibatalkan', voidCode: 'alokasi-terputus' });
    // The re-run takes the next number; nothing is lost, nothing given twice.
    expect((await r.allocate({ caseId: 'k1', purpose: 'naskah', series: 'naskah' })).n).toBe(2);
  });

  it('finishes an allocation that crashed after binding its key with the same number', async () => {
    let crash = true;
    const { r } = register({
      faults: (point) => {
        if (crash && point === 'after-claim') throw new Error('crash');
      },
    });
    await expect(r.allocate({ caseId: 'k1', purpose: 'naskah', series: 'naskah' })).rejects.toThrow('crash');
    crash = false;
    expect((await r.allocate({ caseId: 'k1', purpose: 'naskah', series: 'naskah' })).numberText).toBe(
      '000.5.4/1/409.1.1/2026',
    );
  });

  it('records a SRIKANDI number once, checks its form, and refuses it for another case', async () => {
    const { r } = register();
    const input = { numberText: '000.5.4/77/409.1.1/2026', series: 'naskah', caseId: 'k1', purpose: 'naskah' };
    const entry = await r.registerSrikandi(input);
    expect(entry).toMatchObject({ status: 'srikandi', n: 77, year: 2026 });
    expect(await r.registerSrikandi(input)).toEqual(entry);
    expect(code(await r.registerSrikandi({ ...input, caseId: 'k2' }).catch((e: unknown) => e))).toBe('NomorGanda');
    expect(code(await r.registerSrikandi({ ...input, numberText: '77/2026' }).catch((e: unknown) => e))).toBe(
      'FormatNomor',
    );
  });

  it('uses a reserved number once; a voided number cannot be used, a used one cannot be voided', async () => {
    const { r } = register();
    const a = await r.allocate({ caseId: 'k1', purpose: 'naskah', series: 'naskah' });
    const b = await r.allocate({ caseId: 'k2', purpose: 'naskah', series: 'naskah' });
    const used = await r.markUsed(a.numberText, { dates: { signed: '2026-03-02' }, by: 'Bupati' });
    expect(used).toMatchObject({ status: 'dipakai', usedBy: 'Bupati', dates: { signed: '2026-03-02' } });
    expect(code(await r.voidNumber(a.numberText, 'salah ketik').catch((e: unknown) => e))).toBe('NomorSudahDipakai');
    await r.voidNumber(b.numberText, 'kasus dibatalkan', 'Admin');
    expect(code(await r.markUsed(b.numberText).catch((e: unknown) => e))).toBe('NomorDibatalkan');
    expect(code(await r.voidNumber(a.numberText, '  ').catch((e: unknown) => e))).toBe('AlasanKosong');
  });

  it('lists a year page by page across series, filtered by status', async () => {
    const { r } = register();
    for (let i = 1; i <= 3; i++) await r.allocate({ caseId: `k${i}`, purpose: 'naskah', series: 'naskah' });
    await r.allocate({ caseId: 'k1', purpose: 'dinas', series: 'dinas' });
    await r.markUsed('000.5.4/2/409.1.1/2026');
    const first = await r.list({ year: 2026, limit: 2 });
    expect(first.items.map((e) => e.n)).toEqual([1, 2]);
    const rest = await r.list({ year: 2026, limit: 5, cursor: first.cursor! });
    expect(rest.items.map((e) => `${e.series}/${e.n}`)).toEqual(['naskah/3', 'dinas/1']);
    expect((await r.listAll({ year: 2026, status: 'dipakai' })).map((e) => e.numberText)).toEqual([
      '000.5.4/2/409.1.1/2026',
    ]);
  });
});
