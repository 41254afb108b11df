import { Lifecycle, StackStoppingError } from '#local/lifecycle';

/** npm start's steps: each printed as it starts, and all stopped, last first, on Ctrl+C or a failure. */
const recorder = () => {
  const out: string[] = [];
  const stopped: string[] = [];
  const lifecycle = new Lifecycle((text) => out.push(text));
  const service = (name: string) => ({ name, stop: async () => void stopped.push(name) });
  return { out, stopped, lifecycle, service, text: () => out.join('').replace(/\(\d+\.\d s\)/g, '(t)') };
};

describe('Lifecycle', () => {
  it('prints each step and its detail, then stops the services last first, printing each', async () => {
    // Prepare
    const { lifecycle, service, stopped, text } = recorder();
    lifecycle.onStop('lock', () => void stopped.push('lock'), 'released');
    await lifecycle.step('database', async () => service('database'), { detail: () => 'http://db', stop: (s) => s.stop() });
    await lifecycle.step('table', async () => 'created', { detail: (state) => state });
    await lifecycle.step('api', async () => service('api'), { stop: (s) => s.stop() });
    lifecycle.onStop('endpoints.json', () => void stopped.push('endpoints.json'), 'removed');

    // Act
    await lifecycle.stop('SIGINT');

    // Assess
    expect(stopped).toStrictEqual(['endpoints.json', 'api', 'database', 'lock']);
    expect(text()).toBe(
      [
        '  ▸ database ... ready (t)  http://db',
        '  ▸ table ... ready (t)  created',
        '  ▸ api ... ready (t)',
        '',
        'Stopping (SIGINT):',
        '  ▸ endpoints.json ... removed',
        '  ▸ api ... stopped',
        '  ▸ database ... stopped',
        '  ▸ lock ... released',
        '',
      ].join('\n'),
    );
  });

  it('waits for the step under way, stops it too, and starts nothing after', async () => {
    // Prepare
    const { lifecycle, service, stopped } = recorder();
    let finish: () => void = () => undefined;
    const slow = lifecycle.step('slow', () => new Promise<ReturnType<typeof service>>((resolve) => (finish = () => resolve(service('slow')))), { stop: (s) => s.stop() });

    // Act
    const stopping = lifecycle.stop('SIGTERM');
    finish();
    await Promise.all([slow, stopping]);
    const next = lifecycle.step('next', async () => service('next'));

    // Assess
    expect(stopped).toStrictEqual(['slow']);
    await expect(next).rejects.toThrow(StackStoppingError);
  });

  it('prints FAILED for a step that throws, and keeps stopping after a stop that throws', async () => {
    // Prepare
    const { lifecycle, service, stopped, text } = recorder();
    await lifecycle.step('first', async () => service('first'), { stop: (s) => s.stop() });
    await lifecycle.step('broken stop', async () => 'x', {
      stop: () => {
        throw new Error('already gone');
      },
    });
    const failing = lifecycle.step('third', async () => {
      throw new Error('no');
    });
    await expect(failing).rejects.toThrow('no');

    // Act
    await lifecycle.stop('start-up failed');

    // Assess
    expect(stopped).toStrictEqual(['first']);
    expect(text()).toContain('  ▸ third ... FAILED\n');
    expect(text()).toContain('  ▸ broken stop ... could not be stopped: already gone\n  ▸ first ... stopped\n');
  });

  it('prints nothing at stop when no service had started (a start refused before anything ran)', async () => {
    // Prepare
    const { lifecycle, stopped, out } = recorder();
    lifecycle.onStop('lock', () => void stopped.push('lock'), 'released');

    // Act
    await lifecycle.stop('start-up failed');

    // Assess
    expect([stopped, out]).toStrictEqual([['lock'], []]);
  });
});
