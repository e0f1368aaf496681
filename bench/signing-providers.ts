/**
 * Signing time per provider (issue 14), against the real local services, on one rendered naskah, against the raw
 * `crypto.sign` floor measured in the same run.
 *
 *   npx tsx bench/signing-providers.ts [--signatures N | --cases N | --quick]      (default N = 50; --quick = 10)
 *
 * The PDF: one Kesepakatan Bersama of Kota Contoh rendered once (not timed) by the product's Chromium renderer
 * (`createRenderer().render`, as bench/render.ts), the same bytes for every provider.
 *
 * Providers and levels, each through the product's own code:
 * - `pengembangan`: `signPdf` with the development CA's signer (`DevelopmentPki.signerFor`, RSA-2048): B-B (no TSA),
 *   B-T (`timestamp`: `HttpTimestampAuthority` over the local TSA), B-LT (B-T plus `validationData` from the CA: the
 *   chain and a fresh CRL in a /DSS update).
 * - `kms`: the same three levels with `KmsSigner` over the local KMS through `@aws-sdk/client-kms` (an ECC_NIST_P256
 *   key, as the stack creates; certificate issued by a pemda CA with `DevelopmentPki.issueCertificate`; B-LT with
 *   `KmsSigningKeys.validationData` and the pemda CA's CRL).
 * - `bsre`: `BsreSigner.signPdf` over `BsreClient` and the local BSrE service (its signatures carry the local TSA's
 *   timestamp: B-T, as BSrE's), with a passphrase. Instrumented subclasses (the product's code unchanged) split the
 *   total into (a) the BSrE round trip, `client.signPdf` (`sign/pdf`) alone, and (b) the product's own work: the
 *   response check `BsreSigner.check` and the status request `user/check/status` made before it (itself a small
 *   request to BSrE), the rest being the identity lookups. The local BSrE runs in this process: its round trip
 *   includes its own work (scrypt over the passphrase, signing with the user's RSA-2048 key, the TSA), not a network.
 *
 * Floor, in the same rounds: `crypto.sign('sha256', 32 bytes, key)` with an RSA-2048 key (the development CA's and
 * the local BSrE's officials) and an ECDSA P-256 key (the `kms` key); each provider's p50 and p95 are divided by the
 * floor of its key type. Every round runs every configuration once, in a rotated order, so machine noise falls on
 * all alike. The last output of each configuration is verified (`verifyPdfSignatures`): the bench exits 1 when a
 * signature is not valid or not at the level it is reported under.
 *
 * Prints a plain table and, last, `BENCH_JSON {"bench":"signing-providers",…}` (the line bench/run-all.ts reads).
 */
import { generateKeyPairSync, randomBytes, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CreateKeyCommand, GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import type { SigningCredential, SigningOfficial } from '../core/ports.ts';
import type { DocumentInput } from '../core/documents/index.ts';
import { createRenderer } from '../functions/render/renderer.ts';
import {
  BsreClient,
  type BsreSignatureProperties,
  type BsreStatus,
  type BsreSubject,
} from '../functions/signing/bsre-client.ts';
import { BsreSigner } from '../functions/signing/bsre-signer.ts';
import { DevelopmentPki } from '../functions/signing/dev-pki.ts';
import { KmsSigningKeys } from '../functions/signing/kms-signer.ts';
import { signPdf, type SignPdfOptions } from '../functions/signing/sign-pdf.ts';
import type { Signer } from '../functions/signing/signer.ts';
import { HttpTimestampAuthority } from '../functions/signing/timestamp.ts';
import { verifyPdfSignatures } from '../functions/signing/verify.ts';
import { startLocalBsre } from '../local/bsre/local-bsre.ts';
import { startLocalKms } from '../local/kms/local-kms.ts';
import { LOCAL_DEVELOPMENT_CREDENTIALS, LOCAL_REGION } from '../local/local-aws.ts';
import { startLocalTsa } from '../local/tsa/local-tsa.ts';
import { contohById } from '../test/support/contoh.ts';
import type { SummaryRow } from './concurrent-cases.ts';
import { countArg, percentile, ratio, round, table } from './stats.ts';

const WARMUP_ROUNDS = 3;
/** Raw signatures per key type per round: the floor is far shorter than a signature, so it is sampled more. */
const FLOOR_PER_ROUND = 5;
const now = () => new Date();
const OFFICIAL: SigningOfficial = {
  pemdaId: 'kota-contoh',
  id: 'walikota',
  nama: 'Dr. H. Budi Santoso, M.Si.',
  jabatan: 'Wali Kota Contoh',
  nip: '197003151995031002',
  instansi: 'Pemerintah Kota Contoh',
};
const DETAILS = {
  reason: 'Penandatanganan Kesepakatan Bersama',
  location: 'Kota Contoh',
  name: OFFICIAL.nama,
  contactInfo: 'setda@kotacontoh.go.id',
};
/** The bench's BSrE user (a fictional NIK) and passphrase: registered with the local service only. */
const BSRE_NIK = '3571000000000001';
const BSRE_PASSPHRASE = { passphrase: `bench-${randomBytes(6).toString('hex')}` };

type Level = 'B-B' | 'B-T' | 'B-LT';
type KeyType = 'RSA-2048' | 'ECDSA P-256';

/** `BsreClient` as the product uses it, recording how long each request to BSrE took. */
class TimedBsreClient extends BsreClient {
  statusMs = 0;
  signMs = 0;

  override async status(subject: BsreSubject): Promise<BsreStatus> {
    const t0 = performance.now();
    try {
      return await super.status(subject);
    } finally {
      this.statusMs += performance.now() - t0;
    }
  }

  override async signPdf(
    subject: BsreSubject,
    credential: SigningCredential,
    properties: BsreSignatureProperties,
    pdf: Uint8Array,
  ): Promise<Uint8Array> {
    const t0 = performance.now();
    try {
      return await super.signPdf(subject, credential, properties, pdf);
    } finally {
      this.signMs += performance.now() - t0;
    }
  }
}

/** `BsreSigner` as the product uses it, recording how long its check of BSrE's answer took. */
class TimedBsreSigner extends BsreSigner {
  checkMs = 0;

  override async check(sent: Uint8Array, signed: Uint8Array): Promise<void> {
    const t0 = performance.now();
    try {
      await super.check(sent, signed);
    } finally {
      this.checkMs += performance.now() - t0;
    }
  }
}

interface Config {
  provider: 'pengembangan' | 'kms' | 'bsre';
  level: Level;
  key: KeyType;
  sign: () => Promise<Uint8Array>;
  /** Roots the last output is verified against. */
  roots: readonly Uint8Array[];
  times: number[];
  last?: Uint8Array;
}

interface Row {
  p50: number;
  p95: number;
  max: number;
}
const row = (xs: readonly number[]): Row => ({
  p50: round(percentile(xs, 50), 2),
  p95: round(percentile(xs, 95), 2),
  max: round(Math.max(...xs), 2),
});

async function time(work: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  await work();
  return performance.now() - t0;
}

async function renderNaskah(): Promise<{ pdf: Uint8Array; pages: number; ms: number }> {
  const renderer = createRenderer({ maxConcurrency: 1 });
  try {
    const t0 = performance.now();
    const kb = contohById('kota-kesepakatan-bersama').data as DocumentInput<'kesepakatan-bersama'>;
    const { pdf, pages } = await renderer.render('kesepakatan-bersama', kb, { paper: 'F4' });
    return { pdf, pages, ms: performance.now() - t0 };
  } finally {
    await renderer.close();
  }
}

async function main(): Promise<void> {
  const n = countArg(process.argv.slice(2), { flag: 'signatures', normal: 50, quick: 10 });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'sepakat-bench-signing-providers-'));
  const closers: (() => Promise<unknown> | void)[] = [];
  try {
    log('signing-providers: rendering the naskah with Chromium');
    const naskah = await renderNaskah();

    log('signing-providers: starting the local TSA, KMS and BSrE');
    const tsa = await startLocalTsa({ dataDir: join(dir, 'tsa'), now });
    closers.push(() => tsa.close());
    const authority = new HttpTimestampAuthority(tsa.url);
    const localKms = await startLocalKms({
      dataDir: join(dir, 'kms'),
      region: LOCAL_REGION,
      accountId: '000000000000',
      now,
    });
    closers.push(() => localKms.close());
    const kms = new KMSClient({
      endpoint: localKms.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_DEVELOPMENT_CREDENTIALS,
    });
    closers.push(() => kms.destroy());
    const bsre = await startLocalBsre({
      dataDir: join(dir, 'bsre'),
      now,
      timestamp: { authority, roots: [tsa.caCertificate] },
    });
    closers.push(() => bsre.close());

    // pengembangan: the development CA and the official's key (RSA-2048).
    const devPki = await DevelopmentPki.open({ dir: join(dir, 'pki'), now });
    const devSigner = await devPki.signerFor(OFFICIAL);

    // kms: an ECC_NIST_P256 key in the local KMS, its certificate from a pemda CA.
    const pemdaCa = await DevelopmentPki.open({ dir: join(dir, 'ca-pemda'), caName: 'CA Pemerintah Kota Contoh', now });
    const { KeyMetadata } = await kms.send(
      new CreateKeyCommand({
        KeySpec: 'ECC_NIST_P256',
        KeyUsage: 'SIGN_VERIFY',
        Tags: [{ TagKey: 'sepakat:tujuan', TagValue: 'tanda-tangan' }],
      }),
    );
    const keyId = KeyMetadata!.Arn!;
    const { PublicKey } = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
    const kmsChain = await pemdaCa.issueCertificate(OFFICIAL, new Uint8Array(PublicKey!));
    const kmsKeys = new KmsSigningKeys(kms, () => ({ keyId, chain: kmsChain }), [pemdaCa.caCertificate], {
      crls: async () => [await pemdaCa.crl()],
    });
    const kmsSigner = await kmsKeys.signerFor(OFFICIAL);

    // bsre: one registered user with a passphrase, the product's client and signer.
    await bsre.register(
      { nik: BSRE_NIK, email: 'walikota@kota-contoh.test', nama: OFFICIAL.nama, jabatan: OFFICIAL.jabatan },
      BSRE_PASSPHRASE.passphrase,
    );
    const bsreRoot = await bsre.caCertificate();
    const client = new TimedBsreClient({
      baseUrl: bsre.endpoint,
      clientId: bsre.clientId,
      clientSecret: bsre.clientSecret,
    });
    const bsreSigner = new TimedBsreSigner({
      client,
      identities: async () => ({ nik: BSRE_NIK }),
      roots: async () => [bsreRoot],
      timestampRoots: async () => [tsa.caCertificate],
      now,
    });

    // The floor: one raw signature over 32 bytes with each key type.
    const floorKeys: Record<KeyType, KeyObject> = {
      'RSA-2048': generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
      'ECDSA P-256': generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey,
    };
    const floorTimes: Record<KeyType, number[]> = { 'RSA-2048': [], 'ECDSA P-256': [] };

    const options = (level: Level, validationData: SignPdfOptions['validationData']): SignPdfOptions => ({
      ...DETAILS,
      signingTime: now(),
      ...(level !== 'B-B' ? { timestamp: authority } : {}),
      ...(level === 'B-LT' ? { validationData } : {}),
    });
    const padesConfigs = (
      provider: 'pengembangan' | 'kms',
      key: KeyType,
      signer: Signer,
      roots: readonly Uint8Array[],
      validationData: SignPdfOptions['validationData'],
    ): Config[] =>
      (['B-B', 'B-T', 'B-LT'] as const).map((level) => ({
        provider,
        level,
        key,
        roots,
        times: [],
        sign: () => signPdf(naskah.pdf, signer, options(level, validationData)),
      }));
    const devChain = await devSigner.certificateChain();
    const componentTimes = { tsa: [] as number[], validationData: [] as number[] };
    const bsreParts = { status: [] as number[], sign: [] as number[], check: [] as number[], rest: [] as number[] };
    const bsreConfig: Config = {
      provider: 'bsre',
      level: 'B-T',
      key: 'RSA-2048',
      roots: [bsreRoot],
      times: [],
      sign: () => bsreSigner.signPdf(naskah.pdf, OFFICIAL, DETAILS, BSRE_PASSPHRASE),
    };
    const configs: Config[] = [
      ...padesConfigs('pengembangan', 'RSA-2048', devSigner, [devPki.caCertificate], (chain) =>
        devPki.validationData(chain),
      ),
      ...padesConfigs('kms', 'ECDSA P-256', kmsSigner, [pemdaCa.caCertificate], (chain) =>
        kmsKeys.validationData(chain),
      ),
      bsreConfig,
    ];

    // One step of a round: a configuration, or the two floors. Warm-up rounds are not recorded.
    let recording = false;
    const steps: (() => Promise<void>)[] = [
      ...configs.map((c) => async () => {
        client.statusMs = client.signMs = bsreSigner.checkMs = 0;
        let out: Uint8Array | undefined;
        const ms = await time(async () => (out = await c.sign()));
        if (!recording) return;
        c.times.push(ms);
        c.last = out;
        if (c === bsreConfig) {
          bsreParts.status.push(client.statusMs);
          bsreParts.sign.push(client.signMs);
          bsreParts.check.push(bsreSigner.checkMs);
          bsreParts.rest.push(ms - client.statusMs - client.signMs - bsreSigner.checkMs);
        }
      }),
      // What B-T and B-LT add, alone: one timestamp from the local TSA, and the development CA's validation data.
      async () => {
        const digest = randomBytes(32);
        const ms = await time(() => authority.timestamp(new Uint8Array(digest)));
        if (recording) componentTimes.tsa.push(ms);
      },
      async () => {
        const ms = await time(() => devPki.validationData(devChain));
        if (recording) componentTimes.validationData.push(ms);
      },
      async () => {
        for (let k = 0; k < FLOOR_PER_ROUND; k++) {
          const digest = randomBytes(32);
          for (const key of Object.keys(floorKeys) as KeyType[]) {
            const ms = await time(() => cryptoSign('sha256', digest, floorKeys[key]));
            if (recording) floorTimes[key].push(ms);
          }
        }
      },
    ];
    log(`signing-providers: ${WARMUP_ROUNDS} warm-up rounds, then ${n} rounds of ${configs.length} signatures`);
    for (let round = -WARMUP_ROUNDS; round < n; round++) {
      recording = round >= 0;
      const start = ((round % steps.length) + steps.length) % steps.length;
      for (let j = 0; j < steps.length; j++) await steps[(start + j) % steps.length]!();
    }

    // Each configuration's last output: valid, at the level it is reported under.
    const problems: string[] = [];
    for (const c of configs) {
      const report = await verifyPdfSignatures(c.last!, {
        trustedRoots: [...c.roots],
        timestampRoots: [tsa.caCertificate],
        checkDate: now(),
      });
      const s = report.signatures[0];
      if (!report.valid || s?.level !== c.level)
        problems.push(
          `${c.provider} ${c.level}: ${report.valid ? 'valid' : 'NOT valid'}, level ${s?.level ?? '-'}` +
            (report.problems.length ? ` (${report.problems.join('; ')})` : ''),
        );
    }

    const floors = { 'RSA-2048': row(floorTimes['RSA-2048']), 'ECDSA P-256': row(floorTimes['ECDSA P-256']) };
    const results = configs.map((c) => {
      const r = row(c.times);
      const floor = floors[c.key];
      return { config: c, row: r, floor, ratioP50: ratio(r.p50, floor.p50, 1), ratioP95: ratio(r.p95, floor.p95, 1) };
    });
    const parts = {
      sign: row(bsreParts.sign),
      check: row(bsreParts.check),
      status: row(bsreParts.status),
      rest: row(bsreParts.rest),
    };
    const own = row(bsreParts.check.map((x, i) => x + bsreParts.status[i]! + bsreParts.rest[i]!));
    const partLabels: [string, Row][] = [
      ['  (a) BSrE round trip: sign/pdf (client.signPdf)', parts.sign],
      ['  (b) response check (BsreSigner.check)', parts.check],
      ['  (b) status request user/check/status', parts.status],
      ['  (b) rest: identity lookups, between the steps', parts.rest],
      ['  (b) product own work: check + status + rest', own],
    ];
    const components = { tsa: row(componentTimes.tsa), validationData: row(componentTimes.validationData) };
    const componentLabels: [string, Row][] = [
      ['alone: one timestamp (HttpTimestampAuthority, local TSA)', components.tsa],
      ['alone: validation data (DevelopmentPki: chain + CRL)', components.validationData],
    ];
    const bsreTotal = results.find((r) => r.config === bsreConfig)!.row;

    const out: string[] = [];
    out.push(
      `signing-providers: ${n} signatures per configuration of a rendered Kesepakatan Bersama ` +
        `(${naskah.pages} pages F4, ${naskah.pdf.length} bytes; Chromium render ${round(naskah.ms, 0)} ms, not timed), ` +
        `Node ${process.version}`,
    );
    out.push('local services in this process: TSA (RFC 3161 over HTTP), KMS (JSON protocol), BSrE eSign API v2');
    out.push('');
    out.push(
      table(
        ['per document (ms)', 'key', 'p50', 'p95', 'max', 'p50/floor', 'p95/floor', 'bytes'],
        [
          ...results.map((r) => [
            `${r.config.provider} ${r.config.level}`,
            r.config.key,
            r.row.p50,
            r.row.p95,
            r.row.max,
            r.ratioP50,
            r.ratioP95,
            r.config.last!.length,
          ]),
          ...partLabels.map(([what, p]) => [what, '', p.p50, p.p95, p.max, '', '', '']),
          ...componentLabels.map(([what, p]) => [what, '', p.p50, p.p95, p.max, '', '', '']),
          ...(Object.keys(floors) as KeyType[]).map((k) => [
            `floor: crypto.sign(sha256) over 32 bytes`,
            k,
            floors[k].p50,
            floors[k].p95,
            floors[k].max,
            1,
            1,
            '',
          ]),
        ],
      ),
    );
    out.push('');
    out.push(
      `bsre: of the p50 total ${bsreTotal.p50} ms, the sign/pdf round trip is ${parts.sign.p50} ms ` +
        `(${Math.round((100 * parts.sign.p50) / bsreTotal.p50)}%), the product's own work ${own.p50} ms ` +
        `(check ${parts.check.p50}, status ${parts.status.p50}); the local BSrE's round trip includes its own ` +
        'signing, timestamp and passphrase hash in this process, not a network.',
    );
    out.push(
      problems.length
        ? `check: ${problems.join('; ')}`
        : `check: the last signature of every configuration verifies, at the level it is reported under`,
    );
    console.log(out.join('\n'));

    const summary: SummaryRow[] = [
      ...results.map((r) => ({
        metric: `${r.config.provider} ${r.config.level} p50 (floor ${r.config.key})`,
        unit: 'ms',
        value: r.row.p50,
        baseline: r.floor.p50,
        ratio: r.ratioP50,
      })),
      { metric: 'bsre sign/pdf round trip p50', unit: 'ms', value: parts.sign.p50 },
      { metric: 'bsre product own work p50', unit: 'ms', value: own.p50 },
    ];
    const json = {
      bench: 'signing-providers',
      node: process.version,
      signatures: n,
      floorSamples: floorTimes['RSA-2048'].length,
      pdf: { bytes: naskah.pdf.length, pages: naskah.pages },
      floor: floors,
      providers: results.map((r) => ({
        provider: r.config.provider,
        level: r.config.level,
        key: r.config.key,
        p50: r.row.p50,
        p95: r.row.p95,
        max: r.row.max,
        ratioP50: r.ratioP50,
        ratioP95: r.ratioP95,
        signedBytes: r.config.last!.length,
      })),
      components,
      bsreSplit: { signRoundTrip: parts.sign, check: parts.check, status: parts.status, rest: parts.rest, own },
      problems,
      summary,
    };
    console.log(`BENCH_JSON ${JSON.stringify(json)}`);
    if (problems.length) process.exitCode = 1;
  } finally {
    for (const close of closers.reverse()) await close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
