import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Holidays from 'date-holidays';
import { PROJECT_ROOT } from '../local/runtime.ts';

/**
 * `npm run kalender:perkiraan`: writes config/calendar/perkiraan.json, an estimate of the moving libur nasional
 * (Idulfitri, Iduladha, Imlek, Nyepi, Waisak, Paskah, Kenaikan …) of the coming years from the maintained
 * `date-holidays` library (country ID), for years whose SKB calendar is not imported yet. Computed here, at
 * development time, and committed: the functions read the file, so the library (all countries' rules) is in no
 * bundle. Run it again when the library is updated, and each year to extend the range.
 */
export const PERKIRAAN_FILE = 'perkiraan.json';

export function estimateYears(from: number, to: number): Record<string, { date: string; name: string }[]> {
  const library = new Holidays('ID');
  const years: Record<string, { date: string; name: string }[]> = {};
  for (let year = from; year <= to; year++)
    years[String(year)] = library
      .getHolidays(year)
      .filter((h) => h.type === 'public')
      .map((h) => ({ date: h.date.slice(0, 10), name: h.name }));
  return years;
}

export function libraryVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('date-holidays/package.json') as { version: string }).version;
}

if (process.argv[1]?.endsWith('kalender-perkiraan.ts')) {
  const from = Number(process.argv[2] ?? 2027);
  const to = Number(process.argv[3] ?? from + 5);
  const file = join(PROJECT_ROOT, 'config', 'calendar', PERKIRAAN_FILE);
  writeFileSync(
    file,
    `${JSON.stringify({ sumber: `date-holidays ${libraryVersion()} (ID), libur umum`, dariTahun: from, sampaiTahun: to, tahun: estimateYears(from, to) }, null, 2)}\n`,
  );
  console.log(`Perkiraan libur nasional ${from}–${to} ditulis ke ${file}`);
}
