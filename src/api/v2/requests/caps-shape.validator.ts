import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';

/**
 * Why `value` is not a requested cap value of API v2, or null if it is one: a string, a list
 * of strings (any of), a range `{"min":…,"max":…}` of numbers, or `{"not": string | string[]}`.
 * Only the shape is checked here; RequestsService normalizes (and may refuse) the values.
 */
function capValueProblem(value: unknown): string | null {
  if (typeof value === 'string') return null;
  const strings = (v: unknown) =>
    Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string');
  if (Array.isArray(value))
    return strings(value) ? null : 'must list at least one string (any of them)';
  if (value === null || typeof value !== 'object')
    return 'must be a string, a list of strings, a range {"min":…,"max":…} or {"not":…}';
  const keys = Object.keys(value);
  const record = value as Record<string, unknown>;
  if (keys.length === 1 && keys[0] === 'not')
    return typeof record.not === 'string' || strings(record.not)
      ? null
      : 'must have a string or a list of strings under "not"';
  const bounds = keys.filter((k) => k === 'min' || k === 'max');
  if (bounds.length === 0 || bounds.length !== keys.length)
    return 'must be a range {"min":…,"max":…} or {"not":…}';
  if (bounds.some((k) => typeof record[k] !== 'number' || !Number.isFinite(record[k])))
    return 'must have numbers as min and max';
  if (typeof record.min === 'number' && typeof record.max === 'number' && record.min > record.max)
    return 'must have min at most max';
  return null;
}

/** The first problem of a caps object, naming the cap (`caps.ram_gb: …`), or null. */
export function capsShapeProblem(caps: unknown, field: string): string | null {
  if (caps === null || typeof caps !== 'object' || Array.isArray(caps))
    return `${field} must be an object of caps, e.g. {"board":"rpi4"}`;
  for (const [key, value] of Object.entries(caps)) {
    if (key === '') return `${field} has an empty cap name`;
    const problem = capValueProblem(value);
    if (problem) return `${field}.${key} ${problem}`;
  }
  return null;
}

/** class-validator decorator: the property is a caps object of API v2 (see capsShapeProblem). */
export function IsCapsShape(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCapsShape',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown, args: ValidationArguments) =>
          capsShapeProblem(value, args.property) === null,
        defaultMessage: (args: ValidationArguments) =>
          capsShapeProblem(args.value, args.property) ?? `${args.property} is not valid`,
      },
    });
}
