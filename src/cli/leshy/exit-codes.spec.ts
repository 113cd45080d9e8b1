import { ExitCode, exitCodeOfStatus } from './exit-codes';

describe('exit codes', () => {
  it.each([
    [400, ExitCode.Usage],
    [401, ExitCode.Unauthenticated],
    [403, ExitCode.Forbidden],
    [404, ExitCode.NotFound],
    [410, ExitCode.NotFound],
    [409, ExitCode.Conflict],
    [500, ExitCode.Failed],
    [503, ExitCode.Unreachable],
  ])('HTTP %i exits %i', (status, code) => {
    expect(exitCodeOfStatus(status)).toBe(code);
  });

  it('are distinct for every class of problem', () => {
    const values = Object.values(ExitCode);
    expect(new Set(values).size).toBe(values.length);
  });
});
