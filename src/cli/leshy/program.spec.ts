import { execFileSync } from 'node:child_process';
import { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../../../test/support/temp-dir';
import { createContext } from './context';
import { ExitCode } from './exit-codes';
import { runLeshy } from './main';
import { buildProgram } from './program';
import { captureIo } from './testing/capture-io';

describe('the leshy command line', () => {
  const dir = tempDir('leshy-program-');
  afterAll(() => dir.remove());
  const env = { XDG_CONFIG_HOME: dir.path, HOME: dir.path };

  async function run(...argv: string[]) {
    const io = captureIo();
    const code = await runLeshy(argv, createContext(env, io));
    return { code, out: io.out(), err: io.err() };
  }

  it('gives --json to every command that does something', () => {
    const leaves: string[] = [];
    const walk = (cmd: Command, name: string) => {
      if (!cmd.commands.length) {
        leaves.push(name);
        expect(cmd.options.map((o) => o.long)).toContain('--json');
      }
      for (const sub of cmd.commands) walk(sub, `${name} ${sub.name()}`);
    };
    walk(buildProgram(createContext(env, captureIo())), 'leshy');
    expect(leaves).toEqual(
      expect.arrayContaining([
        'leshy request',
        'leshy users add',
        'leshy tokens revoke',
        'leshy flash',
      ]),
    );
  });

  it('exits 0 for help and the version, and lists the exit codes in the help', async () => {
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/Exit codes:[\s\S]*7 +timed out waiting/);
    expect((await run('users', 'add', '--help')).code).toBe(0);
    expect((await run('--version')).out).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each([
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['show'], /missing required argument 'id'/],
    [['show', 'x1'], /"x1" is not a request id/],
    [['request'], /required option '--caps <caps>'/],
    [['request', '--caps', 'board'], /"board" is not a cap/],
    [['request', '--caps', 'board=x', '--priority', '0'], /1 \(highest\) to 16/],
    [['power', '1', 'sideways'], /"sideways" is not on, off or tick/],
    [['scp', 'a', 'b'], /exactly one of the two must be ID:PATH/],
    [['tokens', 'create', '--label', 'x'], /needs --user NAME or --agent/],
  ])('exits 2 (usage) for %j', async (argv, message) => {
    const result = await run(...argv);
    expect(result.code).toBe(ExitCode.Usage);
    expect(result.err).toMatch(message);
  });

  it('says in one line that no server is configured, and what to do', async () => {
    const result = await run('whoami', '--json');
    expect(result.code).toBe(ExitCode.Usage);
    expect(result.err).toBe(
      'leshy: no Leshy server configured\n  run "leshy login --server URL --token TOKEN" (or set LESHY_SERVER and LESHY_TOKEN)\n',
    );
    expect(JSON.parse(result.out)).toEqual({
      error: { message: 'no Leshy server configured', exitCode: 2 },
    });
  });

  it('prints a bash completion script that completes commands, subcommands and options', async () => {
    const result = await run('completion', 'bash');
    expect(result.code).toBe(0);
    const script = path.join(dir.path, 'leshy.bash');
    writeFileSync(script, result.out);
    const complete = (...words: string[]) =>
      execFileSync(
        'bash',
        [
          '-c',
          `source ${script}; COMP_WORDS=(leshy ${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length}; _leshy_complete; echo "\${COMPREPLY[*]}"`,
        ],
        { encoding: 'utf8' },
      ).trim();
    expect(complete('us')).toBe('users');
    expect(complete('users', '')).toContain('add');
    expect(complete('users', 'add', '--r')).toBe('--role');
    expect(complete('request', '--json', '--ca')).toBe('--caps');
  });
});
