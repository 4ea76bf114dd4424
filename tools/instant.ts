/**
 * Instants typed by people on the command line: `now`, unix seconds, or an ISO 8601 time with a
 * zone. A date that does not exist on the calendar (2026-02-30, month 13, hour 25) is refused rather
 * than rolled over into another day, as `Date.parse` would.
 */
import { EpochSeconds, epochSeconds, fromEpochMilliseconds } from '../inventory/expiry';

/** Unix seconds beyond this are no instant this tool can mean (year 5138, inside Date's range). */
const LARGEST_SECONDS = 99_999_999_999;

const ISO_8601 = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(\.\d+)?)?(Z|([+-])(\d\d):(\d\d))$/i;

/** Unix seconds of `text`, or a sentence saying what is wrong with it. */
export function parseInstant(text: string, now: EpochSeconds): { seconds: EpochSeconds } | { problem: string } {
  if (text === 'now') return { seconds: now };
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    if (seconds <= LARGEST_SECONDS) return { seconds: epochSeconds(seconds) };
    // 13 digits is what Date.now() and .credentials.json's expiresAt give: milliseconds.
    const fromMs = seconds / 1000;
    if (fromMs <= LARGEST_SECONDS && Number.isInteger(fromMs)) {
      return { problem: `has ${text.length} digits: that is milliseconds; write seconds, ${fromMs} (${new Date(seconds).toISOString().replace('.000Z', 'Z')})` };
    }
    return { problem: `has ${text.length} digits: no unix time in seconds is that large (the largest is ${LARGEST_SECONDS}, in the year 5138)` };
  }
  const match = ISO_8601.exec(text);
  if (!match) return { problem: "is not 'now', unix seconds, or an ISO 8601 time with a zone (e.g. 2026-04-18T16:07:09Z)" };
  const [year, month, day, hour, minute, second = 0] = match.slice(1, 7).map((part) => (part === undefined ? undefined : Number(part))) as number[];
  const fraction = match[7] ? Number(match[7]) : 0;
  const [sign, offsetHours, offsetMinutes] = [match[9], Number(match[10] ?? 0), Number(match[11] ?? 0)];
  const daysInMonth = month >= 1 && month <= 12 ? new Date(Date.UTC(year, month, 0)).getUTCDate() : 0;
  // Date.UTC reads years 0-99 as 1900-1999: `0099-06-01` would become 1999.
  if (year < 1970) return { problem: `has year ${match[1]}: write a year from 1970 on` };
  if (month < 1 || month > 12) return { problem: `has month ${match[2]}: months run 01 to 12` };
  if (day < 1 || day > daysInMonth) return { problem: `has day ${match[3]}: ${match[1]}-${match[2]} has ${daysInMonth} days` };
  if (hour > 23 || minute > 59 || second > 59) return { problem: `has time ${match[4]}:${match[5]}${match[6] ? `:${match[6]}` : ''}: hours run 00-23, minutes and seconds 00-59` };
  const offsetTotal = offsetHours * 60 + offsetMinutes;
  if (offsetMinutes > 59 || offsetTotal > (sign === '-' ? 12 * 60 : 14 * 60)) return { problem: `has zone offset ${sign}${match[10]}:${match[11]}: offsets run -12:00 to +14:00` };
  const utcMs = Date.UTC(year, month - 1, day, hour, minute, second) + fraction * 1000;
  const offsetMs = (sign === '-' ? -1 : 1) * offsetTotal * 60_000;
  return { seconds: fromEpochMilliseconds(utcMs - (sign ? offsetMs : 0)) };
}
