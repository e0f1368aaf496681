import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { developmentPassphrase, developmentUsers } from './development-users.ts';

/**
 * `npm run bsre-lokal [-- --data-dir .sepakat]`: the users of the local BSrE service (BSrE tiruan — bukan BSrE) with
 * their development passphrases, derived from the seed in the data directory (no file holds them). Run `npm start`
 * once first: it makes the seed and registers the users.
 */
const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({ options: { 'data-dir': { type: 'string', default: '.sepakat' } } });
const bsreDir = join(resolve(values['data-dir']!), 'bsre');
if (!existsSync(join(bsreDir, 'benih-passphrase'))) {
  console.error(`Belum ada BSrE lokal di ${bsreDir}: jalankan \`npm start\` sekali dahulu.`);
  process.exit(1);
}
console.log('Pengguna BSrE lokal (BSrE tiruan — bukan BSrE), passphrase pengembangan:');
for (const user of developmentUsers(join(PROJECT_ROOT, 'config'))) {
  const status = user.sertifikat === false ? 'NO_CERTIFICATE' : 'ISSUE';
  const passphrase = user.sertifikat === false ? '-' : developmentPassphrase(bsreDir, user.personId);
  console.log(`  ${user.pemda}/${user.personId.padEnd(14)} ${status.padEnd(15)} NIK ${user.nik}  ${passphrase}`);
}
