/**
 * `date` plus one calendar month in UTC, as Go's `t.AddDate(0, 1, 0)` on a UTC time (upstream
 * Boruta's default deadline): same day of the month and time of day, an overflowing day rolls
 * into the next month (Jan 31 → Mar 3, or Mar 2 in a leap year), as Date.UTC normalizes too.
 */
export function oneCalendarMonthAfter(date: Date): Date {
  return new Date(
    Date.UTC(
      date.getUTCFullYear(),
      date.getUTCMonth() + 1,
      date.getUTCDate(),
      date.getUTCHours(),
      date.getUTCMinutes(),
      date.getUTCSeconds(),
      date.getUTCMilliseconds(),
    ),
  );
}
