import Holidays from 'date-holidays';
import type { HolidayEstimate } from '../../core/calendar/work-calendar.ts';

/**
 * An estimate of a year's moving libur nasional (Idulfitri, Iduladha, Imlek, Nyepi, Waisak, Paskah, Kenaikan …)
 * from the maintained `date-holidays` library (country ID), for years whose SKB calendar is not imported yet. Only
 * its public holidays, by their local date; the calendar adds the fixed-date ones and marks all as "perkiraan".
 */
export const dateHolidaysEstimate: HolidayEstimate = (year) => {
  const library = new Holidays('ID');
  return library
    .getHolidays(year)
    .filter((h) => h.type === 'public')
    .map((h) => ({ date: h.date.slice(0, 10), name: h.name }));
};
