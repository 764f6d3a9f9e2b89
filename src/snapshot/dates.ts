import { InvalidValueError } from './errors.js';

/** Short-date format of a culture, derived from the ICU data behind `Intl`. */
export interface DateCulture {
  tag: string;
  /** Order of the date fields, e.g. day, month, year for de-DE. */
  order: Array<'day' | 'month' | 'year'>;
  /** Separator between the date fields (trimmed), e.g. '.' for de-DE. */
  separator: string;
  /** Text after the last date field (trimmed), such as 'г.' for bg-BG, and usually ''. */
  suffix: string;
  /** Lower-case AM and PM designators the culture writes, plus the English ones. */
  am: string[];
  pm: string[];
  /** The sample date 2026-11-23 22:15:00 as the culture writes it, for error messages. */
  example: string;
}

const CULTURE_HINT =
  'Pass the culture of the machine that exported the file, e.g. --culture de-DE on the command line or ' +
  'culture: "de-DE" in the synchronize mutation, or export dates as ISO-8601.';
const OTHER_CULTURE_HINT =
  'Pass the culture of the machine that exported the file (--culture on the command line, culture in the ' +
  'synchronize mutation), or export dates as ISO-8601.';

/**
 * Resolves a BCP 47 tag such as `de-DE` into its date format. Throws RangeError with a message when the tag is
 * malformed, unknown to this Node.js build, or uses a calendar other than the Gregorian one.
 */
export function resolveDateCulture(tag: string): DateCulture {
  let locale: Intl.Locale;
  try {
    locale = new Intl.Locale(tag);
  } catch {
    throw new RangeError(`Invalid culture "${tag}": it is not a BCP 47 language tag. Use a tag such as de-DE, en-US or en-GB.`);
  }
  if (Intl.DateTimeFormat.supportedLocalesOf([locale.baseName]).length === 0) {
    throw new RangeError(`Unsupported culture "${tag}": Node.js has no date format for it. Use a tag such as de-DE, en-US or en-GB.`);
  }
  const sample = new Date(Date.UTC(2026, 10, 23, 22, 15, 0));
  const dateFormat = new Intl.DateTimeFormat(tag, { year: 'numeric', month: 'numeric', day: 'numeric', timeZone: 'UTC' });
  // ICU reports the Buddhist calendar of th-TH and the Persian one of fa-IR, whose years this reader cannot convert.
  // It reports Gregorian for ar-SA, which Windows defaults to Hijri, so the year check in parseCultureDate catches that.
  const calendar = dateFormat.resolvedOptions().calendar;
  if (calendar !== 'gregory' && calendar !== 'iso8601') {
    throw new RangeError(
      `Unsupported culture "${tag}": it uses the ${calendar} calendar. Export the dates as ISO-8601 (e.g. $_.WhenChanged.ToString('o')) instead.`,
    );
  }

  const parts = dateFormat.formatToParts(sample);
  const order = parts
    .map((part) => part.type)
    .filter((type): type is 'day' | 'month' | 'year' => type === 'day' || type === 'month' || type === 'year');
  if (order.length !== 3) {
    throw new RangeError(`Unsupported culture "${tag}": its short date is not day, month and year. Export the dates as ISO-8601 instead.`);
  }
  const separator = parts.find((part) => part.type === 'literal')?.value.trim() ?? '/';
  const last = parts.at(-1)!;
  const suffix = last.type === 'literal' ? last.value.trim() : '';

  // NOTE: ICU's designators can differ from .NET's (ICU 78 in Node 20.20 writes PM for ko-KR, .NET writes 오후).
  // Such a date fails as not matching the culture, because the time must match in full. It is never misread.
  const am = new Set(['am']);
  const pm = new Set(['pm']);
  const timeFormat = new Intl.DateTimeFormat(tag, { hour: 'numeric', hour12: true, timeZone: 'UTC' });
  const period = (date: Date) => timeFormat.formatToParts(date).find((part) => part.type === 'dayPeriod')?.value;
  const amText = period(new Date(Date.UTC(2026, 10, 23, 10)));
  const pmText = period(sample);
  if (amText) am.add(amText.toLowerCase());
  if (pmText) pm.add(pmText.toLowerCase());

  const example = new Intl.DateTimeFormat(tag, {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: 'UTC',
  }).format(sample);
  return { tag, order, separator, suffix, am: [...am], pm: [...pm], example };
}

const MS_DATE = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const CULTURE_DATE = /^(\d{1,4})\s*([^\d\s:])\s*(\d{1,4})\s*\2\s*(\d{1,4})(?!\d)/;
// Hours, minutes and seconds; .NET writes '.' between them for a few cultures such as fi-FI.
const TIME = /^(\d{1,2})([:.])(\d{2})(?:\2(\d{2})(?:[.,](\d{1,7}))?)?$/;

/**
 * Converts a date as PowerShell exports it into an ISO-8601 UTC string (millisecond precision).
 * Accepts `/Date(ms)/` and `/Date(ms+hhmm)/` (the offset only records the exporting machine's zone, so
 * the milliseconds already are UTC), ISO-8601, and with a culture the culture's short date and long time.
 * A date without a zone is taken as UTC, because an export does not record the machine's zone.
 * Throws InvalidValueError for anything else, including a culture date when no culture is given.
 */
export function parseSnapshotDate(text: string, culture: DateCulture | undefined): string {
  const value = text.trim();
  const ms = MS_DATE.exec(value);
  if (ms) {
    const date = new Date(Number(ms[1]));
    if (Number.isNaN(date.getTime())) throw new InvalidValueError(`the date "${text}" is out of range.`);
    return date.toISOString();
  }

  const iso = ISO_DATE.exec(value);
  if (iso) {
    const [, y, mo, d, h, mi, s, fraction, zone] = iso;
    const utc = toUtcMillis(value, +y!, +mo!, +d!, +(h ?? 0), +(mi ?? 0), +(s ?? 0), fractionToMillis(fraction));
    return new Date(utc - zoneOffsetMinutes(zone) * 60_000).toISOString();
  }

  if (culture === undefined) {
    throw new InvalidValueError(`the date "${text}" is not ISO-8601 and no culture was given to read it. ${CULTURE_HINT}`);
  }
  return parseCultureDate(text, value, culture);
}

function parseCultureDate(text: string, value: string, culture: DateCulture): string {
  const mismatch = () =>
    new InvalidValueError(
      `the date "${text}" does not match culture ${culture.tag}, which writes dates like "${culture.example}". ${OTHER_CULTURE_HINT}`,
    );
  const date = CULTURE_DATE.exec(value);
  if (!date) throw mismatch();
  const separator = date[2]!;
  if (separator !== culture.separator && !['.', '/', '-'].includes(separator)) throw mismatch();

  const fields = { day: 0, month: 0, year: 0 };
  culture.order.forEach((name, index) => {
    const digits = date[index === 0 ? 1 : index + 2]!;
    if (name === 'year' && digits.length !== 4) {
      throw new InvalidValueError(`the date "${text}" has a two-digit year, which is ambiguous. Export dates with four-digit years or as ISO-8601.`);
    }
    fields[name] = Number(digits);
  });
  // Year 1 is DateTime.MinValue, which Exchange uses for "never". Other years before 1900 come from a non-Gregorian
  // calendar that ICU does not report for the culture (Windows defaults ar-SA to Hijri, ICU to Gregorian).
  if (fields.year !== 1 && fields.year < 1900) {
    throw new InvalidValueError(
      `the date "${text}" has the year ${fields.year}, so the exporting machine probably used a non-Gregorian calendar. ` +
        `Export the dates as ISO-8601 (e.g. $_.WhenChanged.ToString('o')).`,
    );
  }

  let rest = value.slice(date[0].length).trim().toLowerCase();
  if (culture.suffix !== '' && rest.startsWith(culture.suffix.toLowerCase())) rest = rest.slice(culture.suffix.length).trim();
  let period: 'am' | 'pm' | undefined;
  for (const [name, designators] of [['am', culture.am], ['pm', culture.pm]] as const) {
    for (const designator of designators) {
      if (rest.startsWith(designator)) rest = rest.slice(designator.length).trim();
      else if (rest.endsWith(designator)) rest = rest.slice(0, -designator.length).trim();
      else continue;
      period = name;
      break;
    }
    if (period) break;
  }

  let [hour, minute, second, millis] = [0, 0, 0, 0];
  if (rest !== '') {
    const time = TIME.exec(rest);
    if (!time) throw mismatch();
    [hour, minute, second, millis] = [+time[1]!, +time[3]!, +(time[4] ?? 0), fractionToMillis(time[5])];
  }
  if (period) {
    if (hour < 1 || hour > 12) {
      throw new InvalidValueError(`the date "${text}" has hour ${hour} with an AM/PM designator, which allows only 1 to 12. ${OTHER_CULTURE_HINT}`);
    }
    hour = (hour % 12) + (period === 'pm' ? 12 : 0);
  }
  return new Date(toUtcMillis(text, fields.year, fields.month, fields.day, hour, minute, second, millis)).toISOString();
}

function toUtcMillis(text: string, y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  const daysInMonth = new Date(Date.UTC(2000, mo, 0)).getUTCDate() - (mo === 2 && !isLeapYear(y) ? 1 : 0);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth || h > 23 || mi > 59 || s > 59) {
    const time = [h, mi, s].map((part) => String(part).padStart(2, '0')).join(':');
    throw new InvalidValueError(`the date "${text}" does not exist (month ${mo}, day ${d}, time ${time}).`);
  }
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d); // unlike Date.UTC, keeps years 0-99 as they are
  date.setUTCHours(h, mi, s, ms);
  return date.getTime();
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Converts a decimal fraction of a second to whole milliseconds. PowerShell 7 writes seven digits, and digits after the third are dropped. */
function fractionToMillis(fraction: string | undefined): number {
  return fraction ? Number(fraction.slice(0, 3).padEnd(3, '0')) : 0;
}

function zoneOffsetMinutes(zone: string | undefined): number {
  if (!zone || zone.toUpperCase() === 'Z') return 0;
  const digits = zone.replace(':', '');
  const minutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5) || '0');
  return zone.startsWith('-') ? -minutes : minutes;
}
