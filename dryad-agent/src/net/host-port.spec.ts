import { formatHostPort, parseHostPort, readHostPort } from './host-port';

describe('parseHostPort: the one host:port parser', () => {
  it.each([
    ['127.0.0.1:22', { host: '127.0.0.1', port: 22 }],
    ['10.0.0.12:2222', { host: '10.0.0.12', port: 2222 }],
    ['255.255.255.255:65535', { host: '255.255.255.255', port: 65535 }],
    ['[::1]:22', { host: '::1', port: 22 }],
    ['[fe80::1%eth0]:22', { host: 'fe80::1%eth0', port: 22 }],
    ['[::ffff:10.0.0.1]:1', { host: '::ffff:10.0.0.1', port: 1 }],
    ['localhost:8487', { host: 'localhost', port: 8487 }],
    ['board-7.lab.example:22', { host: 'board-7.lab.example', port: 22 }],
  ])('accepts %s', (text, expected) => {
    expect(parseHostPort(text)).toEqual(expected);
    expect(formatHostPort(expected)).toBe(text);
  });

  it.each([
    ['127.0.0.1:0', /port 0 is not 1 to 65535/],
    ['127.0.0.1:65536', /port 65536 is not 1 to 65535/],
    ['127.0.0.1:99999', /port 99999/],
    ['127.0.0.1:00022', /leading zeros: write 22/],
    ['127.0.0.1:', /port "" is not a number/],
    ['127.0.0.1:22a', /not a number/],
    ['127.0.0.1', /not host:port/],
    ['[zz]:22', /\[zz\] is not an IPv6 address/],
    ['[]:22', /is not an IPv6 address/],
    ['::1:22', /must be in brackets/],
    ['999.999.999.999:22', /not an IPv4 address/],
    ['1.2.3:22', /not an IPv4 address/],
    ['a/b:22', /"a\/b" is not a valid host name/],
    [':22', /not a valid host name/],
    ['-board:22', /not a valid host name/],
    ['host name:22', /not a valid host name/],
    ['[::1]22', /not host:port/],
  ])('refuses %s and says why', (text, why) => {
    expect(parseHostPort(text)).toBeNull();
    const result = readHostPort(text);
    expect('problem' in result && result.problem).toMatch(why);
  });

  it('port 0 ("any free port") only for addresses to listen on', () => {
    expect(parseHostPort('0.0.0.0:0', { listen: true })).toEqual({ host: '0.0.0.0', port: 0 });
    expect(parseHostPort('0.0.0.0:0')).toBeNull();
    expect(parseHostPort('0.0.0.0:00', { listen: true })).toBeNull();
  });
});
