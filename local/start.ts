import { parseArgs } from 'node:util';
import type { FaultPoint } from '../core/case/model.ts';
import { createLog, useLog } from '../functions/observability/log.ts';
import { BSRE_MODES, type BsreMode } from './bsre/local-bsre.ts';
import { answerReload } from './reload-request.ts';
import { startRuntime } from './runtime.ts';

/**
 * `npm start`: the embedded local default on 127.0.0.1. Data stays in `.sepakat/` (or --data-dir) across restarts;
 * every active case resumes at its step on start.
 */
const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: '.sepakat' },
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    host: { type: 'string', default: '127.0.0.1' },
    'public-url': { type: 'string' },
    'sop-dir': { type: 'string', multiple: true },
    'human-wait-seconds': { type: 'string' },
    // How often the local scheduler fires what has come due (ms, default 30000; 0: never, a test hook).
    'scheduler-interval-ms': { type: 'string' },
    // Test hook: SIGKILL at the Nth arrival at a named point (see core/case/model.ts FaultPoint).
    fault: { type: 'string' },
    'fault-occurrence': { type: 'string' },
    // The local BSrE service: a delay before every answer (ms), or a misbehaving mode (local/bsre/local-bsre.ts).
    'bsre-delay-ms': { type: 'string' },
    'bsre-mode': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

// One process, one format: every module's log prints readable lines here (JSON is for the Lambdas).
const lines = (line: string) => console.error(line);
useLog(createLog({ format: 'line', write: lines }));

const bsreMode = values['bsre-mode'];
if (bsreMode !== undefined && !(BSRE_MODES as readonly string[]).includes(bsreMode)) {
  console.error(`--bsre-mode tidak dikenal: ${bsreMode} (pilihan: ${BSRE_MODES.join(', ')})`);
  process.exit(2);
}

const runtime = await startRuntime({
  dataDir: values['data-dir']!,
  port: Number(values.port),
  host: values.host!,
  ...(values['public-url'] ? { publicBaseUrl: values['public-url'] } : {}),
  ...(values['sop-dir']?.length ? { sopDirs: values['sop-dir'] } : {}),
  ...(values['human-wait-seconds'] ? { humanWaitSeconds: Number(values['human-wait-seconds']) } : {}),
  ...(values['scheduler-interval-ms'] ? { schedulerIntervalMs: Number(values['scheduler-interval-ms']) } : {}),
  ...(values.fault
    ? { fault: { point: values.fault as FaultPoint, occurrence: Number(values['fault-occurrence'] ?? 1) } }
    : {}),
  ...(values['bsre-delay-ms'] || bsreMode
    ? {
        bsre: {
          ...(values['bsre-delay-ms'] ? { delayMs: Number(values['bsre-delay-ms']) } : {}),
          ...(bsreMode ? { mode: bsreMode as BsreMode } : {}),
        },
      }
    : {}),
  log: lines,
  // A changed file under sops/ or config/ is reloaded as `muat-ulang` does; SEPAKAT_WATCH=0 turns the watch off.
  watch: process.env.SEPAKAT_WATCH !== '0',
});

if (values.json) {
  console.log(JSON.stringify({ ready: true, pid: process.pid, urls: runtime.urls, resumed: runtime.resumed }));
} else {
  console.log(`
Sepakat berjalan (bawaan lokal).
  Halaman tindakan : ${runtime.urls.web}
  DynamoDB (dynalite): ${runtime.urls.dynamodb}
  S3 (s3rver)      : ${runtime.urls.s3}
  Step Functions   : ${runtime.urls.sfn}
  SES v2 (surat)   : ${runtime.urls.ses}  — surat tersimpan di ${runtime.dataDir}/mail
  Cognito (lokal)  : ${runtime.urls.cognito}  — masuk konsol di ${runtime.urls.web}/masuk, pengguna di config/pengguna/
  KMS (lokal)      : ${runtime.urls.kms}  — kunci tanda tangan di ${runtime.dataDir}/kms
  TSA (RFC 3161)   : ${runtime.urls.tsa}  — cap waktu tanda tangan (PAdES B-T), TSA tiruan, bukan TSA tersertifikasi
  BSrE (tiruan)    : ${runtime.urls.bsre}  — bukan BSrE; passphrase pengembangan: npm run bsre-lokal
  Data             : ${runtime.dataDir}
  Pemantauan data  : ${process.env.SEPAKAT_WATCH === '0' ? 'mati (SEPAKAT_WATCH=0); muat ulang dengan npm run sepakat -- muat-ulang' : 'sops/ dan config/ dimuat ulang otomatis saat berubah (SEPAKAT_WATCH=0 mematikan)'}
  Kasus dilanjutkan: ${runtime.resumed.length}
Tekan Ctrl+C untuk berhenti. Coba: npm run sepakat -- kasus`);
}

// `npm run sepakat -- muat-ulang`: load new SOP versions and changed configuration without a restart.
process.on('SIGHUP', () => {
  try {
    answerReload(runtime.dataDir, () => runtime.reload(), runtime.app.runtimeClock.now());
  } catch (error) {
    console.error(`muat ulang gagal: ${String(error)}`);
  }
});

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    void runtime.close().then(() => process.exit(0));
  });
