import { isoWeekOf, LocalCalendar, monthsBetween, utcMonthsOfLocalDates } from './calendar';
import { durationStatistics, percentile } from './statistics';

describe('report calendar', () => {
  it('numbers ISO weeks: Monday first, week 1 holding the first Thursday, 53-week years', () => {
    expect(isoWeekOf('2026-01-01')).toEqual({ week: '2026-W01', weekStart: '2025-12-29' });
    expect(isoWeekOf('2025-12-28')).toEqual({ week: '2025-W52', weekStart: '2025-12-22' });
    expect(isoWeekOf('2026-03-29')).toEqual({ week: '2026-W13', weekStart: '2026-03-23' }); // a Sunday
    expect(isoWeekOf('2026-03-30')).toEqual({ week: '2026-W14', weekStart: '2026-03-30' });
    expect(isoWeekOf('2026-12-31')).toEqual({ week: '2026-W53', weekStart: '2026-12-28' });
    expect(isoWeekOf('2027-01-03')).toEqual({ week: '2026-W53', weekStart: '2026-12-28' });
    expect(isoWeekOf('2027-01-04')).toEqual({ week: '2027-W01', weekStart: '2027-01-04' });
    expect(isoWeekOf('2024-02-29')).toEqual({ week: '2024-W09', weekStart: '2024-02-26' });
  });

  it('gives the local date of instants on both sides of DST changes', () => {
    const berlin = new LocalCalendar('Europe/Berlin');
    expect(berlin.dateOf('2026-03-28T22:59:59Z')).toBe('2026-03-28'); // 23:59:59 CET
    expect(berlin.dateOf('2026-03-28T23:00:00Z')).toBe('2026-03-29');
    expect(berlin.dateOf('2026-03-29T21:59:59Z')).toBe('2026-03-29'); // 23:59:59 CEST
    expect(berlin.dateOf('2026-03-29T22:00:00Z')).toBe('2026-03-30');
    expect(berlin.dateOf('2026-10-24T21:59:59Z')).toBe('2026-10-24'); // autumn: back to CET on the 25th
    expect(berlin.dateOf('2026-10-25T22:59:59Z')).toBe('2026-10-25');
    expect(berlin.dateOf('2026-10-25T23:00:00Z')).toBe('2026-10-26');
    const kathmandu = new LocalCalendar('Asia/Kathmandu'); // +05:45
    expect(kathmandu.dateOf('2026-03-01T18:14:59Z')).toBe('2026-03-01');
    expect(kathmandu.dateOf('2026-03-01T18:15:00Z')).toBe('2026-03-02');
    expect(new LocalCalendar('Pacific/Kiritimati').dateOf('2026-03-01T10:00:00Z')).toBe('2026-03-02'); // +14:00
  });

  it('lists the months a range of local dates can fall in, in UTC', () => {
    expect(monthsBetween('2025-11-15', '2026-02-01')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
    expect(utcMonthsOfLocalDates('2026-03-01', '2026-03-31')).toEqual(['2026-02', '2026-03', '2026-04']);
    expect(utcMonthsOfLocalDates('2026-03-10', '2026-03-20')).toEqual(['2026-03']);
  });
});

describe('report statistics', () => {
  it('takes nearest-rank percentiles: values that occurred, the lower middle for an even count', () => {
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect([percentile(ten, 50), percentile(ten, 90), percentile(ten, 91), percentile(ten, 100)]).toEqual([5, 9, 10, 10]);
    expect([percentile([7], 50), percentile([7], 90)]).toEqual([7, 7]);
    expect(percentile([], 50)).toBeNull();
    expect(durationStatistics([3_000, 1_000, 2_000, 60_000])).toEqual({ medianSeconds: 2, p90Seconds: 60 });
    expect(durationStatistics([])).toEqual({ medianSeconds: null, p90Seconds: null });
  });
});
