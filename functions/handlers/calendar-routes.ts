import { has, type Principal } from '../../core/access/access.ts';
import type { Session } from '../auth/session.ts';
import type { HttpResult, Route, WebContext, WebRequest } from './web-context.ts';

/**
 * The holiday calendar of the coming year (`/konsol/kalender`, administrators only): the years the product has,
 * and the import of a year's libur nasional and cuti bersama as published in its SKB (the format of
 * config/calendar/2026.json, pasted as JSON). A refused file changes nothing; an accepted one takes effect at once
 * and the provisional due times of open tasks and agreements' monitoring dates are computed again.
 */
const isAdmin = (p: Principal) => has(p, 'admin');

export function calendarRoutes(ctx: WebContext): Route[] {
  const { app } = ctx;

  function page(status: number, session: Session, extra: Record<string, unknown> = {}): HttpResult {
    const p = session.principal;
    const calendar = app.catalog.pemda(p.pemdaId).calendar;
    const nowYear = Number(calendar.localDate(app.cases.now()).slice(0, 4));
    const tahun = app.catalog.calendarYears().map((y) => ({
      tahun: y.year,
      sumber: y.source,
      libur: y.liburNasional.length,
      cuti: y.cutiBersama.length,
    }));
    const missing = [nowYear, nowYear + 1].filter((y) => !calendar.hasYear(y));
    return ctx.html(status, 'konsol-kalender', { tahun, belumAda: missing, ...extra }, 'Kalender libur', {
      session,
    });
  }

  async function show(event: WebRequest): Promise<HttpResult> {
    const found = await ctx.signedIn(event, isAdmin);
    if (found.result) return found.result;
    return page(200, found.session);
  }

  async function importYear(event: WebRequest): Promise<HttpResult> {
    const found = await ctx.acting(event, isAdmin);
    if (found.result) return found.result;
    const text = found.form.isi ?? '';
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return page(400, found.session, {
        isi: text,
        galat: ['Isi kalender bukan JSON yang sah (format config/calendar/2026.json). Tidak ada yang diubah.'],
      });
    }
    const result = await app.calendars.import(raw);
    if (result.result === 'ditolak')
      return page(400, found.session, { isi: text, galat: [...result.messages, 'Tidak ada yang diubah.'] });
    return page(200, found.session, {
      berhasil: {
        tahun: result.year.year,
        libur: result.year.liburNasional.length,
        cuti: result.year.cutiBersama.length,
        diubah: result.tugas.diubah,
        perjanjian: result.perjanjian.diubah,
      },
    });
  }

  return [
    { method: 'GET', pattern: /^\/konsol\/kalender\/?$/, run: (e) => show(e) },
    { method: 'POST', pattern: /^\/konsol\/kalender\/?$/, run: (e) => importYear(e) },
  ];
}
