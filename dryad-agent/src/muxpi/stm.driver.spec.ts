import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SerialPort } from 'serialport';
import { Logger } from '../log/logger';
import { waitFor } from '../testing/wait-for';
import { openSerialPort } from './serial-port.opener';
import { SocatPty } from './socat.pty';
import { StmDriver } from './stm.driver';
import {
  StmArgumentError,
  StmClosedError,
  StmCommandError,
  StmTimeoutError,
  StmUnknownCommandError,
} from './stm.errors';
import { StmSimulator } from './stm.simulator';

// Real sockets, ptys and key generation: allow for a busy 2-core machine (waits are for events).
jest.setTimeout(15_000);

/** The driver against the simulator over a real pseudo-terminal pair made by socat. */
describe('StmDriver over a pty', () => {
  let dir: string;
  let pty: SocatPty;
  let sim: StmSimulator;
  let port: SerialPort;
  let driver: StmDriver;
  let warnings: string[];
  // Generous against a busy machine; the fault tests wait for it to pass.
  const TIMEOUT = 400;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stm-driver-'));
    pty = new SocatPty(join(dir, 'ttyS2'));
    await pty.start();
    sim = new StmSimulator(pty.stream);
    port = await openSerialPort(pty.linkPath, 115200);
    warnings = [];
    const logger = new Logger('warn', {}, (line) => warnings.push(line));
    driver = new StmDriver(port, { timeoutMs: TIMEOUT, device: pty.linkPath, logger });
  });

  afterEach(async () => {
    driver.close();
    sim.stop();
    await pty.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends echo off on open; on the published firmware echo stays on and is skipped', async () => {
    expect(sim.state.echo).toBe(true);
    await driver.open();
    expect(sim.state.echo).toBe(true);
    expect(driver.responding).toBe(true);
    expect(await driver.power()).toBe('off');
  });

  it('turns echo off on open where the firmware can (the variant)', async () => {
    sim.faults.echoOffWorks = true;
    await driver.open();
    expect(sim.state.echo).toBe(false);
    expect(await driver.power()).toBe('off');
  });

  it('runs every command with typed results', async () => {
    await driver.open();
    expect(await driver.version()).toBe('MuxPi firmware v1.0');
    expect(await driver.power()).toBe('off');
    expect(await driver.current()).toBe(0);
    await driver.powerOn();
    expect(await driver.power()).toBe('on');
    expect(await driver.current()).toBe(250);
    await driver.powerOff();
    expect(sim.state.power).toBe('off');
    await driver.dut();
    expect(sim.state).toMatchObject({ mux: 'dut', power: 'on' });
    await driver.mux('ts');
    expect(sim.state).toMatchObject({ mux: 'ts', power: 'on' });
    await driver.mux('dut');
    await driver.ts();
    expect(sim.state).toMatchObject({ mux: 'ts', power: 'off' });
    await driver.led(1, 96, 144, 0);
    await driver.led(2, 1, 2, 3);
    expect(sim.state.leds).toEqual({ 1: [96, 144, 0], 2: [1, 2, 3] });
    await driver.clearDisplay();
    await driver.text(0, 2, 'hello lab');
    await driver.text(8, 0, 'inverted', 'inv');
    expect(sim.state.display.slice(-3)).toEqual([
      { kind: 'clr' },
      { kind: 'text', x: 0, y: 2, colour: 'on', text: 'hello lab' },
      { kind: 'text', x: 8, y: 0, colour: 'inv', text: 'inverted' },
    ]);
    await driver.hdmi('on');
    await driver.dyper(1, 'on');
    await driver.uart(1800);
    expect(sim.state).toMatchObject({
      hdmi: 'on',
      dypers: { 1: 'on', 2: 'off' },
      uartMillivolts: 1800,
    });
    expect(await driver.voltage(3)).toEqual({ 3: 1650 });
    expect(await driver.voltage(5)).toEqual({ 5: 1230 });
    expect(Object.keys(await driver.voltage())).toEqual(['1', '2', '3', '4']);
    expect(await driver.muxSide()).toBe('ts');
    await driver.mux('dut');
    expect(await driver.muxSide()).toBe('dut');
    expect(await driver.usbRouteState()).toBe('usb');
    await driver.usbRoute('uart');
    expect(sim.state.lthor).toMatchObject({ switch: 'uart', id: 'uart' });
    expect(await driver.usbRouteState()).toBe('uart');
    await driver.usbVbus('on');
    expect(sim.state.lthor.vbus).toBe('on');
    await driver.echo('on');
    expect(await driver.power()).toBe('off');
    expect((await driver.raw('help')).length).toBeGreaterThan(16);
  });

  it('reads the bare mux answer, which has no line end, with echo on or off', async () => {
    sim.faults.echoOffWorks = true;
    await driver.open();
    expect(await driver.muxSide()).toBe('ts');
    sim.faults.echoOffWorks = false;
    await driver.echo('on');
    expect(await driver.muxSide()).toBe('ts');
    // A firmware that did end the line would be read just as well.
    sim.once('command', () => sim.injectGarbage());
    expect(await driver.muxSide()).toBe('ts');
  });

  it('waits for the tick before OK and gives power tick its length on top of the timeout', async () => {
    await driver.open();
    await driver.powerOn();
    const changes: string[] = [];
    sim.on('power', (s: string) => changes.push(s));
    await driver.powerTick(TIMEOUT + 100);
    expect(changes).toEqual(['off', 'on']);
  });

  it('maps status lines to typed errors and refuses lines the firmware would mangle', async () => {
    await driver.open();
    await expect(driver.raw('led 3 0 0 0')).rejects.toBeInstanceOf(StmCommandError);
    await expect(driver.raw('frobnicate')).rejects.toBeInstanceOf(StmUnknownCommandError);
    await expect(driver.raw('frobnicate')).rejects.toThrow(/does not know "frobnicate"/);
    await expect(driver.text(0, 0, 'x'.repeat(60))).rejects.toBeInstanceOf(StmArgumentError);
    await expect(driver.text(0, 0, 'a b c d e f g')).rejects.toBeInstanceOf(StmArgumentError);
    await expect(driver.power()).resolves.toBe('off');
    await expect(driver.led(1, 300, 0, 0)).rejects.toBeInstanceOf(StmArgumentError);
    await expect(driver.raw('power\non')).rejects.toBeInstanceOf(StmArgumentError);
    expect(await driver.power()).toBe('off');
  });

  it('refuses what would overrun the STM or draw off the screen: text over 16 characters, y over 2', async () => {
    await driver.open();
    const seen: string[] = [];
    sim.on('command', (line: string) => seen.push(line));
    await driver.text(0, 0, '0123456789abcdef'); // 16: the most the buffer holds
    await expect(driver.text(0, 0, '0123456789abcdefg')).rejects.toThrow(
      /longer than 16 characters \(it would overrun the STM's buffer\)/,
    );
    await expect(driver.raw('text 0 0 on 0123456789 abcdefg')).rejects.toBeInstanceOf(
      StmArgumentError,
    );
    await expect(driver.text(0, 3, 'low')).rejects.toThrow(/display y must be an integer 0\.\.2/);
    await expect(driver.raw('text 0 4 on low')).rejects.toThrow(/display y must be 0\.\.2/);
    expect(seen).toEqual(['text 0 0 on 0123456789abcdef']);
    expect(sim.state.corrupted).toBeNull();
    expect(await driver.power()).toBe('off');
  });

  it('refuses a power tick longer than 60 s, which would leave the STM deaf for its length', async () => {
    await driver.open();
    await expect(driver.powerTick(60_001)).rejects.toBeInstanceOf(StmArgumentError);
    await expect(driver.raw('power tick 600000')).rejects.toThrow(/longer than 60000 ms/);
    expect(sim.state.power).toBe('off');
  });

  it('names the STM power supply as the likely cause when nothing ever came from the port', async () => {
    sim.faults.noReply = true;
    const error = await driver.open().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StmTimeoutError);
    expect((error as Error).message).toMatch(
      /timeout after 400 ms waiting for "echo off"\): nothing has come from the STM since the port was opened: it is powered by the NanoPi through a GPIO, so check that the muxpi-power service has run/,
    );
    sim.faults.noReply = false;
    expect(await driver.power()).toBe('off');
    // Once it has answered, a later timeout is just a timeout.
    sim.faults.noReply = true;
    const later = await driver.power().catch((e: unknown) => e);
    expect((later as Error).message).not.toMatch(/muxpi-power/);
  });

  it('serialises concurrent commands: one in flight at a time', async () => {
    await driver.open();
    const seen: string[] = [];
    sim.on('command', (line: string) => seen.push(line));
    const results = await Promise.all([
      driver.powerOn(),
      driver.current(),
      driver.power(),
      driver.version(),
    ]);
    expect(results.slice(1)).toEqual([250, 'on', 'MuxPi firmware v1.0']);
    expect(seen).toEqual(['power on', 'current', 'power', 'version']);
  });

  describe('faults', () => {
    it('no reply: times out with a clear error, resyncs, and the next command works', async () => {
      await driver.open();
      sim.faults.noReply = true;
      const error = await driver.power().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StmTimeoutError);
      expect((error as Error).message).toBe(
        `STM not answering on ${pty.linkPath} (timeout after ${TIMEOUT} ms waiting for "power")`,
      );
      expect(driver.responding).toBe(false);
      sim.faults.noReply = false;
      const seen: string[] = [];
      sim.on('command', (line: string) => seen.push(line));
      expect(await driver.current()).toBe(0);
      expect(seen).toContain('echo off');
      expect(seen.at(-1)).toBe('current');
      expect(driver.responding).toBe(true);
    });

    it.each([
      ['that acknowledges echo off', false],
      ['that prints no acknowledgement', true],
    ])(
      'a reply slower than the timeout is drained by the resync, not taken as the next answer (firmware %s)',
      async (_, noEchoAck) => {
        sim.faults.noEchoAck = noEchoAck;
        await driver.open();
        await driver.powerOn();
        sim.faults.slowMs = TIMEOUT + 100;
        await expect(driver.power()).rejects.toBeInstanceOf(StmTimeoutError);
        sim.faults.slowMs = 0;
        expect(await driver.current()).toBe(250);
        expect(await driver.power()).toBe('on');
      },
    );

    it('slow reply within the timeout is fine', async () => {
      await driver.open();
      sim.faults.slowMs = TIMEOUT / 4;
      expect(await driver.version()).toBe('MuxPi firmware v1.0');
    });

    it('no acknowledgement: the handshake takes the OK that follows its own echo', async () => {
      sim.faults.noEchoAck = true;
      sim.faults.echoOffWorks = true;
      await driver.open();
      expect(sim.state.echo).toBe(false);
      expect(await driver.power()).toBe('off');
    });

    it('no acknowledgement and echo already off: a resync after a timeout still gets in step', async () => {
      sim.faults.noEchoAck = true;
      sim.faults.echoOffWorks = true;
      await driver.open();
      sim.faults.noReply = true;
      await expect(driver.power()).rejects.toBeInstanceOf(StmTimeoutError);
      sim.faults.noReply = false;
      const seen: string[] = [];
      sim.on('command', (line: string) => seen.push(line));
      expect(await driver.current()).toBe(0);
      expect(seen.at(-1)).toBe('current');
      expect(driver.responding).toBe(true);
    });

    it.each([
      ['acknowledged (the published firmware)', false],
      ['not even acknowledged', true],
    ])(
      'echo that cannot be turned off, echo off %s: skips the echoed command lines',
      async (_, noEchoAck) => {
        sim.faults.noEchoAck = noEchoAck;
        await driver.open();
        expect(sim.state.echo).toBe(true);
        await driver.powerOn();
        expect(await driver.power()).toBe('on');
        expect(await driver.current()).toBe(250);
        expect(await driver.voltage(5)).toEqual({ 5: 1230 });
        await driver.ts();
        expect(sim.state).toMatchObject({ mux: 'ts', power: 'off' });
      },
    );

    it('unsolicited pressed lines are skipped, during a command or while idle, and reported', async () => {
      await driver.open();
      const pressed: number[] = [];
      driver.on('pressed', (n: number) => pressed.push(n));
      sim.faults.slowMs = 30;
      sim.once('command', () => sim.press(1));
      expect(await driver.power()).toBe('off');
      sim.press(2);
      await waitFor(() => pressed.length === 2, 'two button presses');
      expect(pressed).toEqual([1, 2]);
      expect(await driver.current()).toBe(0);
    });

    it('a button line inside an echoed command, and a press that sends two: each command gets its own answer', async () => {
      await driver.open();
      const pressed: number[] = [];
      driver.on('pressed', (n: number) => pressed.push(n));
      const seen: string[] = [];
      sim.on('command', (line: string) => seen.push(line));
      sim.pressDuringEcho(1, true); // "powpressed: 1", "pressed: 1", "er on"
      await driver.powerOn();
      sim.pressDuringEcho(2);
      expect(await driver.power()).toBe('on');
      sim.pressDuringEcho(1); // "muxpressed: 1": the echo was whole, then "tsOK"
      expect(await driver.muxSide()).toBe('ts');
      expect(pressed).toEqual([1, 2, 1]);
      // Nothing was out of step: no resynchronisation, no warning.
      expect(seen).toEqual(['power on', 'power', 'mux']);
      expect(warnings).toEqual([]);
    });

    it('garbage lines before a reply are ignored', async () => {
      await driver.open();
      await driver.powerOn();
      sim.injectGarbage();
      expect(await driver.current()).toBe(250);
      sim.injectGarbage();
      await driver.powerOff();
      sim.injectGarbage();
      expect(await driver.power()).toBe('off');
    });

    it('a stale reply before the real one: the query resyncs and asks again', async () => {
      await driver.open();
      await driver.powerOn();
      sim.injectStale(); // the previous reply, a bare OK, comes before the current reading
      const seen: string[] = [];
      sim.on('command', (line: string) => seen.push(line));
      expect(await driver.current()).toBe(250);
      expect(seen).toEqual(['current', 'echo off', 'current']);
      expect(await driver.power()).toBe('on');
    });

    it('a stale value is never taken for the reading', async () => {
      await driver.open();
      await driver.powerOn();
      expect(await driver.current()).toBe(250);
      sim.setCurrent(100);
      sim.injectStale(); // "250", "OK" again, then the new reading
      expect(await driver.current()).toBe(100);
    });

    it("a stale status line before an action's reply: the action's own status decides", async () => {
      await driver.open();
      await expect(driver.raw('frobnicate')).rejects.toBeInstanceOf(StmUnknownCommandError);
      sim.injectStale(); // "Unknown command" again, then the OK of power on
      await driver.powerOn();
      expect(sim.state.power).toBe('on');

      sim.injectStale(); // that OK again, then the refusal of a bad LED number
      await expect(driver.raw('led 3 0 0 0')).rejects.toBeInstanceOf(StmCommandError);
      sim.injectStale(); // the refusal again, then the OK of mux ts: the action went through
      await driver.mux('ts');
      expect(await driver.power()).toBe('on');
      expect(warnings.filter((w) => w.includes('out of step'))).toHaveLength(3);
    });

    it('a status line with no command in flight: the next command resyncs first', async () => {
      await driver.open();
      const seen: string[] = [];
      sim.on('command', (line: string) => seen.push(line));
      // What the STM sends when an earlier command's reply was taken from a stale line.
      pty.stream.write('OK\r\n');
      await waitFor(
        () => warnings.some((w) => w.includes('"OK" arrived with no command in flight')),
        'the driver to notice the extra status line',
      );
      expect(await driver.current()).toBe(0);
      expect(seen).toEqual(['echo off', 'current']);
    });

    it('bytes dropped during a tick: the resync sent mid-tick is lost, and the driver still gets in step', async () => {
      await driver.open();
      sim.faults.dropDuringTick = true;
      const seen: string[] = [];
      sim.on('command', (line: string) => seen.push(line));
      // raw() gives no tick allowance, so the driver gives up half-way through the tick and its
      // resync's "echo off" reaches the firmware while it busy-waits. The tick's OK, with
      // nothing after it, is what puts the driver back in step.
      const tick = Math.round(TIMEOUT * 1.5);
      await expect(driver.raw(`power tick ${tick}`)).rejects.toBeInstanceOf(StmTimeoutError);
      expect(await driver.current()).toBe(250);
      // Without the fault the firmware would have run the buffered "echo off" after the tick.
      expect(seen).toEqual([`power tick ${tick}`, 'current']);
      expect(driver.responding).toBe(true);
    });

    it('a closed port fails pending and later commands with StmClosedError', async () => {
      await driver.open();
      let ticking = false;
      sim.on('command', (line: string) => (ticking ||= line.startsWith('power tick')));
      // A long tick keeps a command in flight (its timeout is 3 s away) while the port closes.
      const pending = expect(driver.powerTick(3000)).rejects.toBeInstanceOf(StmClosedError);
      await waitFor(() => ticking, 'the tick to start');
      await new Promise<void>((resolve) => port.close(() => resolve()));
      await pending;
      await expect(driver.version()).rejects.toThrow(/is not open \(port closed\)/);
    });
  });
});
