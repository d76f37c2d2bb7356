// The default branch of an exhaustive switch: the compiler flags the case a change forgot.
export function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}
