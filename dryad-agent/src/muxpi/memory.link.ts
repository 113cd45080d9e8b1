import { Duplex } from 'node:stream';

/**
 * Two connected in-memory byte streams: what one end writes, the other reads. Stands in for
 * a serial line in the fleet, where 100 boards must not cost 400 ptys and socat processes.
 * Destroying one end ends the other, as unplugging a cable would.
 */
export function memoryLinkPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const make = (peer: () => Duplex): Duplex =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        const other = peer();
        if (!other.destroyed) other.push(Buffer.from(chunk));
        callback();
      },
      final(callback) {
        const other = peer();
        if (!other.destroyed) other.push(null);
        callback();
      },
      destroy(error, callback) {
        const other = peer();
        if (!other.destroyed) other.destroy();
        callback(error);
      },
    });
  ends.push(
    make(() => ends[1]),
    make(() => ends[0]),
  );
  return [ends[0], ends[1]];
}
