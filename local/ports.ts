import { createServer } from 'node:net';
import { InvalidPortError, PortInUseError, SharedPortError } from './errors.ts';

/** A free TCP port on 127.0.0.1 (for processes that cannot listen on port 0 and report back). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves when `check` stops throwing, or rejects after `timeoutMs` with the last error. */
export async function waitFor(what: string, check: () => Promise<unknown>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      await check();
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000} s: ${String(lastError)}`);
}

/** The ports of the local stack: the variable that sets each, and its default. */
export const PORT_SETTINGS = {
  api: { variable: 'PORT', fallback: 3000 },
  mail: { variable: 'MAIL_PORT', fallback: 8005 },
  dynamodb: { variable: 'DYNAMODB_PORT', fallback: 8000 },
  sfn: { variable: 'SFN_PORT', fallback: 8083 },
  events: { variable: 'EVENTS_PORT', fallback: 8084 },
  s3: { variable: 'S3_PORT', fallback: 8085 },
  cognito: { variable: 'COGNITO_PORT', fallback: 9229 },
} as const;

export type StackPorts = Record<keyof typeof PORT_SETTINGS, number>;

/**
 * The ports the stack will listen on, from the environment: a variable's value, its default when it
 * is unset, a free port when it is 0. Throws naming the variable when a value is not a port, or when
 * two variables name the same port.
 */
export async function resolvePorts(env: NodeJS.ProcessEnv = process.env): Promise<StackPorts> {
  const names = Object.keys(PORT_SETTINGS) as (keyof StackPorts)[];
  const asked = names.map((name) => {
    const { variable, fallback } = PORT_SETTINGS[name];
    const value = env[variable]?.trim();
    if (value === undefined || value === '') return fallback;
    if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) throw new InvalidPortError(variable, env[variable] ?? '');
    return Number(value);
  });
  const byPort = new Map<number, string[]>();
  names.forEach((name, index) => {
    const port = asked[index] ?? 0;
    if (port !== 0) byPort.set(port, [...(byPort.get(port) ?? []), PORT_SETTINGS[name].variable]);
  });
  for (const [port, variables] of byPort) if (variables.length > 1) throw new SharedPortError(variables, port);
  // 0: a free port, never one another variable names (two free-port picks may return the same one).
  const taken = new Set(byPort.keys());
  const ports: Partial<StackPorts> = {};
  for (const [index, name] of names.entries()) {
    let port = asked[index] ?? 0;
    while (port === 0 || (asked[index] === 0 && taken.has(port))) port = await freePort();
    taken.add(port);
    ports[name] = port;
  }
  return ports as StackPorts;
}

/** Whether nothing listens on `host:port` (by listening on it for a moment). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(false) : reject(error)));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Throws a {@link PortInUseError} naming the variable of the first port another process holds. */
export async function assertPortsFree(ports: StackPorts, host = '127.0.0.1'): Promise<void> {
  const names = Object.keys(PORT_SETTINGS) as (keyof StackPorts)[];
  const free = await Promise.all(names.map((name) => isPortFree(ports[name], host)));
  const busy = names.find((_, index) => !free[index]);
  if (busy) throw new PortInUseError(PORT_SETTINGS[busy].variable, ports[busy]);
}
