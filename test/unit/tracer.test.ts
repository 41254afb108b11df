import { tracesIn } from '#functions/tracer';

const LAMBDA = { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' };

describe('tracesIn: where Powertools Tracer traces, so the X-Ray SDK is loaded', () => {
  it.each([
    ['Lambda', LAMBDA, true],
    ['Lambda with POWERTOOLS_TRACE_ENABLED=true', { ...LAMBDA, POWERTOOLS_TRACE_ENABLED: 'true' }, true],
    ['Lambda with POWERTOOLS_TRACE_ENABLED=false', { ...LAMBDA, POWERTOOLS_TRACE_ENABLED: 'false' }, false],
    ['Lambda with POWERTOOLS_TRACE_ENABLED=FALSE (any case, as Tracer reads it)', { ...LAMBDA, POWERTOOLS_TRACE_ENABLED: 'FALSE' }, false],
    ['outside Lambda (no AWS_EXECUTION_ENV)', {}, false],
    ['an empty AWS_EXECUTION_ENV', { AWS_EXECUTION_ENV: '' }, false],
    ["Amplify's mock", { AWS_EXECUTION_ENV: 'AWS_Lambda_amplify-mock' }, false],
    ['sam local', { ...LAMBDA, AWS_SAM_LOCAL: 'true' }, false],
  ])('%s', (_where, env, traces) => {
    expect(tracesIn(env)).toBe(traces);
  });
});
