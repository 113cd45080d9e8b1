import { CreateRequestInput } from '../../src/requests/requests.service';

export function requestInput(overrides: Partial<CreateRequestInput> = {}): CreateRequestInput {
  return { caps: { board: 'rpi4' }, priority: 8, ...overrides };
}
