import { canSeeDashboard } from '../../core/access/access.ts';
import { compileSop } from '../../core/sop/compile-sop.ts';
import type { Sop } from '../../core/sop/load-sop.ts';
import { buildSwimlane } from '../../core/sop/swimlane.ts';
import { isGate } from '../../core/sop/schema.ts';
import { checkField } from '../../core/validation/text.ts';
import { SopQuery } from './input-schemas.ts';
import { attachment } from './responses.ts';
import type { HttpResult, Route, WebContext, WebRequest } from './web-context.ts';

/**
 * The SOPs of the principal's pemda in the console: `/konsol/sop` lists them with their versions; `/konsol/sop/lihat`
 * shows one version (`?id=…&versi=N`, default the latest) with its swimlane, its Mutu Baku total and the
 * "Catatan pembacaan Sepakat"; `/konsol/sop/dokumen.pdf` is its SOP AP document and `/konsol/sop/asl.json` its
 * compiled Amazon States Language. Staff only (admin, pelaksana, pejabat). GET only: nothing is stored or recorded.
 * Another pemda's SOP answers as an unknown one.
 */
export function sopRoutes(ctx: WebContext): Route[] {
  const { app } = ctx;
  const TITLE = 'SOP';
  const kop = (pemdaId: string) => app.catalog.pemda(pemdaId).directory.data.pemda.kop.join(' · ');
  const TIDAK_ADA = {
    judul: 'SOP tidak ditemukan',
    pesan: 'SOP atau versi yang diminta tidak ada untuk pemerintah daerah Anda. Pilih dari daftar SOP.',
    tautan: { url: '/konsol/sop', label: 'Daftar SOP' },
  };

  const versionsOf = (pemdaId: string) => app.sopVersions().filter((s) => s.definition.pemda === pemdaId);
  const query = (s: Sop) => `id=${encodeURIComponent(s.definition.id)}&versi=${s.definition.version}`;

  /** The SOP version a request names (`id`, `versi`), of the principal's pemda; else the page to answer. */
  async function chosen(event: WebRequest) {
    const found = await ctx.signedIn(event, canSeeDashboard);
    if (found.result) return { result: found.result };
    const { session } = found;
    const params = new URLSearchParams(event.rawQueryString ?? '');
    // Through the text validator (input-schemas.ts): a control character in either answers with its field named.
    const id = checkField(SopQuery.shape.id, params.get('id') ?? '');
    const versiRaw = params.get('versi');
    const versi = versiRaw === null ? undefined : checkField(SopQuery.shape.versi, versiRaw);
    const invalid = (refused: { error: string }) => ({
      result: ctx.message(
        400,
        { ...TIDAK_ADA, judul: 'Permintaan SOP tidak valid', pesan: `${refused.error}.` },
        session,
      ),
    });
    if (typeof id === 'object') return invalid(id);
    if (typeof versi === 'object') return invalid(versi);
    const own = versionsOf(session.principal.pemdaId).filter((s) => s.definition.id === id);
    if (versi !== undefined && !/^[1-9]\d{0,3}$/.test(versi))
      return {
        result: ctx.message(
          400,
          { ...TIDAK_ADA, judul: 'Versi SOP tidak valid', pesan: 'Isian "versi" harus nomor versi SOP (1, 2, …).' },
          session,
        ),
      };
    const sop =
      versi === undefined
        ? own.sort((a, b) => b.definition.version - a.definition.version)[0]
        : own.find((s) => s.definition.version === Number(versi));
    if (!sop) return { result: ctx.message(404, TIDAK_ADA, session) };
    return { session, sop };
  }

  async function list(event: WebRequest): Promise<HttpResult> {
    const found = await ctx.signedIn(event, canSeeDashboard);
    if (found.result) return found.result;
    const { session } = found;
    const byId = new Map<string, Sop[]>();
    for (const s of versionsOf(session.principal.pemdaId))
      byId.set(s.definition.id, [...(byId.get(s.definition.id) ?? []), s]);
    const sops = [...byId.values()]
      .map((versions) => versions.sort((a, b) => b.definition.version - a.definition.version))
      .map((versions) => ({
        id: versions[0]!.definition.id,
        nama: versions[0]!.definition.header.nama,
        versi: versions.map((s) => ({
          versi: s.definition.version,
          efektif: s.definition.header.tanggalEfektif,
          url: `/konsol/sop/lihat?${query(s)}`,
          pdf: `/konsol/sop/dokumen.pdf?${query(s)}`,
          asl: `/konsol/sop/asl.json?${query(s)}`,
        })),
      }))
      .sort((a, b) => a.nama.localeCompare(b.nama, 'id'));
    return ctx.html(200, 'konsol-sop', { sops }, TITLE, { kop: kop(session.principal.pemdaId), session });
  }

  async function detail(event: WebRequest): Promise<HttpResult> {
    const found = await chosen(event);
    if ('result' in found) return found.result!;
    const { session, sop } = found;
    const def = sop.definition;
    const swimlane = buildSwimlane(def);
    const steps = def.steps.filter((s) => !isGate(s)).length;
    return ctx.html(
      200,
      'konsol-sop-rincian',
      {
        sop: {
          id: def.id,
          nama: def.header.nama,
          versi: def.version,
          langkah: steps,
          kertas: app.catalog.pemda(def.pemda).directory.data.pemda.dokumen.kertas,
          pdf: `/konsol/sop/dokumen.pdf?${query(sop)}`,
          asl: `/konsol/sop/asl.json?${query(sop)}`,
        },
        swimlane,
        totalWaktu: swimlane.totalWaktu,
      },
      `${TITLE} ${def.header.nama}`,
      { kop: kop(session.principal.pemdaId), session },
    );
  }

  async function pdf(event: WebRequest): Promise<HttpResult> {
    const found = await chosen(event);
    if ('result' in found) return found.result!;
    const { pdf: bytes } = await app.sopDocument(found.sop.definition);
    return attachment(`sop-${found.sop.definition.id}-v${found.sop.definition.version}.pdf`, 'application/pdf', bytes);
  }

  async function asl(event: WebRequest): Promise<HttpResult> {
    const found = await chosen(event);
    if ('result' in found) return found.result!;
    return attachment(
      `sop-${found.sop.definition.id}-v${found.sop.definition.version}.asl.json`,
      'application/json; charset=utf-8',
      compileSop(found.sop),
    );
  }

  return [
    { method: 'GET', pattern: /^\/konsol\/sop\/?$/, run: (e) => list(e) },
    { method: 'GET', pattern: /^\/konsol\/sop\/lihat$/, run: (e) => detail(e) },
    { method: 'GET', pattern: /^\/konsol\/sop\/dokumen\.pdf$/, run: (e) => pdf(e) },
    { method: 'GET', pattern: /^\/konsol\/sop\/asl\.json$/, run: (e) => asl(e) },
  ];
}
