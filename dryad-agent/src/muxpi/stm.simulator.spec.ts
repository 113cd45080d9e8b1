import type { Duplex } from 'node:stream';
import { collect, waitFor } from '../testing/wait-for';
import { memoryLinkPair } from './memory.link';
import { StmSimulator } from './stm.simulator';

/** Raw wire tests: bytes in, bytes out, exactly as the protocol sheet describes them. */
describe('StmSimulator framing', () => {
  let host: Duplex;
  let sim: StmSimulator;
  let out: ReturnType<typeof collect>;

  beforeEach(() => {
    const [a, b] = memoryLinkPair();
    host = a;
    sim = new StmSimulator(b);
    out = collect(host);
  });
  afterEach(() => {
    sim.stop();
    host.destroy();
  });

  const send = (text: string) => host.write(Buffer.from(text, 'latin1'));
  const until = (expected: string) =>
    waitFor(() => out.text().includes(expected), JSON.stringify(expected), 2000);
  async function echoOff(): Promise<void> {
    send('echo off\n');
    await until('OK\r\n');
    out.clear();
  }

  it('boots with echo on, card on ts, power off and LEDs off; echoes the terminator as \\n\\r', async () => {
    expect(sim.state).toMatchObject({
      echo: true,
      mux: 'ts',
      power: 'off',
      leds: { 1: [0, 0, 0], 2: [0, 0, 0] },
    });
    send('version\n');
    await until('OK\r\n');
    expect(out.text()).toBe('version\n\rMuxPi firmware v1.0\r\nOK\r\n');
  });

  it('answers echo off with its acknowledgement and stops echoing', async () => {
    send('echo off\n');
    await until('OK\r\n');
    expect(out.text()).toBe('echo off\n\rEcho is off now.\r\nOK\r\n');
    out.clear();
    send('power\n');
    await until('OK\r\n');
    expect(out.text()).toBe('off\r\nOK\r\n');
  });

  it('ends lines on CR or LF; CRLF is a command plus an empty line, and empty lines get no reply', async () => {
    await echoOff();
    send('power on\r\n\n\r\rpower\r');
    await until('on\r\nOK\r\n');
    send('version\n');
    await until('v1.0\r\nOK\r\n');
    expect(out.text()).toBe('OK\r\non\r\nOK\r\nMuxPi firmware v1.0\r\nOK\r\n');
  });

  it('keeps only 64 bytes of a line and drops the rest silently', async () => {
    await echoOff();
    const word = 'W'.repeat(80);
    send(`text 0 0 on ${word}\n`);
    await until('OK\r\n');
    const last = sim.state.display[sim.state.display.length - 1];
    expect(last.text).toBe('W'.repeat(64 - 'text 0 0 on '.length));
  });

  it('uses at most 10 tokens of a line', async () => {
    await echoOff();
    send('text 0 1 on a b c d e f g h\n');
    await until('OK\r\n');
    expect(sim.state.display.at(-1)).toEqual({
      kind: 'text',
      x: 0,
      y: 1,
      on: true,
      text: 'a b c d e f',
    });
  });

  it('has case-sensitive command names but case-insensitive on/off prefixes', async () => {
    await echoOff();
    send('POWER on\n');
    await until('Unknown command\r\n');
    out.clear();
    send('power ON\n');
    await until('OK\r\n');
    expect(sim.state.power).toBe('on');
    send('power Offline\n');
    await waitFor(() => sim.state.power === 'off', 'power off');
    out.clear();
    send('power of\n');
    await until('Error processing command\r\n');
    expect(out.text()).toBe('Error processing command\r\n');
  });

  it.each([
    ['led 3 0 0 0'],
    ['led 1 0 0'],
    ['led 1 0 0 256'],
    ['text 129 0 on x'],
    ['text 0 33 on x'],
    ['text 0 0 on'],
    ['uart 5001'],
    ['mux sd'],
    ['dyper 3 on'],
    ['voltage 5'],
    ['power tick soon'],
  ])('answers "%s" with only the error line', async (command) => {
    await echoOff();
    send(command + '\n');
    await until('\r\n');
    expect(out.text()).toBe('Error processing command\r\n');
  });

  it('runs the whole command table', async () => {
    await echoOff();
    const ask = async (command: string) => {
      out.clear();
      send(command + '\n');
      await waitFor(
        () => /(OK|Error processing command|Unknown command)\r\n$/.test(out.text()),
        command,
      );
      return out.text();
    };
    expect(await ask('current')).toBe('0\r\nOK\r\n');
    expect(await ask('dut')).toBe('OK\r\n');
    expect(sim.state).toMatchObject({ mux: 'dut', power: 'on' });
    expect(await ask('current')).toBe('253\r\nOK\r\n');
    sim.setCurrent(1000);
    expect(await ask('current')).toBe('1003\r\nOK\r\n');
    expect(await ask('mux ts')).toBe('OK\r\n');
    expect(sim.state).toMatchObject({ mux: 'ts', power: 'on' });
    expect(await ask('ts')).toBe('OK\r\n');
    expect(sim.state).toMatchObject({ mux: 'ts', power: 'off' });
    expect(await ask('led 2 96 144 0')).toBe('OK\r\n');
    expect(sim.state.leds[2]).toEqual([96, 144, 0]);
    expect(await ask('clr')).toBe('OK\r\n');
    expect(await ask('hdmi on')).toBe('OK\r\n');
    expect(await ask('hdmi')).toBe('OK\r\n');
    expect(sim.state.hdmi).toBe('off');
    expect(await ask('dyper 2 on')).toBe('OK\r\n');
    expect(sim.state.dypers[2]).toBe('on');
    expect(await ask('uart 1800')).toBe('OK\r\n');
    expect(await ask('voltage 3')).toBe('adc3: 1800\r\nOK\r\n');
    expect(await ask('voltage')).toMatch(
      /^adc1: \d+\r\nadc2: \d+\r\nadc3: 1800\r\nadc4: 0\r\nOK\r\n$/,
    );
    expect(await ask('echo on')).toBe('Echo is on now.\r\nOK\r\n');
    expect(await ask('bogus')).toBe('bogus\n\rUnknown command\r\n');
  });

  it('power tick turns power off, waits, turns it on, then says OK', async () => {
    await echoOff();
    send('power on\n');
    await until('OK\r\n');
    out.clear();
    const changes: string[] = [];
    sim.on('power', (s: string) => changes.push(s));
    const started = Date.now();
    send('power tick 60\n');
    await until('OK\r\n');
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    expect(changes).toEqual(['off', 'on']);
  });

  describe('faults', () => {
    it('no reply: ignores input entirely until switched off', async () => {
      await echoOff();
      sim.faults.noReply = true;
      send('power on\n');
      await new Promise((r) => setImmediate(r));
      expect(sim.state.power).toBe('off');
      sim.faults.noReply = false;
      send('power\n');
      await until('OK\r\n');
      expect(out.text()).toBe('off\r\nOK\r\n');
    });

    it('slow reply: holds the reply back', async () => {
      await echoOff();
      sim.faults.slowMs = 80;
      const started = Date.now();
      send('version\n');
      await until('OK\r\n');
      expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    });

    it.each([
      ['acknowledges echo off', false],
      ['cannot turn echo off at all: no acknowledgement either', true],
    ])('echo stuck: %s, and keeps echoing', async (_, noEchoAck) => {
      sim.faults.echoStuck = true;
      sim.faults.noEchoAck = noEchoAck;
      send('echo off\n');
      await until('OK\r\n');
      out.clear();
      send('power\n');
      await until('OK\r\n');
      expect(out.text()).toBe('power\n\roff\r\nOK\r\n');
    });

    it('no echo acknowledgement: echo on|off answers a bare OK, and still switches echo', async () => {
      sim.faults.noEchoAck = true;
      send('echo off\n');
      await until('OK\r\n');
      expect(out.text()).toBe('echo off\n\rOK\r\n');
      expect(sim.state.echo).toBe(false);
      out.clear();
      send('echo on\n');
      await until('OK\r\n');
      expect(out.text()).toBe('OK\r\n');
      expect(sim.state.echo).toBe(true);
    });

    it('drop during tick: bytes sent while a tick waits are lost (buffered without the fault)', async () => {
      await echoOff();
      sim.faults.dropDuringTick = true;
      send('power tick 80\n');
      await waitFor(() => sim.state.power === 'off', 'tick to start');
      send('version\n');
      await until('OK\r\n');
      send('current\n');
      await until('OK\r\n253\r\nOK\r\n');
      expect(out.text()).toBe('OK\r\n253\r\nOK\r\n');

      out.clear();
      sim.faults.dropDuringTick = false;
      send('power tick 80\n');
      await waitFor(() => sim.state.power === 'off', 'tick to start');
      send('version\n');
      await until('v1.0\r\nOK\r\n');
      expect(out.text()).toBe('OK\r\nMuxPi firmware v1.0\r\nOK\r\n');
    });

    it('garbage and stale lines precede the next reply; pressed lines come at once', async () => {
      await echoOff();
      send('power\n');
      await until('OK\r\n');
      out.clear();
      sim.injectStale();
      sim.injectGarbage();
      send('version\n');
      await until('v1.0\r\nOK\r\n');
      const lines = out.text().split('\r\n');
      expect(lines.slice(0, 2)).toEqual(['off', 'OK']);
      expect(lines[2]).toContain('garbage');
      expect(lines.slice(3)).toEqual(['MuxPi firmware v1.0', 'OK', '']);
      out.clear();
      sim.press(2);
      await until('pressed: 2\r\n');
    });
  });
});
