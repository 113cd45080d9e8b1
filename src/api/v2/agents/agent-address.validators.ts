import { registerDecorator, ValidationArguments } from 'class-validator';
import { readHostPort } from 'dryad-agent/net/host-port';
import { utils } from 'ssh2';

/** Why `value` is not an address the server can dial, or null (one parser, shared with the agent). */
function addressProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'is not a string';
  const result = readHostPort(value);
  return 'problem' in result ? result.problem : null;
}

/** Why `value` is not an OpenSSH public key line ssh2 can pin, or null. */
function publicKeyProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'is not a string';
  const parsed = utils.parseKey(value);
  if (parsed instanceof Error) return `cannot be parsed (${parsed.message})`;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  return key.isPrivateKey() ? 'is a private key: send the public one' : null;
}

function checkedBy(problem: (value: unknown) => string | null, example: string) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: `checked-${propertyName}`,
      target: target.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => problem(value) === null,
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property}: ${problem(args?.value)}; expected ${example}`,
      },
    });
}

/** host:port the server can dial: ports 1..65535, an IPv4/[IPv6] address or a host name. */
export const IsDialableAddress = () =>
  checkedBy(addressProblem, 'host:port such as 10.0.0.12:2222 or [fd00::12]:2222');

/** An OpenSSH public key line that parses, as the server pins it. */
export const IsOpenSshPublicKey = () =>
  checkedBy(publicKeyProblem, 'an OpenSSH public key line, e.g. "ssh-ed25519 AAAAC3…"');
