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
  /** The variant firmware whose `echo off` works: exact replies without echo. */
  async function echoOff(): Promise<void> {
    sim.faults.echoOffWorks = true;
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

  it('cannot turn echo off, as the published firmware: echo off is acknowledged and echo stays on', async () => {
    send('echo off\n');
    await until('OK\r\n');
    expect(out.text()).toBe('echo off\n\rEcho is off now.\r\nOK\r\n');
    expect(sim.state.echo).toBe(true);
    out.clear();
    send('power\n');
    await until('OK\r\n');
    expect(out.text()).toBe('power\n\roff\r\nOK\r\n');
    out.clear();
    // A bare echo toggles: from the always-on getter to off, which again does not stick.
    send('echo\n');
    await until('OK\r\n');
    expect(out.text()).toBe('echo\n\rEcho is off now.\r\nOK\r\n');
  });

  it('the variant whose echo off works: acknowledges and stops echoing; a bare echo toggles', async () => {
    sim.faults.echoOffWorks = true;
    send('echo off\n');
    await until('OK\r\n');
    expect(out.text()).toBe('echo off\n\rEcho is off now.\r\nOK\r\n');
    out.clear();
    send('power\n');
    await until('OK\r\n');
    expect(out.text()).toBe('off\r\nOK\r\n');
    out.clear();
    send('echo\n');
    await until('OK\r\n');
    expect(out.text()).toBe('Echo is on now.\r\nOK\r\n');
    expect(sim.state.echo).toBe(true);
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
    const seen: string[] = [];
    sim.on('command', (line: string) => seen.push(line));
    send(`bogus ${'W'.repeat(80)}\n`);
    await until('Unknown command\r\n');
    expect(seen).toEqual([`bogus ${'W'.repeat(64 - 'bogus '.length)}`]);
  });

  it('uses at most 10 tokens of a line', async () => {
    await echoOff();
    send('text 0 1 on a b c d e f g h\n');
    await until('OK\r\n');
    expect(sim.state.display.at(-1)).toEqual({
      kind: 'text',
      x: 0,
      y: 1,
      colour: 'on',
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
    ['led 0'],
    ['led 1 0 0'],
    ['text 129 0 on x'],
    ['text 0 33 on x'],
    ['text 0 0 on'],
    ['uart 5001'],
    ['mux sd'],
    ['dyper 3 on'],
    ['dyper 1'],
    ['voltage 6'],
    ['current lots'],
    ['echo maybe'],
    ['lthor'],
    ['power cycle'],
  ])('answers "%s" with only the error line', async (command) => {
    await echoOff();
    send(command + '\n');
    await until('\r\n');
    expect(out.text()).toBe('Error processing command\r\n');
  });

  const ask = async (command: string) => {
    out.clear();
    send(command + '\n');
    await waitFor(
      () => /(OK|Error processing command|Unknown command)\r\n$/.test(out.text()),
      command,
    );
    return out.text();
  };

  it('runs the whole command table', async () => {
    await echoOff();
    expect(await ask('current')).toBe('0\r\nOK\r\n');
    expect(await ask('dut')).toBe('OK\r\n');
    expect(sim.state).toMatchObject({ mux: 'dut', power: 'on' });
    expect(await ask('current')).toBe('250\r\nOK\r\n');
    sim.setCurrent(1000);
    expect(await ask('current')).toBe('1000\r\nOK\r\n');
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
    expect(await ask('uart')).toBe('1800\r\nOK\r\n');
    expect(await ask('echo on')).toBe('Echo is on now.\r\nOK\r\n');
    expect(await ask('bogus')).toBe('bogus\n\rUnknown command\r\n');
  });

  it('answers queries as the firmware does: bare mux without a line end, led N, lthor', async () => {
    await echoOff();
    expect(await ask('mux')).toBe('tsOK\r\n');
    await ask('mux dut');
    expect(await ask('mux')).toBe('dutOK\r\n');
    expect(await ask('led 1 300 -1 7')).toBe('OK\r\n');
    expect(await ask('led 1')).toBe('led1: 44,255,7\r\nOK\r\n');
    expect(await ask('led')).toBe('led1: 44,255,7\r\nled2: 0,0,0\r\nOK\r\n');
    expect(await ask('lthor switch')).toBe('USB\r\nOK\r\n');
    expect(await ask('lthor switch uart')).toBe('OK\r\n');
    expect(await ask('lthor id uart')).toBe('OK\r\n');
    expect(await ask('lthor vbus on')).toBe('OK\r\n');
    expect(sim.state.lthor).toEqual({ switch: 'uart', id: 'uart', vbus: 'on' });
    expect(await ask('lthor switch')).toBe('UART\r\nOK\r\n');
    expect(await ask('lthor vbus')).toBe('ON\r\nOK\r\n');
    expect(await ask('version')).toBe('MuxPi firmware v1.0\r\nOK\r\n');
    expect((await ask('help')).split('\r\n').length).toBeGreaterThan(17);
  });

  it('draws text in the colours on, off, inv and clean (anything else is on)', async () => {
    await echoOff();
    for (const colour of ['on', 'off', 'inv', 'clean', 'purple'])
      expect(await ask(`text 0 2 ${colour} hi`)).toBe('OK\r\n');
    expect(sim.state.display.map((e) => e.colour)).toEqual(['on', 'off', 'inv', 'clean', 'on']);
  });

  it('computes current as the firmware: calibrated against the idle offset, clamped at 0', async () => {
    await echoOff();
    await ask('power on');
    sim.setCurrent(40);
    expect(await ask('current auto')).toBe('OK\r\n'); // the idle reading becomes the zero
    expect(sim.state.idleCurrentMa).toBe(40);
    expect(await ask('current')).toBe('0\r\nOK\r\n');
    sim.setCurrent(290);
    expect(await ask('current')).toBe('250\r\nOK\r\n');
    expect(await ask('current 500')).toBe('500\r\nOK\r\n'); // it says the offset it took
    expect(await ask('current')).toBe('0\r\nOK\r\n'); // clamped, never negative
    await ask('power off');
    await ask('current 0');
    expect(await ask('current')).toBe('0\r\nOK\r\n');
  });

  it('reads the ADC channels the firmware has: sense amplifier, pot, temperature, VREFINT', async () => {
    await echoOff();
    expect(await ask('voltage')).toBe('adc1: 0\r\nadc2: 0\r\nadc3: 1650\r\nadc4: 1430\r\nOK\r\n');
    await ask('power on');
    sim.setCurrent(1000);
    // 1 A through the 186 mV/A sensor and its 3.3× amplifier.
    expect(await ask('voltage 1')).toBe('adc1: 614\r\nOK\r\n');
    expect(await ask('voltage 5')).toBe('adc5: 1230\r\nOK\r\n');
  });

  it('a text longer than 16 characters overruns the firmware buffer: the STM goes silent until reset', async () => {
    await echoOff();
    const corrupted: string[] = [];
    sim.on('corrupted', (why: string) => corrupted.push(why));
    send('text 0 0 on 0123456789abcdefg\n');
    await waitFor(() => corrupted.length === 1, 'the corruption');
    expect(corrupted[0]).toMatch(/17 characters overran the firmware's 17-byte buffer/);
    send('power\n');
    await new Promise((r) => setTimeout(r, 30));
    expect(out.text()).toBe('');
    sim.reset();
    expect(await ask('power')).toBe('power\n\roff\r\nOK\r\n');
  });

  it('power tick with an unparsable length ticks the default 1000 ms', async () => {
    await echoOff();
    const started = Date.now();
    expect(await ask('power tick abc')).toBe('OK\r\n');
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(sim.state.power).toBe('on');
  });

  it('queues only 32 bytes that arrive during a tick; the rest is lost', async () => {
    await echoOff();
    const seen: string[] = [];
    sim.on('command', (line: string) => seen.push(line));
    send('power tick 80\n');
    await waitFor(() => sim.state.power === 'off', 'tick to start');
    // 8 + 8 + 8 + 8 bytes fit, the fifth command is lost.
    send('version\nversion\nversion\nversion\npower\n');
    await waitFor(() => seen.length === 5, 'the queued commands');
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual(['power tick 80', 'version', 'version', 'version', 'version']);
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

    it('no echo acknowledgement: echo on|off answers a bare OK (with the variant, still switches echo)', async () => {
      sim.faults.noEchoAck = true;
      sim.faults.echoOffWorks = true;
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
      await until('OK\r\n250\r\nOK\r\n');
      expect(out.text()).toBe('OK\r\n250\r\nOK\r\n');

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

    it('a press can send two lines, and can land in the middle of an echoed command', async () => {
      sim.press(1, true);
      await until('pressed: 1\r\npressed: 1\r\n');
      out.clear();
      sim.pressDuringEcho(2);
      send('power on\n');
      await until('OK\r\n');
      expect(out.text()).toBe('powpressed: 2\r\ner on\n\rOK\r\n');
    });
  });
});
