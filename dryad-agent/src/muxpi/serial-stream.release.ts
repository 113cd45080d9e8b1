import type { Duplex } from 'node:stream';
import type { SerialPort } from 'serialport';

/**
 * Lets go of a serial stream. A SerialPort must be closed explicitly: destroy() alone leaves
 * its file descriptor open, and on a device that went away its poller then spins on the
 * hang-up. Other streams (in-memory lines) are destroyed.
 */
export function releaseSerialStream(stream: Duplex): void {
  const port = stream as Partial<SerialPort>;
  if (typeof port.close === 'function' && port.isOpen) {
    port.close(() => stream.destroy());
  } else {
    stream.destroy();
  }
}
