/**
 * The demo lab: three kinds of simulated board, their caps and groups, the demo users and the
 * one board that fails now and then. Kept apart from the code that starts them, so the story
 * the demo tells can be read (and changed) in one place.
 */
export interface BoardKind {
  /** The board class (the `board` cap, which the metrics and the dashboard group by). */
  name: string;
  count: number;
  caps: Record<string, string>;
  /** Groups reserve boards: none = everyone; otherwise members of one group and admins. */
  groups: string[];
}

export const BOARD_KINDS: readonly BoardKind[] = [
  {
    name: 'rpi4',
    count: 5,
    caps: { board: 'rpi4', arch: 'arm64', ram: '4G', display: 'hdmi' },
    groups: [],
  },
  {
    name: 'odroid-xu4',
    count: 4,
    caps: { board: 'odroid-xu4', arch: 'armv7', ram: '2G' },
    groups: ['kernel'],
  },
  {
    name: 'nuc',
    count: 3,
    caps: { board: 'nuc', arch: 'x86_64', ram: '16G', usb: '3' },
    groups: ['graphics'],
  },
];

export const DEMO_ADMIN = 'demo-admin';
/** In the `kernel` group: sees the rpi4 and odroid boards, not the nuc ones (graphics). */
export const DEMO_TESTER = { name: 'demo-tester', groups: ['kernel'] };

/**
 * The flaky board: the last rpi4. Its STM stops answering for FLAKY_OUTAGE_MS every
 * FLAKY_PERIOD_MS; its agent notices and reports the failure, the server marks it FAILED and
 * brings it back once it answers again (until it counts as flapping: three failures in an hour
 * leave it FAILED for an admin).
 */
export const FLAKY = { kind: 'rpi4', index: 4 };
export const FLAKY_FIRST_MS = 60_000;
export const FLAKY_PERIOD_MS = 4 * 60_000;
export const FLAKY_OUTAGE_MS = 30_000;

/** Server settings that make the demo lively without waiting minutes. */
export const DEMO_SERVER_ENV = {
  LESHY_HEALTHCHECK_INTERVAL: '15s',
  LESHY_KEY_POOL: '4',
  LESHY_KEY_THREADS: '1',
} as const;
