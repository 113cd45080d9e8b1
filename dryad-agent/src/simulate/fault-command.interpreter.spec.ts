import { memoryLinkPair } from '../muxpi/memory.link';
import { StmSimulator } from '../muxpi/stm.simulator';
import { collect, waitFor } from '../testing/wait-for';
import { FaultCommandInterpreter } from './fault-command.interpreter';

describe('FaultCommandInterpreter', () => {
  const setup = () => {
    const [host, end] = memoryLinkPair();
    const stm = new StmSimulator(end);
    const calls: string[] = [];
    const interpreter = new FaultCommandInterpreter({
      stm,
      consoleGone: async () => void calls.push('gone'),
      consoleBack: async () => void calls.push('back'),
      state: () => ({ power: stm.state.power }),
    });
    return { stm, host, calls, interpreter };
  };

  it('switches every fault and answers ok', async () => {
    const { stm, interpreter } = setup();
    for (const line of [
      'fault no-reply on',
      'fault slow 250',
      'fault echo-off-works on',
      'fault no-echo-ack on',
      'fault drop-during-tick on',
    ]) {
      expect(await interpreter.execute(line)).toBe('ok');
    }
    expect(stm.faults).toEqual({
      noReply: true,
      slowMs: 250,
      echoOffWorks: true,
      noEchoAck: true,
      dropDuringTick: true,
    });
    expect(await interpreter.execute('fault no-reply off')).toBe('ok');
    expect(stm.faults.noReply).toBe(false);
    expect(await interpreter.execute('set current 900')).toBe('ok');
    expect(stm.state.loadCurrentMa).toBe(900);
    stm.stop();
  });

  it('injects garbage, stale and pressed lines that the host then receives', async () => {
    const { stm, host, interpreter } = setup();
    const out = collect(host);
    /** Sends one STM command and returns the lines of its reply (`OK` count: status lines). */
    const exchange = async (command: string, statusLines = 1) => {
      out.clear();
      host.write(command + '\n');
      const lines = () =>
        out
          .text()
          .split(/[\r\n]+/)
          .filter(Boolean);
      await waitFor(
        () => lines().filter((l) => l === 'OK').length === statusLines,
        `the reply to ${command}`,
      );
      return lines();
    };
    // The published firmware: echo stays on after "echo off".
    expect(await exchange('echo off')).toEqual(['echo off', 'Echo is off now.', 'OK']);

    expect(await interpreter.execute('fault garbage')).toBe('ok');
    const garbled = await exchange('power');
    expect(garbled).toEqual(['power', expect.stringContaining('garbage'), 'off', 'OK']);

    expect(await interpreter.execute('fault stale')).toBe('ok');
    expect(await exchange('version', 2)).toEqual([
      'version',
      'off',
      'OK',
      'MuxPi firmware v1.0',
      'OK',
    ]);

    out.clear();
    expect(await interpreter.execute('fault pressed 2')).toBe('ok');
    await waitFor(() => out.text() === 'pressed: 2\r\n', 'the pressed line');
    out.clear();
    expect(await interpreter.execute('fault pressed 1 bounce')).toBe('ok');
    await waitFor(() => out.text() === 'pressed: 1\r\npressed: 1\r\n', 'both lines of a bounce');

    expect(await interpreter.execute('fault pressed-mid-echo 1')).toBe('ok');
    expect(await exchange('power')).toEqual(['powpressed: 1', 'er', 'off', 'OK']);
    stm.stop();
  });

  it('reset restarts an STM whose memory a too long text corrupted', async () => {
    const { stm, host, interpreter } = setup();
    const out = collect(host);
    host.write('text 0 0 on seventeen chars xx\n');
    await waitFor(() => stm.state.corrupted !== null, 'the corruption');
    out.clear();
    host.write('power\n');
    await new Promise((r) => setTimeout(r, 20));
    expect(out.text()).toBe('');
    expect(await interpreter.execute('reset')).toBe('ok');
    expect(stm.state.corrupted).toBeNull();
    host.write('power\n');
    await waitFor(() => out.text().endsWith('off\r\nOK\r\n'), 'an answer after the reset');
    stm.stop();
  });

  it('passes console-gone and console-back on, reports state, ignores blank lines', async () => {
    const { stm, calls, interpreter } = setup();
    expect(await interpreter.execute('console-gone')).toBe('ok');
    expect(await interpreter.execute('console-back')).toBe('ok');
    expect(calls).toEqual(['gone', 'back']);
    expect(await interpreter.execute('state')).toBe(
      'ok {"power":"off","faults":{"noReply":false,"slowMs":0,"echoOffWorks":false,"noEchoAck":false,"dropDuringTick":false}}',
    );
    expect(await interpreter.execute('   ')).toBeNull();
    stm.stop();
  });

  it.each([
    ['fault no-reply maybe', 'error: expected on or off, got "maybe"'],
    ['fault slow fast', 'error: MS must be a whole number, got "fast"'],
    ['fault pressed 3', 'error: usage: fault pressed 1|2 [bounce]'],
    ['fault pressed-mid-echo 1 twice', 'error: usage: fault pressed-mid-echo 1|2 [bounce]'],
    ['fault meltdown', /^error: unknown fault "meltdown"; faults: no-reply, slow/],
    ['reboot', 'error: unknown command "reboot"; try "help"'],
  ])('answers "%s" with an error line', async (line, answer) => {
    const { stm, interpreter } = setup();
    const got = await interpreter.execute(line);
    if (typeof answer === 'string') expect(got).toBe(answer);
    else expect(got).toMatch(answer);
    stm.stop();
  });
});
