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
      'fault echo-stuck on',
      'fault no-echo-ack on',
      'fault drop-during-tick on',
    ]) {
      expect(await interpreter.execute(line)).toBe('ok');
    }
    expect(stm.faults).toEqual({
      noReply: true,
      slowMs: 250,
      echoStuck: true,
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
      const lines = () => out.text().split('\r\n').filter(Boolean);
      await waitFor(
        () => lines().filter((l) => l === 'OK').length === statusLines,
        `the reply to ${command}`,
      );
      return lines();
    };
    await exchange('echo off');

    expect(await interpreter.execute('fault garbage')).toBe('ok');
    const garbled = await exchange('power');
    expect(garbled).toEqual([expect.stringContaining('garbage'), 'off', 'OK']);

    expect(await interpreter.execute('fault stale')).toBe('ok');
    expect(await exchange('version', 2)).toEqual(['off', 'OK', 'MuxPi firmware v1.0', 'OK']);

    out.clear();
    expect(await interpreter.execute('fault pressed 2')).toBe('ok');
    await waitFor(() => out.text() === 'pressed: 2\r\n', 'the pressed line');
    stm.stop();
  });

  it('passes console-gone and console-back on, reports state, ignores blank lines', async () => {
    const { stm, calls, interpreter } = setup();
    expect(await interpreter.execute('console-gone')).toBe('ok');
    expect(await interpreter.execute('console-back')).toBe('ok');
    expect(calls).toEqual(['gone', 'back']);
    expect(await interpreter.execute('state')).toBe(
      'ok {"power":"off","faults":{"noReply":false,"slowMs":0,"echoStuck":false,"noEchoAck":false,"dropDuringTick":false}}',
    );
    expect(await interpreter.execute('   ')).toBeNull();
    stm.stop();
  });

  it.each([
    ['fault no-reply maybe', 'error: expected on or off, got "maybe"'],
    ['fault slow fast', 'error: MS must be a whole number, got "fast"'],
    ['fault pressed 3', 'error: usage: fault pressed 1|2'],
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
