import pino from 'pino';
import { Writable } from 'node:stream';
import { PinoNestLogger } from './pino-nest-logger';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: new PinoNestLogger(pino({ level: 'debug' }, stream)) };
}

describe('PinoNestLogger', () => {
  it('puts the context and the structured fields beside the message', () => {
    const { lines, logger } = capture();
    logger.warn('worker w: prepare failed', { workerUuid: 'w' }, 'WorkerOperations');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        msg: 'worker w: prepare failed',
        context: 'WorkerOperations',
        workerUuid: 'w',
      }),
    ]);
  });

  it('reads a string before the context as a stack, as Nest passes one to error()', () => {
    const { lines, logger } = capture();
    logger.error('it broke', 'Error: it broke\n    at somewhere', 'Main');
    expect(lines[0]).toMatchObject({
      level: 50,
      msg: 'it broke',
      stack: 'Error: it broke\n    at somewhere',
      context: 'Main',
    });
  });

  it('logs an Error message with the error serialized', () => {
    const { lines, logger } = capture();
    logger.error(new Error('boom'));
    expect(lines[0]).toMatchObject({ msg: 'boom', err: { message: 'boom' } });
  });

  it('leaves out levels below the configured one', () => {
    const { lines, logger } = capture();
    logger.verbose('noise', 'X');
    logger.debug('detail', 'X');
    expect(lines.map((l) => l.msg)).toEqual(['detail']);
  });
});
