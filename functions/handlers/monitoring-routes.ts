import { randomBytes } from 'node:crypto';
import { canAdministerCase, canSeeArchive, unitsOfSop, type CaseScope } from '../../core/access/access.ts';
import { statusOn } from '../../core/agreement/lifecycle.ts';
import {
  ALASAN_AKHIR_DINI,
  ALASAN_LABEL,
  JENIS_LABEL,
  REKOMENDASI_LABEL,
  REKOMENDASI_MONEV,
  STATUS_LABEL,
  type AgreementRecord,
} from '../../core/agreement/agreement-model.ts';
import type { HistoryEvent } from '../../core/case/model.ts';
import { tanggalSurat } from '../../core/documents/common.ts';
import { ErrorNames, isSepakatError } from '../../core/errors.ts';
import {
  MAX_LINK_RENEWALS,
  RENEWED_LINK_DAYS,
  type LinkProblem,
  type LinkView,
} from '../../core/agreement/agreement-forms.ts';
import { alasanText } from '../../core/agreement/end-agreement.ts';
import type { Session } from '../auth/session.ts';
import type { WebRequest, HttpResult, Route, WebContext } from './web-context.ts';
import { linkProblemPage } from './link-problems.ts';

/**
 * The monitoring of agreements on the web: the capability links of reports and monev (`/pantau/<link>`: GET shows
 * the form, POST submits it once), and the agreement page of the console (`/konsol/perjanjian/<id>`) with the
 * administrator's actions as signed-in POSTs: end early, declare BATAL, start an adendum. The annual report is
 * downloaded through a short-lived link (`/konsol/perjanjian/laporan-tahunan/<tahun>`).
 */
const TOKEN = '([A-Za-z0-9_-]{22}\\.\\d{1,6}\\.[A-Za-z0-9_-]{8}\\.[A-Za-z0-9_-]{32}|[^/]{1,200})';

/** An agreement's id in URLs: its number (which holds slashes), base64url-encoded, as the archive pages do. */
export const agreementPathId = (nomor: string) => Buffer.from(nomor, 'utf8').toString('base64url');
function nomorOf(id: string): string | undefined {
  const text = Buffer.from(id, 'base64url').toString('utf8');
  return text && agreementPathId(text) === id ? text : undefined;
}

export function monitoringRoutes(ctx: WebContext): Route[] {
  const { app } = ctx;
  const svc = app.agreements;
  const pemdaOf = (pemdaId: string) => app.catalog.pemda(pemdaId);
  const kop = (pemdaId: string) => pemdaOf(pemdaId).directory.data.pemda.kop.join(' · ');
  const fmt = (pemdaId: string, iso: string) => pemdaOf(pemdaId).formatDateTime(new Date(iso));

  const problem = (p: LinkProblem, token?: string): HttpResult => {
    const page = linkProblemPage('pantau', p.problem);
    if (p.problem === 'kedaluwarsa' && token)
      return ctx.message(page.status, {
        ...page,
        aksi: {
          url: `/pantau/${token}/tautan-baru`,
          tombol: 'Kirim tautan baru',
          keterangan: `Tautan baru (berlaku ${RENEWED_LINK_DAYS} hari) hanya dikirim ke alamat email yang terdaftar untuk ${p.item.label.toLowerCase()}, paling banyak ${MAX_LINK_RENEWALS} kali.`,
        },
      });
    if (p.problem === 'selesai') {
      const s = p.item.submission;
      return ctx.message(p.sameSubmission ? 200 : page.status, {
        ...page,
        ...(p.sameSubmission
          ? {
              judul: 'Sudah tercatat',
              pesan: 'Isian ini sudah terkirim sebelumnya; dicatat sekali saja.',
              jenis: 'ok' as const,
            }
          : {}),
        rincian: s
          ? [
              { label: 'Kewajiban', nilai: p.item.label },
              { label: 'Diterima', nilai: fmt(p.item.pemdaId, s.at) },
              ...(s.rekomendasi ? [{ label: 'Rekomendasi', nilai: REKOMENDASI_LABEL[s.rekomendasi] }] : []),
            ]
          : [],
      });
    }
    return ctx.message(page.status, page);
  };

  const formPage = (
    status: number,
    token: string,
    view: LinkView,
    errors: Record<string, string>,
    form: Record<string, string>,
  ): HttpResult => {
    const { item, agreement: a } = view;
    const common = {
      item,
      agreement: a,
      jenis: JENIS_LABEL[a.jenis],
      mulai: tanggalSurat(a.mulai),
      berakhir: tanggalSurat(a.berakhir),
      periode: `${tanggalSurat(item.periode.mulai)} s.d. ${tanggalSurat(item.periode.selesai)}`,
      jatuhTempo: tanggalSurat(item.jatuhTempo),
      berlakuSampai: fmt(a.pemdaId, item.linkExpiresAt),
      actionUrl: `/pantau/${token}`,
      submissionId: form.submissionId || randomBytes(12).toString('base64url'),
      errors,
      adaSalah: Object.keys(errors).length > 0,
      form,
    };
    if (item.jenis === 'laporan')
      return ctx.html(status, 'pantau-laporan', common, item.label.slice(0, 60), { kop: kop(a.pemdaId) });
    return ctx.html(
      status,
      'pantau-monev',
      {
        ...common,
        rekomendasi: REKOMENDASI_MONEV.map((value) => ({
          value,
          label: REKOMENDASI_LABEL[value],
          checked: form.rekomendasi === value,
        })),
      },
      item.label.slice(0, 60),
      { kop: kop(a.pemdaId) },
    );
  };

  /** The case scope of an agreement (for canAdministerCase), or undefined when its case is gone. */
  const scopeOf = async (a: AgreementRecord): Promise<CaseScope | undefined> => {
    const record = await app.cases.case(a.caseId);
    if (!record) return undefined;
    return { record, sopUnits: unitsOfSop(app.runtime.sopOf(record).definition.header) };
  };

  const detailPage = async (
    session: Session,
    nomor: string | undefined,
    notice: { pesan?: string; salah?: string; status?: number } = {},
  ): Promise<HttpResult> => {
    const p = session.principal;
    // Read from the principal's own pemda's register of agreements: another pemda's number is simply not there.
    const found = nomor ? await svc.detail(p.pemdaId, nomor) : undefined;
    const refused = await ctx.guard(session, 'perjanjian', found?.agreement.pemdaId);
    if (refused || !found) return refused!;
    const { agreement: a, summary, items, history, calendar, induk } = found;
    const scope = await scopeOf(a);
    const bolehUbah = !!scope && canAdministerCase(p, scope) && a.status === 'berlaku';
    const today = pemdaOf(a.pemdaId).localDate(app.cases.now());
    const sejak = pemdaOf(a.pemdaId).localDate(new Date(a.createdAt));
    const byKey = new Map(items.map((i) => [`${i.jenis}#${i.ke}`, i]));
    const kalender = a.adendumDari
      ? []
      : calendar.map((k) => {
          const i = byKey.get(`${k.jenis}#${k.ke}`);
          const status = i?.submission
            ? `Diterima ${fmt(a.pemdaId, i.submission.at)}${i.submission.rekomendasi ? ` — ${REKOMENDASI_LABEL[i.submission.rekomendasi]}` : ''}`
            : k.jatuhTempo < sejak
              ? 'Sebelum terdaftar'
              : i
                ? k.jatuhTempo < today
                  ? 'Terlambat'
                  : 'Diminta, menunggu'
                : 'Belum diminta';
          return { label: k.label, jatuhTempo: tanggalSurat(k.jatuhTempo), perkiraan: k.perkiraan, status };
        });
    const sopId = app.catalog.sops.get(a.sopKey).definition.id;
    return ctx.html(
      notice.status ?? 200,
      'perjanjian',
      {
        agreement: a,
        jenis: JENIS_LABEL[a.jenis],
        status: STATUS_LABEL[statusOn(a, today)],
        alasan: alasanText(a),
        ditutupPada: a.ditutupPada ? tanggalSurat(a.ditutupPada) : '',
        mulai: tanggalSurat(a.mulai),
        berakhir: tanggalSurat(a.berakhir),
        perubahanJangka: a.perubahanJangka
          ? {
              adendum: a.perubahanJangka.adendum,
              id: agreementPathId(a.perubahanJangka.adendum),
              sebelumnya: tanggalSurat(a.perubahanJangka.berakhirSebelumnya),
            }
          : undefined,
        adendumDariId: a.adendumDari ? agreementPathId(a.adendumDari) : '',
        adendum: a.adendum.map((n) => ({ nomor: n, id: agreementPathId(n) })),
        induk: a.induk ? indukModel(a.induk, induk, today) : undefined,
        pelaksanaan: (a.pelaksanaan ?? []).map((n) => ({ nomor: n, id: agreementPathId(n) })),
        berikutnya: summary.berikutnya
          ? {
              label: summary.berikutnya.label,
              tanggal: tanggalSurat(summary.berikutnya.jatuhTempo),
              perkiraan: summary.berikutnya.perkiraan,
            }
          : undefined,
        usulan:
          a.status === 'berlaku'
            ? Object.values(a.usulan).map((u) => ({
                jenis: { pengakhiran: 'Pengakhiran', batal: 'BATAL', adendum: 'Adendum' }[u.jenis],
                sumber: u.sumber,
                waktu: fmt(a.pemdaId, u.at),
                catatan: u.catatan,
              }))
            : [],
        kalender,
        riwayat: history
          .filter((e) => e.type !== 'email-terkirim')
          .map((e) => ({ waktu: fmt(a.pemdaId, e.at), uraian: describe(e) })),
        bolehUbah,
        alasanAkhir: ALASAN_AKHIR_DINI.map((value) => ({ value, label: ALASAN_LABEL[value] })),
        sops: app.catalog.sops
          .all()
          .filter((s) => s.definition.pemda === a.pemdaId)
          .filter((s, i, all) => all.findIndex((x) => x.definition.id === s.definition.id) === i)
          .map((s) => ({ id: s.definition.id, nama: s.definition.header.nama, sama: s.definition.id === sopId })),
        submissionId: randomBytes(12).toString('base64url'),
        pesan: notice.pesan,
        salah: notice.salah,
      },
      `Perjanjian ${a.nomor}`.slice(0, 60),
      { kop: kop(a.pemdaId), session },
    );
  };

  /**
   * An administrator's action: signed in, CSRF checked, the agreement (its form's `nomor`) found in the principal's
   * pemda, allowed.
   */
  const adminAction =
    (act: (a: AgreementRecord, form: Record<string, string>, oleh: string) => Promise<string>) =>
    async (event: WebRequest): Promise<HttpResult> => {
      const acting = await ctx.acting(event);
      if (acting.result) return acting.result;
      const { session, form } = acting;
      const p = session.principal;
      const nomor = (form.nomor ?? '').trim();
      const a = nomor ? await svc.get(p.pemdaId, nomor) : undefined;
      // An agreement whose case is gone cannot be acted on: as if it were not there.
      const scope = a && (await scopeOf(a));
      const refused = await ctx.guard(session, 'perjanjian', scope && a.pemdaId, () => canAdministerCase(p, scope!));
      if (refused || !a) return refused!;
      try {
        const pesan = await act(a, form, `${p.nama} (Administrator, ${p.unit})`);
        return detailPage(session, a.nomor, { pesan });
      } catch (error) {
        if (!isSepakatError(error, ErrorNames.BadInput)) throw error;
        return detailPage(session, a.nomor, { salah: error.message, status: 400 });
      }
    };

  /** A POST of the agreement page's administrator forms (`/konsol/perjanjian/<verb>`, the agreement in `nomor`). */
  const agreementAction = (verb: string, act: Parameters<typeof adminAction>[0]): Route => ({
    method: 'POST',
    pattern: new RegExp(`^/konsol/perjanjian/${verb}$`),
    formRecord: { field: 'nomor', kind: 'perjanjian' },
    run: adminAction(act),
  });

  return [
    {
      method: 'GET',
      pattern: new RegExp(`^/pantau/${TOKEN}$`),
      params: ['tautan'],
      run: async (_e, m) => {
        const view = await svc.open(m[1]!);
        return 'problem' in view ? problem(view, m[1]!) : formPage(200, m[1]!, view, {}, {});
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/pantau/${TOKEN}$`),
      params: ['tautan'],
      run: async (e, m) => {
        const token = m[1]!;
        const result = await svc.submit(token, ctx.form(e));
        if ('problem' in result) return problem(result, token);
        if (result.result === 'tidak-valid') return formPage(400, token, result.view, result.errors, result.form);
        const { item } = result;
        return ctx.message(200, {
          judul: item.jenis === 'laporan' ? 'Laporan diterima' : 'Hasil monev diterima',
          pesan:
            item.jenis === 'laporan'
              ? 'Terima kasih. Laporan pelaksanaan Anda tercatat; Laporan Pelaksanaan Kerja Sama dibuat dan disimpan bersama naskahnya.'
              : item.submission?.rekomendasi === 'dihentikan' || item.submission?.rekomendasi === 'adendum'
                ? 'Terima kasih. Hasil monev tercatat; rekomendasinya diteruskan sebagai usulan kepada administrator.'
                : 'Terima kasih. Hasil monitoring dan evaluasi tercatat.',
          jenis: 'ok',
          rincian: [
            { label: 'Kewajiban', nilai: item.label },
            { label: 'Naskah', nilai: `${JENIS_LABEL[result.view.agreement.jenis]} Nomor ${item.nomor}` },
            { label: 'Waktu', nilai: fmt(item.pemdaId, item.submission!.at) },
          ],
        });
      },
    },
    {
      // An expired link asks for a fresh one: sent to the address the item is bound to, never to the requester.
      method: 'POST',
      pattern: new RegExp(`^/pantau/${TOKEN}/tautan-baru$`),
      params: ['tautan'],
      run: async (_e, m) => {
        const result = await svc.renewLink(m[1]!);
        if ('problem' in result) return problem(result);
        if (!result.sent)
          return ctx.message(502, {
            judul: 'Tautan baru tidak dapat dikirim',
            pesan: `Tautan baru tidak dapat dikirim ke ${result.to}: alamat ditolak server email. Hubungi admin kerja sama pemda untuk memperbaiki alamat email Anda; kejadian ini sudah tercatat pada riwayat perjanjian.`,
          });
        return ctx.message(200, {
          judul: 'Tautan baru dikirim',
          pesan: `Tautan baru telah dikirim ke ${result.to}. Tautan lama tidak berlaku lagi.`,
          jenis: 'info',
        });
      },
    },
    {
      method: 'GET',
      pattern: /^\/konsol\/perjanjian\/laporan-tahunan\/(\d{4})$/,
      // The principal's own pemda's report of that year: no record of another pemda is named.
      params: ['tahun'],
      run: async (e, m) => {
        const signed = await ctx.signedIn(e, (p) => canSeeArchive(p, p.pemdaId));
        if (signed.result) return signed.result;
        const doc = await svc.annualReportOf(signed.session.principal.pemdaId, Number(m[1]));
        if (!doc)
          return ctx.message(
            404,
            { judul: 'Laporan tahunan belum ada', pesan: `Laporan tahunan kerja sama ${m[1]} belum dibuat.` },
            signed.session,
          );
        const url = await app.cases.reportLink(doc, 300);
        return {
          statusCode: 302,
          headers: { location: url, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
          body: '',
        };
      },
    },
    {
      method: 'GET',
      pattern: /^\/konsol\/perjanjian\/([A-Za-z0-9_-]{1,400})$/,
      params: ['perjanjian'],
      run: async (e, m) => {
        const signed = await ctx.signedIn(e, (p) => canSeeArchive(p, p.pemdaId));
        if (signed.result) return signed.result;
        return detailPage(signed.session, nomorOf(m[1]!));
      },
    },
    agreementAction('akhiri', async (a, form, oleh) => {
      const closed = await svc.endEarly(a.pemdaId, a.nomor, {
        alasan: (form.alasan ?? '').trim(),
        ...(form.catatan?.trim() ? { catatan: form.catatan } : {}),
        oleh,
      });
      return `Perjanjian diakhiri (${alasanText(closed) ?? ''}). Pemantauan yang terjadwal dihentikan.`;
    }),
    agreementAction('batal', async (a, form, oleh) => {
      await svc.cancel(a.pemdaId, a.nomor, { alasan: form.alasan ?? '', oleh });
      return 'Perjanjian dinyatakan BATAL. Pemantauan yang terjadwal dihentikan.';
    }),
    agreementAction('adendum', async (a, form, oleh) => {
      const started = await svc.startAdendum(a.pemdaId, a.nomor, {
        sopId: (form.sopId ?? '').trim(),
        ...(form.perihal?.trim() ? { perihal: form.perihal } : {}),
        ...(form.berakhirBaru?.trim() ? { berakhirBaru: form.berakhirBaru } : {}),
        submissionId: form.submissionId || randomBytes(12).toString('base64url'),
        oleh,
      });
      return started.created
        ? `Kasus adendum ${started.caseId} dimulai; langkah pertamanya dikirim kepada pejabat yang bertugas.`
        : `Kasus adendum ${started.caseId} sudah dimulai sebelumnya; tidak ada yang diubah.`;
    }),
  ];
}

/**
 * The agreement a PKS implements, with its status today: the PKS goes on when its Kesepakatan Bersama ends, so the
 * page says so rather than changing anything.
 */
function indukModel(nomor: string, induk: AgreementRecord | undefined, today: string) {
  if (!induk) return { nomor, id: agreementPathId(nomor), status: 'Tidak ditemukan di register perjanjian' };
  const status = statusOn(induk, today);
  const ended = status === 'berakhir' || status === 'batal';
  return {
    nomor,
    id: agreementPathId(nomor),
    jenis: JENIS_LABEL[induk.jenis],
    status: STATUS_LABEL[status],
    statusKode: status,
    catatan: ended
      ? `${JENIS_LABEL[induk.jenis]} yang menjadi dasar perjanjian ini sudah ${status === 'batal' ? 'dinyatakan BATAL' : 'berakhir'}` +
        `${induk.ditutupPada ? ` sejak ${tanggalSurat(induk.ditutupPada)}` : ''}. Perjanjian ini tidak berakhir dengan sendirinya; ` +
        'tinjau apakah perlu diakhiri, diadendum, atau dilanjutkan.'
      : undefined,
  };
}

/** The due dates of open reports and monev an import of the calendar moved, as a clause of its fact. */
function movedDueDates(value: unknown): string {
  if (!Array.isArray(value)) return '';
  const moved = value.filter(
    (m): m is { label: string; dari: string; ke: string } =>
      typeof m?.label === 'string' && typeof m?.dari === 'string' && typeof m?.ke === 'string',
  );
  return moved
    .map((m) => `; jatuh tempo ${m.label} dipindah dari ${tanggalSurat(m.dari)} ke ${tanggalSurat(m.ke)}`)
    .join('');
}

/** One fact of an agreement's history, for people. */
function describe(e: HistoryEvent): string {
  const d = (e.detail ?? {}) as Record<string, unknown>;
  const s = (k: string) => (typeof d[k] === 'string' || typeof d[k] === 'number' ? String(d[k]) : '');
  switch (e.type) {
    case 'perjanjian-terdaftar':
      return `Terdaftar di register perjanjian; berlaku ${tanggalSurat(s('mulai'))} s.d. ${tanggalSurat(s('berakhir'))}${s('adendumDari') ? `; adendum atas ${s('adendumDari')}` : ''}${s('induk') ? `; melaksanakan ${s('induk')}` : ''}`;
    case 'perjanjian-berubah':
      if (s('pelaksanaan'))
        return `Dilaksanakan dengan ${s('jenisPelaksanaan') || 'perjanjian'} Nomor ${s('pelaksanaan')} (kasus ${s('kasusPelaksanaan')})`;
      if (s('jangkaDiubah'))
        return `Jangka waktu diubah dengan adendum Nomor ${s('jangkaDiubah')}: berlaku s.d. ${tanggalSurat(s('berakhir'))} (sebelumnya s.d. ${tanggalSurat(s('berakhirSebelumnya'))})`;
      if (s('adendum')) return `Adendum Nomor ${s('adendum')} tercatat (kasus ${s('kasusAdendum')})`;
      if (s('jadwalDihitungUlang'))
        return `Jadwal pemantauan dihitung ulang dengan kalender libur ${s('jadwalDihitungUlang')}${s('perkiraanSejak') ? `; tanggal mulai tahun ${s('perkiraanSejak')} masih perkiraan` : '; semua tanggalnya final'}${movedDueDates(d['tenggatDipindah'])}`;
      if (s('adendumDimulai')) return `Penyusunan adendum dimulai (kasus ${s('adendumDimulai')}) — ${s('oleh')}`;
      return `${s('status') === 'batal' ? 'Dinyatakan BATAL' : 'Berakhir'}${s('alasan') ? `: ${s('alasan')}` : ''}${s('oleh') ? ` — ${s('oleh')}` : ''}`;
    case 'pemantauan-diterima':
      return `${s('label')} diterima dari ${s('oleh')}${s('rekomendasi') ? `; rekomendasi ${s('rekomendasi')}` : ''}`;
    case 'usulan-perjanjian':
      return `Usulan ${s('usulan')}: ${s('sumber')}`;
    case 'pengingat-terkirim':
      return s('tahap') === 'pengingat-berakhir'
        ? `Pengingat berakhirnya jangka waktu (${s('hari')} hari sebelumnya) terkirim`
        : `Pengingat ${s('label')} yang terlambat terkirim`;
    case 'eskalasi-terkirim':
      return `Eskalasi ${s('label')} terkirim kepada atasan`;
    case 'tautan-diperbarui':
      return `Tautan baru ${s('label')} dikirim kepada ${e.who?.nama ?? 'penerima semula'}`;
    case 'email-gagal':
      return `Email gagal dikirim ke ${Array.isArray(d['to']) ? d['to'].join(', ') : ''}: ${s('alasan')}${s('subject') ? ` (${s('subject')})` : ''}`;
    case 'otomatis-selesai':
      return `Laporan Pelaksanaan Kerja Sama (PDF) dibuat untuk laporan ke-${s('ke')}`;
    default:
      return e.type;
  }
}
