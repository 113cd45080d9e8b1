import { CONFIG_DEFAULTS } from './load-config';
import { unknownVariableWarnings } from './unknown-variables';

const KNOWN = Object.keys(CONFIG_DEFAULTS);
const warn = (env: Record<string, string>) => unknownVariableWarnings(env, KNOWN);

describe('unknown LESHY_* variables', () => {
  it('names a near miss with the variable it was meant to be', () => {
    expect(warn({ LESHY_AGENT_TOKN: 'secret' })).toEqual([
      'LESHY_AGENT_TOKN is not a Leshy variable and is ignored: did you mean LESHY_AGENT_TOKEN? (see README, "Configuration")',
    ]);
    expect(warn({ LESHY_DATABSE_URL: 'x' })[0]).toMatch(/did you mean LESHY_DATABASE_URL\?/);
    expect(warn({ LESHY_HTTP_ADRR: 'x' })[0]).toMatch(/did you mean LESHY_HTTP_ADDR\?/);
    expect(warn({ leshy_secret: 'x' })[0]).toMatch(/did you mean LESHY_SECRET\?/);
  });

  it('warns without a guess when nothing is close', () => {
    expect(warn({ LESHY_FROBNICATE: '1' })).toEqual([
      'LESHY_FROBNICATE is not a Leshy variable and is ignored (see README, "Configuration")',
    ]);
  });

  it('is silent about known variables, other variables and the test suites own', () => {
    expect(
      warn({
        LESHY_AGENT_TOKEN: 'x',
        LESHY_DATA_DIR: '/tmp',
        PATH: '/bin',
        LESHYX: '1',
        LESHY_TEST_POSTGRES_URL: 'postgres://x',
      }),
    ).toEqual([]);
  });

  it('never prints the value (it may be a secret)', () => {
    expect(warn({ LESHY_SECERT: 'hunter2-hunter2-hunter2' }).join('\n')).not.toContain('hunter2');
  });
});
