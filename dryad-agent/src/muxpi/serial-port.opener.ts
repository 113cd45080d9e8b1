import { SerialPort } from 'serialport';

/**
 * Opens a real serial device (8N1, no flow control) and turns the usual failures into messages
 * that tell the admin what to do.
 */
export async function openSerialPort(path: string, baudRate: number): Promise<SerialPort> {
  const port = new SerialPort({
    path,
    baudRate,
    dataBits: 8,
    parity: 'none',
    stopBits: 1,
    autoOpen: false,
  });
  await new Promise<void>((resolve, reject) =>
    port.open((error) => (error ? reject(explain(path, error)) : resolve())),
  );
  return port;
}

function explain(path: string, error: Error): Error {
  const text = error.message;
  if (/ENOENT|No such file/i.test(text))
    return new Error(`${path} does not exist (is the device connected?)`);
  if (/EACCES|Permission denied/i.test(text)) {
    return new Error(
      `no permission to open ${path}: run the agent as root or add its user to the "dialout" group`,
    );
  }
  if (/EBUSY|Resource busy|Cannot lock/i.test(text)) {
    return new Error(
      `${path} is in use by another program (another agent, upstream's stm.service or muxpictl, or a terminal such as minicom)`,
    );
  }
  return new Error(`cannot open ${path}: ${text}`);
}
