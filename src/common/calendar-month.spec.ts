import { oneCalendarMonthAfter } from './calendar-month';

const after = (iso: string) => oneCalendarMonthAfter(new Date(iso)).toISOString();

describe("one calendar month later, as Go's AddDate(0, 1, 0) in UTC", () => {
  it('keeps the day of the month and the time of day', () => {
    expect(after('2026-04-15T10:20:30.456Z')).toBe('2026-05-15T10:20:30.456Z');
    expect(after('2026-02-01T00:00:00.000Z')).toBe('2026-03-01T00:00:00.000Z');
  });
  it('is not 30 days', () => {
    expect(after('2026-01-10T00:00:00.000Z')).toBe('2026-02-10T00:00:00.000Z');
    expect(after('2026-02-10T00:00:00.000Z')).toBe('2026-03-10T00:00:00.000Z');
  });
  it('rolls an overflowing day into the next month, as Go normalizes', () => {
    expect(after('2025-01-31T12:00:00.000Z')).toBe('2025-03-03T12:00:00.000Z');
    expect(after('2024-01-31T12:00:00.000Z')).toBe('2024-03-02T12:00:00.000Z');
    expect(after('2026-03-31T00:00:00.000Z')).toBe('2026-05-01T00:00:00.000Z');
  });
  it('crosses the year', () => {
    expect(after('2026-12-31T23:59:59.999Z')).toBe('2027-01-31T23:59:59.999Z');
  });
});
