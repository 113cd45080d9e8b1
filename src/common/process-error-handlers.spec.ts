import { EventEmitter } from 'node:events';
import {
  installProcessErrorHandlers,
  ProcessLike,
  UNCAUGHT_EXCEPTION_EXIT_CODE,
} from './process-error-handlers';

function fakeProcess() {
  const emitter = new EventEmitter();
  const exit = jest.fn<void, [number]>();
  const target = Object.assign(emitter, { exit }) as unknown as ProcessLike & EventEmitter;
  const logger = { error: jest.fn<void, [string]>() };
  installProcessErrorHandlers(target, logger);
  return { target, exit, logger };
}

describe('process error handlers', () => {
  it('an unhandled rejection is logged with its stack and the process keeps running', () => {
    const { target, exit, logger } = fakeProcess();
    const error = new Error('lost in a detached promise');
    target.emit('unhandledRejection', error, Promise.resolve());
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.error.mock.calls[0][0]).toContain('unhandled promise rejection');
    expect(logger.error.mock.calls[0][0]).toContain(error.stack);
    expect(exit).not.toHaveBeenCalled();
  });

  it('a rejection with something that is not an Error is logged as text', () => {
    const { target, logger } = fakeProcess();
    target.emit('unhandledRejection', 'just text', Promise.resolve());
    expect(logger.error.mock.calls[0][0]).toContain('just text');
  });

  it('an uncaught exception is logged with its stack and the process exits non-zero', () => {
    const { target, exit, logger } = fakeProcess();
    const error = new RangeError('thrown from a socket callback');
    target.emit('uncaughtException', error, 'uncaughtException');
    expect(logger.error.mock.calls[0][0]).toContain(error.stack);
    expect(exit).toHaveBeenCalledWith(UNCAUGHT_EXCEPTION_EXIT_CODE);
    expect(UNCAUGHT_EXCEPTION_EXIT_CODE).not.toBe(0);
  });
});
