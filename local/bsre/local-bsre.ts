/**
 * A local stand-in for the BSrE eSign API v2, for the embedded local default and the tests: the contract integrators
 * observed (see the README's signing section), served over HTTP with Basic authentication, so that the product's
 * `bsre` provider runs against it exactly as it will against BSrE.
 *
 *   POST /api/v2/user/check/status   {nik | email}                     → {status_code, message, status}
 *   POST /api/v2/sign/get/totp       {nik | email, data}               → a one-time code in the local BeSign inbox
 *   POST /api/v2/sign/pdf            {nik | email, passphrase | totp, signatureProperties, file: [base64]}
 *                                                                       → {time, file: [base64]}
 *   POST /api/v2/verify/pdf          {file: base64}                    → {signatureCount, conclusion, …}
 *
 * Each registered user has their own passphrase (stored as a scrypt hash, never logged) and their own key and
 * certificate, issued by the service's own test CA, whose names say "BSrE tiruan — bukan BSrE" so that no signature
 * made here passes for a BSrE one. A signature is a PAdES incremental update appended to the very bytes sent, made
 * by the project's signing code (`functions/signing/`). Local BSrE signatures carry no timestamp (PAdES B-B), where
 * BSrE's carry one (B-T).
 *
 * Data directory (all of it survives restarts):
 *   klien.json           the Basic credentials of the integrator account (created on first start)
 *   pengguna.json        the registered users: NIK, email, name, whether they hold a certificate, passphrase hash
 *   pki/                 the test CA and one key and certificate per user (functions/signing/dev-pki.ts)
 *   pki-luar/            a CA outside the chain, for the `sertifikat-luar` misbehaviour
 *   besign/<nik>.json    the local BeSign app: the last TOTP issued to the user
 *   jejak.jsonl          the audit trail: one line per request that signs or fails to (never a credential)
 *
 * Behaviours (`setBehaviour`), so that the product's checks can be tested against each:
 *   normal               as BSrE
 *   timeout              accepts a sign request, signs, then never answers (the outcome is unknown to the caller)
 *   pdf-dirender-ulang   returns a re-rendered PDF signed (not the bytes sent plus an update)
 *   sertifikat-luar      signs with a certificate from a CA outside the local BSrE chain
 * and `delayMs`, a delay before every answer.
 */
import { createHash, randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { PDFDocument } from 'pdf-lib';
import { z } from 'zod';
import { systemClock } from '../../functions/adapters/clock.ts';
import { DevelopmentPki } from '../../functions/signing/dev-pki.ts';
import { addSecondSignature, signPdf, type SignPdfOptions } from '../../functions/signing/sign-pdf.ts';
import { BSRE_TIRUAN_MARK, type Signer } from '../../functions/signing/signer.ts';
import { hasSignature, verifyPdfSignatures } from '../../functions/signing/verify.ts';

/** In every name of the local BSrE test CA and its certificates (the subject's OU). */
export { BSRE_TIRUAN_MARK };

export const BSRE_MODES = ['normal', 'timeout', 'pdf-dirender-ulang', 'sertifikat-luar'] as const;
export type BsreMode = (typeof BSRE_MODES)[number];

export interface BsreBehaviour {
  readonly mode: BsreMode;
  /** Milliseconds before every answer (after authentication). */
  readonly delayMs: number;
}

export interface BsreUser {
  /** 16 digits. */
  readonly nik: string;
  readonly email: string;
  readonly nama: string;
  readonly jabatan?: string;
  readonly nip?: string;
  readonly instansi?: string;
  /** Whether BSrE has issued the user a certificate (false: NO_CERTIFICATE). Default true. */
  readonly sertifikat?: boolean;
}

export interface LocalBsreOptions {
  readonly dataDir: string;
  readonly host?: string;
  readonly port?: number;
  readonly behaviour?: Partial<BsreBehaviour>;
  /** One line per request (method, path, status, duration): never a credential, a NIK or an email. */
  readonly log?: (line: string) => void;
  /** The time of certificates, signatures, TOTP expiry and error bodies (the runtime's clock; default the system's). */
  readonly now?: () => Date;
}

export interface LocalBsre {
  /** Base URL; the API is under `${endpoint}/api/v2/`. */
  readonly endpoint: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The test CA's certificate (DER): the trust anchor of signatures made here. */
  caCertificate(): Promise<Uint8Array>;
  /** Registers a user with a passphrase (kept only as a hash); an existing NIK keeps its passphrase if it matches. */
  register(user: BsreUser, passphrase: string): Promise<void>;
  setBehaviour(behaviour: Partial<BsreBehaviour>): void;
  readonly behaviour: BsreBehaviour;
  close(): Promise<void>;
}

const API = '/api/v2';
/** A TOTP from the local BeSign inbox is good for this long, once. */
const TOTP_TTL_MS = 5 * 60_000;
const MAX_BODY_BYTES = 60 * 1024 * 1024;
const NO_SUBJECT = 'Kolom nik atau email wajib diisi';

interface PassphraseHash {
  readonly alg: 'scrypt';
  readonly salt: string;
  readonly hash: string;
}

interface StoredUser extends BsreUser {
  readonly passphrase: PassphraseHash;
}

const CredentialsSchema = z.object({ clientId: z.string().min(1), clientSecret: z.string().min(16) });
const UsersSchema = z.object({
  users: z.array(
    z.object({
      nik: z.string(),
      email: z.string(),
      nama: z.string(),
      jabatan: z.string().optional(),
      nip: z.string().optional(),
      instansi: z.string().optional(),
      sertifikat: z.boolean().optional(),
      passphrase: z.object({ alg: z.literal('scrypt'), salt: z.string(), hash: z.string() }),
    }),
  ),
});

const SubjectSchema = z.object({ nik: z.string().optional(), email: z.string().optional() });
const SignPropertiesSchema = z
  .object({
    tampilan: z.enum(['INVISIBLE', 'VISIBLE']).optional(),
    reason: z.string().optional(),
    location: z.string().optional(),
    contactInfo: z.string().optional(),
  })
  .loose();
const SignSchema = SubjectSchema.extend({
  passphrase: z.string().optional(),
  totp: z.string().optional(),
  signatureProperties: z.array(SignPropertiesSchema).optional(),
  file: z.array(z.string()).min(1),
});
const VerifySchema = z.object({ file: z.string(), password: z.string().optional() });

function scryptHash(secret: string, salt: Buffer): Promise<Buffer> {
  return new Promise((ok, fail) => scrypt(secret, salt, 32, (error, key) => (error ? fail(error) : ok(key))));
}

async function hashPassphrase(passphrase: string): Promise<PassphraseHash> {
  const salt = randomBytes(16);
  return {
    alg: 'scrypt',
    salt: salt.toString('base64'),
    hash: (await scryptHash(passphrase, salt)).toString('base64'),
  };
}

async function passphraseMatches(passphrase: string, stored: PassphraseHash): Promise<boolean> {
  const hash = await scryptHash(passphrase, Buffer.from(stored.salt, 'base64'));
  return timingSafeEqual(hash, Buffer.from(stored.hash, 'base64'));
}

/** Writes a file whole (temporary sibling, then rename), so a crash never leaves half a registry. */
async function writeAtomically(file: string, text: string, mode = 0o600): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, text, { mode });
  await rename(tmp, file);
}

/** The Spring Boot error body BSrE answers 401 with (observed); used for the other HTTP-level errors too. */
function springError(
  c: Context,
  status: 400 | 401 | 404 | 415 | 500,
  path: string,
  at: Date,
  /** What was wrong with the request, naming the field (400 only: a local aid, not an observed field). */
  message?: string,
) {
  const error = {
    400: 'Bad Request',
    401: 'Unauthorized',
    404: 'Not Found',
    415: 'Unsupported Media Type',
    500: 'Internal Server Error',
  };
  return c.json(
    { timestamp: at.toISOString(), status, error: error[status], ...(message ? { message } : {}), path },
    status,
  );
}

export async function startLocalBsre(options: LocalBsreOptions): Promise<LocalBsre> {
  const dir = options.dataDir;
  const now = options.now ?? (() => systemClock.now());
  const log = options.log ?? (() => undefined);
  await mkdir(join(dir, 'besign'), { recursive: true });

  const credentialsFile = join(dir, 'klien.json');
  if (!existsSync(credentialsFile))
    await writeAtomically(
      credentialsFile,
      JSON.stringify({ clientId: 'sepakat-lokal', clientSecret: randomBytes(24).toString('base64url') }, null, 2),
    );
  const credentials = CredentialsSchema.parse(JSON.parse(await readFile(credentialsFile, 'utf8')));
  const expectedAuth = Buffer.from(
    `Basic ${Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64')}`,
  );

  const usersFile = join(dir, 'pengguna.json');
  const users = new Map<string, StoredUser>();
  if (existsSync(usersFile))
    for (const user of UsersSchema.parse(JSON.parse(await readFile(usersFile, 'utf8'))).users)
      users.set(user.nik, user);
  // One write at a time: registrations may come concurrently.
  let saving: Promise<void> = Promise.resolve();
  const saveUsers = () =>
    (saving = saving.then(() => writeAtomically(usersFile, JSON.stringify({ users: [...users.values()] }, null, 2))));

  // The CAs are made on first use (a key pair each), not at every start.
  let pki: Promise<DevelopmentPki> | undefined;
  let foreignPki: Promise<DevelopmentPki> | undefined;
  const bsrePki = () =>
    (pki ??= DevelopmentPki.open({
      dir: join(dir, 'pki'),
      caName: `CA ${BSRE_TIRUAN_MARK}`,
      mark: BSRE_TIRUAN_MARK,
      now,
    }));
  const outsidePki = () =>
    (foreignPki ??= DevelopmentPki.open({
      dir: join(dir, 'pki-luar'),
      caName: 'CA di luar rantai BSrE tiruan',
      mark: 'Sertifikat di luar rantai BSrE tiruan — bukan BSrE',
      now,
    }));
  const signerOf = async (user: StoredUser, from: DevelopmentPki): Promise<Signer> =>
    from.signerFor({
      id: user.nik,
      nama: user.nama,
      jabatan: user.jabatan ?? 'Pengguna BSrE tiruan',
      ...(user.nip ? { nip: user.nip } : {}),
      ...(user.instansi ? { instansi: user.instansi } : {}),
    });

  /** Pending TOTPs by NIK: a hash of the code and when it expires (one at a time, used once). */
  const totps = new Map<string, { hash: string; expires: number }>();
  const digest = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

  let behaviour: BsreBehaviour = { mode: 'normal', delayMs: 0, ...options.behaviour };
  const trail = (entry: Record<string, unknown>) =>
    appendFile(join(dir, 'jejak.jsonl'), `${JSON.stringify({ waktu: now().toISOString(), ...entry })}\n`);

  const find = (subject: z.infer<typeof SubjectSchema>): StoredUser | undefined =>
    subject.nik
      ? users.get(subject.nik)
      : subject.email
        ? [...users.values()].find((u) => u.email.toLowerCase() === subject.email!.toLowerCase())
        : undefined;

  const app = new Hono();
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    log(`bsre-lokal: ${c.req.method} ${c.req.path} ${c.res.status} ${Math.round(performance.now() - started)} ms`);
  });
  app.use(`${API}/*`, async (c, next) => {
    const given = Buffer.from(c.req.header('authorization') ?? '');
    if (given.length !== expectedAuth.length || !timingSafeEqual(given, expectedAuth))
      return springError(c, 401, c.req.path, now());
    if (behaviour.delayMs > 0) await new Promise((r) => setTimeout(r, behaviour.delayMs));
    return next();
  });

  /** The JSON body parsed by `schema`, or the 400 (or 415) to answer with. */
  async function body<T>(c: Context, schema: z.ZodType<T>): Promise<T | Response> {
    if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json'))
      return springError(c, 415, c.req.path, now());
    if (Number(c.req.header('content-length') ?? 0) > MAX_BODY_BYTES)
      return springError(c, 400, c.req.path, now(), `Permintaan lebih dari ${MAX_BODY_BYTES} byte`);
    const json: unknown = await c.req.json().catch(() => undefined);
    if (json === undefined) return springError(c, 400, c.req.path, now(), 'Badan permintaan bukan JSON yang sah');
    const parsed = schema.safeParse(json);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || '(badan permintaan)';
    return springError(c, 400, c.req.path, now(), `Kolom ${field} tidak sah: ${issue.code}`);
  }

  // Observed: HTTP 200 with {status_code, message, status}; NOT_REGISTERED is 2011, NO_CERTIFICATE 2021. ASSUMPTION:
  // the code of ISSUE (1111) and the messages' wording were not reported.
  const statusOf = (user: StoredUser | undefined) =>
    !user
      ? { status_code: 2011, message: 'Pengguna tidak terdaftar', status: 'NOT_REGISTERED' }
      : user.sertifikat === false
        ? { status_code: 2021, message: 'Pengguna belum memiliki sertifikat', status: 'NO_CERTIFICATE' }
        : { status_code: 1111, message: 'Pengguna memiliki sertifikat yang valid', status: 'ISSUE' };

  app.post(`${API}/user/check/status`, async (c) => {
    const subject = await body(c, SubjectSchema);
    if (subject instanceof Response) return subject;
    if (!subject.nik && !subject.email) return springError(c, 400, c.req.path, now(), NO_SUBJECT);
    return c.json(statusOf(find(subject)));
  });

  app.post(`${API}/sign/get/totp`, async (c) => {
    const request = await body(c, SubjectSchema.extend({ data: z.unknown().optional() }));
    if (request instanceof Response) return request;
    if (!request.nik && !request.email) return springError(c, 400, c.req.path, now(), NO_SUBJECT);
    const user = find(request);
    const status = statusOf(user);
    if (!user || status.status !== 'ISSUE') return c.json(status, 400);
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const expires = now().getTime() + TOTP_TTL_MS;
    totps.set(user.nik, { hash: digest(code), expires });
    // What the BeSign app on the signer's phone would show: the code, in the local BeSign inbox.
    await writeAtomically(
      join(dir, 'besign', `${user.nik}.json`),
      JSON.stringify({ totp: code, berlakuSampai: new Date(expires).toISOString() }, null, 2),
    );
    // ASSUMPTION: the shape of this answer was not reported by integrators.
    return c.json({ status_code: 1111, message: 'TOTP telah dikirim ke aplikasi BeSign', status: 'SUCCESS' });
  });

  app.post(`${API}/sign/pdf`, async (c) => {
    const started = performance.now();
    const request = await body(c, SignSchema);
    if (request instanceof Response) return request;
    if (!request.nik && !request.email) return springError(c, 400, c.req.path, now(), NO_SUBJECT);
    if (request.passphrase === undefined && request.totp === undefined)
      return springError(c, 400, c.req.path, now(), 'Kolom passphrase atau totp wajib diisi');
    const user = find(request);
    const status = statusOf(user);
    // ASSUMPTION: how sign/pdf answers an unregistered or certificate-less signer was not reported.
    if (!user || status.status !== 'ISSUE') return c.json(status, 400);
    if (!(await credentialOk(user, request))) {
      await trail({ operasi: 'sign/pdf', nik: user.nik, hasil: 'kredensial salah' });
      // ASSUMPTION: the answer to a wrong passphrase or TOTP has not been observed by integrators. This service
      // answers HTTP 400 with {status_code, error, message}; the product must not rely on more than "not 200".
      return c.json(
        request.passphrase !== undefined
          ? { status_code: 2031, error: 'Passphrase anda salah', message: 'Passphrase anda salah' }
          : { status_code: 2032, error: 'TOTP tidak valid', message: 'TOTP tidak valid atau kedaluwarsa' },
        400,
      );
    }
    const pdfs = request.file.map((f) => Buffer.from(f, 'base64'));
    const mode = behaviour.mode;
    let signed: Uint8Array[];
    try {
      if (pdfs.some((pdf) => !pdf.subarray(0, 5).equals(Buffer.from('%PDF-')))) throw new Error('bukan berkas PDF');
      const signer = await signerOf(user, mode === 'sertifikat-luar' ? await outsidePki() : await bsrePki());
      const props = request.signatureProperties?.[0];
      const details: SignPdfOptions = {
        reason: props?.reason ?? 'Dokumen ditandatangani secara elektronik',
        location: props?.location ?? 'Indonesia',
        name: user.nama,
        contactInfo: props?.contactInfo ?? user.email,
        signingTime: now(),
      };
      signed = [];
      for (const pdf of pdfs) {
        const input = mode === 'pdf-dirender-ulang' ? await rerender(pdf, now()) : new Uint8Array(pdf);
        signed.push(
          hasSignature(input)
            ? await addSecondSignature(input, signer, details)
            : await signPdf(input, signer, details),
        );
      }
    } catch {
      // Observed: an empty or invalid PDF gives HTTP 500 (the body's shape was not reported; Spring's, as for 401).
      await trail({ operasi: 'sign/pdf', nik: user.nik, hasil: 'pdf tidak sah' });
      return springError(c, 500, c.req.path, now());
    }
    await trail({
      operasi: 'sign/pdf',
      nik: user.nik,
      hasil: mode === 'timeout' ? 'ditandatangani, tidak dijawab' : 'ditandatangani',
      perilaku: mode,
      sha256: signed.map((s) => digest(s)),
    });
    // Accepted and signed, but the answer never comes: the caller cannot know whether a signature exists.
    if (mode === 'timeout') return new Promise<Response>(() => undefined);
    return c.json({
      time: Math.round(performance.now() - started),
      file: signed.map((s) => Buffer.from(s).toString('base64')),
    });
  });

  app.post(`${API}/verify/pdf`, async (c) => {
    const request = await body(c, VerifySchema);
    if (request instanceof Response) return request;
    const pdf = Buffer.from(request.file, 'base64');
    if (!pdf.subarray(0, 5).equals(Buffer.from('%PDF-'))) return springError(c, 500, c.req.path, now());
    let report;
    try {
      report = await verifyPdfSignatures(new Uint8Array(pdf), {
        trustedRoots: [await (await bsrePki()).caCertificate],
        checkDate: now(),
      });
    } catch {
      return springError(c, 500, c.req.path, now());
    }
    const informations = report.signatures.map((s) => ({
      id: `Signature${s.index}`,
      signerName: s.signerName,
      signatureDate: s.signingTime,
      fieldName: `Signature${s.index}`,
      reason: s.reason,
      location: s.location,
      signatureAlgorithm: s.signatureAlgorithm,
      hashAlgorithm: s.digestAlgorithm,
      integrityValid: s.digestOk && s.signatureOk && s.coversWholeFileUpToSignature,
      certificateTrusted: s.chainOk,
      // Signatures made here carry no timestamp: B-B (BSrE's are B-T).
      signatureFormat: 'PAdES-BASELINE-B',
      ltv: false,
      timestampInfomation: null,
      certificateDetails: s.certificate ? [s.certificate] : [],
    }));
    // Observed conclusions: VALID and NO_SIGNATURE. ASSUMPTION: INVALID for anything else, and the descriptions.
    const conclusion = !report.signatures.length ? 'NO_SIGNATURE' : report.valid ? 'VALID' : 'INVALID';
    return c.json({
      conclusion,
      description:
        conclusion === 'VALID'
          ? 'Dokumen valid, sertifikat yang digunakan terpercaya'
          : conclusion === 'NO_SIGNATURE'
            ? 'Dokumen tidak memiliki tanda tangan elektronik'
            : `Dokumen tidak valid: ${report.problems.join('; ')}`,
      signatureCount: report.signatures.length,
      signatureInformations: informations,
    });
  });

  app.all('*', (c) => springError(c, 404, c.req.path, now()));
  // An unexpected failure: its name only (never its message, which might quote the request), and Spring's 500.
  app.onError((error, c) => {
    log(`bsre-lokal: kesalahan ${error.name} pada ${c.req.path}`);
    return springError(c, 500, c.req.path, now());
  });

  async function credentialOk(user: StoredUser, request: z.infer<typeof SignSchema>): Promise<boolean> {
    if (request.passphrase !== undefined) return passphraseMatches(request.passphrase, user.passphrase);
    if (request.totp === undefined) return false; // refused before: one of the two is required
    const pending = totps.get(user.nik);
    if (!pending || pending.expires < now().getTime() || pending.hash !== digest(request.totp)) return false;
    totps.delete(user.nik);
    return true;
  }

  const listener = getRequestListener(app.fetch, { overrideGlobalObjects: false });
  const server: Server = createServer((req, res) => void listener(req, res));
  await new Promise<void>((ok) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://${options.host ?? '127.0.0.1'}:${port}`,
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    caCertificate: async () => (await bsrePki()).caCertificate,
    async register(user, passphrase) {
      if (!/^\d{16}$/.test(user.nik)) throw new Error(`NIK harus 16 angka: ${user.nik}`);
      const existing = users.get(user.nik);
      if (existing && (await passphraseMatches(passphrase, existing.passphrase))) {
        users.set(user.nik, { ...existing, ...user });
      } else {
        users.set(user.nik, { ...user, passphrase: await hashPassphrase(passphrase) });
      }
      await saveUsers();
    },
    setBehaviour(next) {
      behaviour = { ...behaviour, ...next };
    },
    get behaviour() {
      return behaviour;
    },
    async close() {
      // A request held open by the `timeout` behaviour would keep close() waiting: end every connection.
      const closed = new Promise<void>((ok) => server.close(() => ok()));
      server.closeAllConnections();
      await closed;
      await saving;
    },
  };
}

/**
 * What a misbehaving service might do: load the PDF and write it anew (a changed /Producer and /ModDate, every
 * object renumbered as pdf-lib writes it), so that the signed result no longer begins with the bytes sent.
 */
async function rerender(pdf: Uint8Array, at: Date): Promise<Uint8Array> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  doc.setProducer(BSRE_TIRUAN_MARK);
  doc.setModificationDate(at);
  return doc.save({ useObjectStreams: false });
}
