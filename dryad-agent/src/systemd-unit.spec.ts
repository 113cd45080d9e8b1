import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The shipped unit: what a real MuxPi needs around the agent, checked line by line. */
describe('dryad-agent.service', () => {
  const unit = readFileSync(join(__dirname, '..', 'dryad-agent.service'), 'utf8');
  const values = (key: string) =>
    unit
      .split('\n')
      .filter((line) => line.startsWith(`${key}=`))
      .flatMap((line) => line.slice(key.length + 1).split(/\s+/));

  it('starts after the STM is powered (upstream muxpi-power switches its GPIO)', () => {
    expect(values('Wants')).toContain('muxpi-power.service');
    expect(values('After')).toContain('muxpi-power.service');
  });

  it("keeps upstream's STM daemons off the serial line the agent must own", () => {
    expect(values('Conflicts')).toEqual(
      expect.arrayContaining(['stm.service', 'muxpictl.service', 'muxpictl.socket']),
    );
  });
});
