import * as Comlink from 'comlink';

/**
 * Errors keep their class across worker boundaries. Comlink sends a thrown error as its name,
 * message and stack, and the receiver gets a plain Error; with this handler installed on both
 * sides (each worker and the page), an error of a class registered here arrives as an instance of
 * that class with its own fields (a MediaError's `code`, a PackError's `problems`), so callers
 * branch with `instanceof`, never by matching names or message text. Each realm registers the
 * classes it receives (a worker need not load every module's code for it).
 */
export type ErrorClass = abstract new (...args: never[]) => Error;
const byName = new Map<string, ErrorClass>();

/** What crosses the boundary for a thrown error. */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
  /** Own fields of the error (structured-cloneable ones only). */
  fields: Record<string, unknown>;
}

/** An error as it crosses the boundary. */
export function toWire(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(error)) {
    if (k === 'name' || k === 'message' || k === 'stack' || typeof v === 'function') continue;
    try {
      structuredClone(v);
      fields[k] = v;
    } catch {
      // Not cloneable: left behind.
    }
  }
  return { name: error.name, message: error.message, stack: error.stack, fields };
}

/** Rebuilds an error from the wire: an instance of its class when that class is registered, else a plain Error with its name. */
export function fromWire(wire: WireError): Error {
  const known = byName.get(wire.name);
  const error: Error = known ? Object.create(known.prototype as object) : new Error(wire.message);
  Object.assign(error, wire.fields);
  Object.defineProperty(error, 'message', { value: wire.message, writable: true, configurable: true });
  if (wire.stack) Object.defineProperty(error, 'stack', { value: wire.stack, writable: true, configurable: true });
  // A class's `name` is an instance field, which Object.create does not run.
  error.name = wire.name;
  return error;
}

interface Thrown {
  value: unknown;
}

/** Comlink's own handler, whose `canHandle` recognises a thrown value (its marker is not exported). */
const comlinkThrow = Comlink.transferHandlers.get('throw')!;

/**
 * Installs the handler for this realm (the page or a worker) and registers error classes to be
 * rebuilt as themselves, keyed by the `name` their instances carry (`{ MediaError }`: object keys
 * survive minification, constructor names do not).
 */
export function installErrorTransfer(classes: Record<string, ErrorClass>): void {
  for (const [name, c] of Object.entries(classes)) byName.set(name, c);
  Comlink.transferHandlers.set('throw', {
    canHandle: comlinkThrow.canHandle,
    serialize: (thrown) => [toWire((thrown as Thrown).value), []],
    deserialize: (wire: unknown) => {
      throw fromWire(wire as WireError);
    },
  });
}
