import data2026 from '../../config/calendar/2026.json' with { type: 'json' };
import type { CalendarYear } from './calendar-schema.ts';
import { parseCalendarYear } from './work-calendar.ts';

/**
 * The holiday years shipped with the product (`config/calendar/<year>.json`), validated at import. Bundled as
 * data so that a Lambda needs no file access; add next year's file here when its SKB 3 Menteri is published.
 */
export const BUNDLED_CALENDAR_YEARS: readonly CalendarYear[] = [
  parseCalendarYear(data2026, 'config/calendar/2026.json'),
];
