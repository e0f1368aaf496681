import { json, type Route, type WebContext } from './web-context.ts';

/** The home page (the SOPs, the way in for each visitor) and the health check. */
export function homeRoutes(ctx: WebContext): Route[] {
  const { app } = ctx;
  return [
    {
      method: 'GET',
      pattern: /^\/$/,
      run: async (e) => {
        const sops = app.catalog.sops.all().map((s) => ({
          nama: s.definition.header.nama,
          key: s.key,
          langkah: s.definition.steps.filter((x) => !('gate' in x)).length,
        }));
        // Only the embedded local default sets a SES endpoint: there the local outbox (/kotak-keluar) exists.
        const kotakKeluar = app.config.SEPAKAT_ENDPOINT_SES !== undefined;
        const { session } = ctx.session(e);
        return ctx.html(200, 'beranda', { sops, kotakKeluar }, 'Beranda', session ? { session } : {});
      },
    },
    { method: 'GET', pattern: /^\/kesehatan$/, run: async () => json(200, { status: 'ok' }) },
  ];
}
