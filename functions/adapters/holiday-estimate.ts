import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { HolidayEstimate } from '../../core/calendar/work-calendar.ts';
import { ErrorNames, SepakatError } from '../../core/errors.ts';

/**
 * An estimate of a year's moving libur nasional (Idulfitri, Iduladha, Imlek, Nyepi, Waisak, Paskah, Kenaikan …) for
 * years whose SKB calendar is not imported yet: `config/calendar/perkiraan.json`, computed from the maintained
 * `date-holidays` library (country ID) by `npm run kalender:perkiraan` and committed, so that no function bundle
 * carries the library. Only its public holidays, by their local date; the calendar adds the fixed-date ones and
 * marks all as "perkiraan". A year the file does not cover gets the fixed-date holidays only.
 */
const PerkiraanSchema = z.object({
  sumber: z.string(),
  tahun: z.record(z.string().regex(/^\d{4}$/), z.array(z.object({ date: z.iso.date(), name: z.string().min(1) }))),
});

export function fileHolidayEstimate(calendarDir: string): HolidayEstimate {
  const file = join(calendarDir, 'perkiraan.json');
  if (!existsSync(file)) return () => [];
  const parsed = PerkiraanSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new SepakatError(
      ErrorNames.InvalidDefinition,
      `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const years = parsed.data.tahun;
  return (year) => years[String(year)] ?? [];
}
