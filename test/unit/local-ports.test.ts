import { createServer, type Server } from 'node:net';
import { InvalidPortError, PortInUseError, SharedPortError } from '#local/errors';
import { assertPortsFree, freePort, isPortFree, resolvePorts, type StackPorts } from '#local/ports';

/** The stack's ports: read from the environment, each named by its variable when it is wrong or taken. */
const ALL_ZERO = { PORT: '0', MAIL_PORT: '0', DYNAMODB_PORT: '0', SFN_PORT: '0', EVENTS_PORT: '0', S3_PORT: '0', COGNITO_PORT: '0' };

describe('resolvePorts', () => {
  it('takes the defaults when no variable is set', async () => {
    // Act
    const ports = await resolvePorts({});

    // Assess
    expect(ports).toStrictEqual({ api: 3000, mail: 8005, dynamodb: 8000, sfn: 8083, events: 8084, s3: 8085, cognito: 9229 });
  });

  it('takes the value of each variable, and a free port for 0, never the same twice', async () => {
    // Act
    const ports = await resolvePorts({ ...ALL_ZERO, PORT: '4001', DYNAMODB_PORT: ' 4002 ' });

    // Assess
    expect([ports.api, ports.dynamodb]).toStrictEqual([4001, 4002]);
    expect(new Set(Object.values(ports)).size).toBe(7);
    expect(Object.values(ports).every((port) => port > 0)).toBe(true);
  });

  it.each(['x', '-1', '65536', '80.5', '1e3'])('refuses MAIL_PORT=%s, naming the variable', async (value) => {
    // Act
    const resolving = resolvePorts({ MAIL_PORT: value });

    // Assess
    await expect(resolving).rejects.toThrow(new InvalidPortError('MAIL_PORT', value));
    await expect(resolving).rejects.toThrow(`MAIL_PORT=${value} is not a port number; set MAIL_PORT to a port from 1 to 65535, or to 0 for any free one.`);
  });

  it('refuses one port for two variables, naming both', async () => {
    // Act
    const resolving = resolvePorts({ PORT: '8000' });

    // Assess
    await expect(resolving).rejects.toThrow(SharedPortError);
    await expect(resolving).rejects.toThrow('PORT and DYNAMODB_PORT are all 8000; give each of them a port of its own.');
  });
});

describe('assertPortsFree', () => {
  let holder: Server;
  let taken: number;
  beforeAll(async () => {
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    taken = (holder.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => holder.close(() => resolve())));

  const freePorts = async (): Promise<StackPorts> => resolvePorts(ALL_ZERO);

  it('passes when every port is free, and leaves them free', async () => {
    // Prepare
    const ports = await freePorts();

    // Act
    await assertPortsFree(ports);

    // Assess
    expect(await Promise.all(Object.values(ports).map((port) => isPortFree(port)))).toStrictEqual([true, true, true, true, true, true, true]);
  });

  it('names the variable of a port another process listens on', async () => {
    // Prepare
    const ports = { ...(await freePorts()), sfn: taken };

    // Act
    const checking = assertPortsFree(ports);

    // Assess
    await expect(checking).rejects.toThrow(new PortInUseError('SFN_PORT', taken));
    await expect(checking).rejects.toThrow(`SFN_PORT=${taken} is in use by another process; set SFN_PORT to a free port`);
  });

  it('sees a port taken on every interface (0.0.0.0) as taken on 127.0.0.1', async () => {
    // Prepare
    const port = await freePort();
    const wide = createServer();
    await new Promise<void>((resolve) => wide.listen(port, '0.0.0.0', resolve));

    // Act
    const free = await isPortFree(port);
    await new Promise<void>((resolve) => wide.close(() => resolve()));

    // Assess
    expect(free).toBe(false);
  });
});
