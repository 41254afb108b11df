/**
 * core/template.ts replaced nunjucks in the bundles; nunjucks stays a devDependency to be the
 * oracle here. Every template Assent ships (the defaults, each task type's overrides, subjects
 * included) is rendered by both, with the same options the emails used with nunjucks
 * (`throwOnUndefined`, `autoescape` for HTML only), on realistic and on fuzzed contexts.
 */
import fc from 'fast-check';
import nunjucks from 'nunjucks';
import { DEFAULT_EMAILS } from '#core/default-emails';
import { TemplateError } from '#core/errors';
import { stageFor } from '#core/mailing';
import { EMAIL_STAGES } from '#core/task-type';
import { compileTemplate, renderTemplate } from '#core/template';
import { taskTypes } from '#functions/task-types';

const nunjucksText = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true });
const nunjucksHtml = new nunjucks.Environment(null, { autoescape: true, throwOnUndefined: true });

interface Shipped {
  readonly where: string;
  readonly source: string;
  readonly html: boolean;
}

/** Every distinct template source of every stage of every task type, with where it is used. */
const shipped: Shipped[] = [
  ...new Map(
    [{ name: '(defaults)', emails: DEFAULT_EMAILS }, ...taskTypes.map((taskType) => ({ name: taskType.name, emails: Object.fromEntries(EMAIL_STAGES.map((stage) => [stage, stageFor(taskType, stage)])) }))]
      .flatMap(({ name, emails }) =>
        Object.entries(emails).flatMap(([stage, settings]) => [
          { where: `${name}/${stage}/subject`, source: settings.subject, html: false },
          { where: `${name}/${stage}/text`, source: settings.text, html: false },
          ...(settings.html === undefined ? [] : [{ where: `${name}/${stage}/html`, source: settings.html, html: true }]),
        ]),
      )
      .filter((entry): entry is Shipped => typeof entry.source === 'string')
      .map((entry) => [`${entry.html}:${entry.source}`, entry] as const),
  ).values(),
];

type Outcome = { readonly output: string } | { readonly threw: true };

const attempt = (render: () => string): Outcome => {
  try {
    return { output: render() };
  } catch {
    return { threw: true };
  }
};
const withNunjucks = ({ source, html }: Shipped, context: object): Outcome => attempt(() => (html ? nunjucksHtml : nunjucksText).renderString(source, context));
const withOurs = ({ source, html }: Shipped, context: Record<string, unknown>): Outcome => attempt(() => renderTemplate(source, context, { autoescape: html }));

/** A context as StageMailer builds it, for a task with one action of every shape the templates read. */
const realistic = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  taskType: 'sign-up',
  taskId: '01J9Z3K6Q2X8W4V5T7R1N0M3B2',
  publicUrl: 'https://assent.example.com',
  requester: 'ada@example.com',
  link: 'https://assent.example.com/v1/tokens/abc?x=1&y=2',
  validUntil: '2026-11-24T10:00:00.000Z',
  reason: 'Quota too large for "team" <a>',
  notification: { id: '01J9Z3', message: 'Step PostApprove failed', detail: 'Error: boom\n  at x', error: true },
  task: {
    id: '01J9Z3K6Q2X8W4V5T7R1N0M3B2',
    status: 'approved',
    actions: [
      {
        name: 'invite-user',
        valid: true,
        data: { email: 'o\'brien@example.com', roles: ['member', 'project_admin'], projectName: 'apollo & co', size: 'large', newEmail: 'new@example.com', role: 'project_admin' },
        stored: { projectName: 'apollo & co', invitedBy: 'Ada <ada@example.com>', mode: 'new-account', fromSize: 'small', currentEmail: 'old@example.com', email: 'max@example.com', granted: true },
        notes: [{ text: 'Account exists: no' }, { text: 'Roles <ok>' }],
      },
      { name: 'second', valid: false, data: {}, stored: {}, notes: [] },
    ],
  },
  ...overrides,
});

describe('email templates (core/template.ts against nunjucks)', () => {
  it('ships templates to compare: every default stage, and overrides from the task types', () => {
    expect([shipped.length > 20, shipped.some(({ html }) => html), shipped.some(({ where }) => where.startsWith('invite-user/token/text'))]).toStrictEqual([true, true, true]);
  });

  it.each(shipped.map((entry) => [entry.where, entry] as const))('renders %s as nunjucks does', (_where, entry) => {
    // Prepare
    const contexts = [realistic(), realistic({ reason: '', notification: { id: 'N', message: 'm', error: false } }), realistic({ task: { status: 'x', actions: [{ name: 'a', valid: false, data: { email: 'e', roles: [], projectName: 'p', size: 's', newEmail: 'n', role: 'member' }, stored: { projectName: 'p', invitedBy: 'i', mode: 'existing-account', fromSize: 'f', currentEmail: 'c', email: 'm' }, notes: [] }] } })];

    // Act
    const outcomes = contexts.map((context) => [withOurs(entry, context), withNunjucks(entry, context)]);

    // Assess
    for (const [ours, theirs] of outcomes) expect(ours).toStrictEqual(theirs);
    expect(outcomes.some(([ours]) => ours && 'output' in ours)).toBe(true);
  });

  it('renders every shipped template as nunjucks does on fuzzed contexts (same text, or both refuse)', () => {
    // Prepare
    const text = fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('<b>', '"q"', "it's", 'a\\b', '&amp;', ' ', '\n'), fc.integer(), fc.boolean());
    const maybe = <T>(value: fc.Arbitrary<T>) => fc.option(value, { nil: undefined, freq: 4 });
    const fields = (names: string[]) => fc.record(Object.fromEntries(names.map((name) => [name, maybe<unknown>(name === 'roles' ? fc.array(text, { maxLength: 3 }) : text)])), { requiredKeys: [] });
    const action = fc.record(
      {
        name: text,
        valid: fc.oneof(fc.boolean(), text),
        data: maybe(fields(['email', 'roles', 'projectName', 'size', 'newEmail'])),
        stored: maybe(fields(['projectName', 'invitedBy', 'mode', 'fromSize', 'currentEmail'])),
        notes: maybe(fc.array(fc.record({ text: maybe(text) }), { maxLength: 3 })),
      },
      { requiredKeys: ['name'] },
    );
    const context = fc.record(
      {
        taskType: text,
        taskId: text,
        publicUrl: text,
        requester: text,
        link: text,
        validUntil: text,
        reason: maybe(text),
        notification: maybe(fc.record({ id: maybe(text), message: maybe(text), detail: maybe(text), error: maybe(fc.oneof(fc.boolean(), text)) }, { requiredKeys: [] })),
        task: fc.record({ status: maybe(text), actions: maybe(fc.array(action, { maxLength: 3 })) }, { requiredKeys: [] }),
      },
      { requiredKeys: ['taskType', 'taskId'] },
    );

    // Act / Assess
    fc.assert(
      fc.property(context, fc.constantFrom(...shipped), (generated, entry) => {
        expect(withOurs(entry, generated)).toStrictEqual(withNunjucks(entry, generated));
      }),
      { numRuns: 3000 },
    );
  });

  it('parses every shipped template', () => {
    expect(shipped.filter(({ source }) => 'threw' in attempt(() => String(compileTemplate(source).length))).map(({ where }) => where)).toStrictEqual([]);
  });
});

describe('template syntax, as nunjucks reads it', () => {
  const both = (source: string, context: Record<string, unknown>, autoescape = false) => [
    renderTemplate(source, context, { autoescape }),
    (autoescape ? nunjucksHtml : nunjucksText).renderString(source, context),
  ];

  it.each([
    ['dotted and indexed lookups', '{{ a.b[0].c }} {{ a["b"][0]["c"] }}', { a: { b: [{ c: 'x' }] } }],
    ['whitespace control on every kind of tag', 'A  \n {%- if x -%} \n B \n {%- endif -%}  \n{{- y -}} \n{#- c -#}\n C', { x: true, y: 'Y' }],
    ['if, elif and else', '{% if a %}1{% elif b %}2{% else %}3{% endif %}{% if not a and (b or c) %}4{% endif %}', { a: false, b: 0, c: 'c' }],
    ['== and != as JavaScript loose comparisons', "{{ 'y' if n == '1' else 'n' }}{{ 'y' if n != 1 else 'n' }}", { n: 1 }],
    ['an inline if without else outputs nothing', '[{{ "x" if a }}]', { a: false }],
    ['for with loop variables, over an empty or missing list too', '{% for i in xs %}{{ loop.index }}/{{ loop.length }}:{{ i }}{{ "," if not loop.last }}{% endfor %}{% for i in none %}x{% endfor %}{% for i in missing %}x{% endfor %}', { xs: ['a', 'b'] }],
    ['set, scoped to the loop it is in', '{% set a = "outer" %}{% for i in xs %}{% set a = i %}{{ a }}{% endfor %}{{ a }}', { xs: ['1', '2'] }],
    ['dump and join filters, with arguments', "{{ o | dump }} {{ o | dump(2) }} {{ xs | join(', ') }} {{ xs | join }} {{ rs | join('-', 'n') }}", { o: { a: [1, 'x'] }, xs: ['a', 'b'], rs: [{ n: 1 }, { n: 2 }] }],
    ['string escapes, numbers and literals', "{{ 'it\\'s' }} {{ \"a\\nb\\tc\\\\\" }} {{ 3.5 }} {{ true }} {{ false }}", {}],
    ['non-string values as strings', '{{ n }} {{ xs }} {{ o }} {{ b }}', { n: 0, xs: [1, 2], o: {}, b: false }],
  ])('%s', (_name, source, context) => {
    const [ours, theirs] = both(source, context as Record<string, unknown>);
    expect(ours).toBe(theirs);
  });

  it('escapes every output in HTML mode, filters included, and nothing in text mode', () => {
    const context = { s: `<a href="x">'&'\\</a>`, o: { k: '<' } };
    expect(both('{{ s }} {{ o | dump }} <b>{{ "<" if s }}</b>', context, true)).toStrictEqual([
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&#92;&lt;/a&gt; {&quot;k&quot;:&quot;&lt;&quot;} <b>&lt;</b>',
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&#92;&lt;/a&gt; {&quot;k&quot;:&quot;&lt;&quot;} <b>&lt;</b>',
    ]);
    expect(both('{{ s }}', context)).toStrictEqual([context.s, context.s]);
  });
});

describe('template errors (refused, where nunjucks refused or read something else)', () => {
  it.each([
    ['an undefined value', '{{ a.missing }}', { a: {} }, '{{ a.missing }} at line 1, column 1 is undefined: give the template that value, or output it only {% if %} it is set.'],
    ['a null value', 'x\n {{ a }}', { a: null }, '{{ a }} at line 2, column 2 is null: give the template that value, or output it only {% if %} it is set.'],
    ['dump of undefined', '{{ a | dump }}', {}, '{{ a | dump }} at line 1, column 1 is undefined: give the template that value, or output it only {% if %} it is set.'],
    ['join of a missing list', "{{ a | join(', ') }}", {}, 'The join filter needs a list, not undefined.'],
    ['a for over something else than a list', '{% for x in a %}{% endfor %}', { a: 'abc' }, 'The {% for %} at line 1, column 1 needs a list, not string.'],
    ['an inherited property', '{{ a.constructor }}', { a: {} }, '{{ a.constructor }} at line 1, column 1 is undefined: give the template that value, or output it only {% if %} it is set.'],
  ])('refuses to output %s', (_name, source, context, message) => {
    expect(() => renderTemplate(source, context as Record<string, unknown>, { autoescape: false })).toThrow(new TemplateError(message));
  });

  it.each([
    ['an unknown filter', '{{ a | upper }}', 'Unknown filter "upper" at line 1, column 8'],
    ['an unknown tag', '{% macro m() %}{% endmacro %}', 'Unexpected {% macro %} at line 1, column 1'],
    ['an else outside an if', '{% for x in xs %}{% else %}{% endfor %}', 'Unexpected {% else %} at line 1, column 18 inside the {% for %} of line 1, column 1'],
    ['an unclosed block', 'a\n{% if x %}b', 'The {% if %} at line 2, column 1 is never closed with {% endif %}.'],
    ['an unclosed tag', 'a {{ b', 'A tag opened at line 1, column 3 is never closed with "}}".'],
    ['an operator templates do not support', '{{ a + 1 }}', 'Unexpected "+" at line 1, column 6'],
    ['a mismatched end', '{% if a %}{% endfor %}', 'Unexpected {% endfor %} at line 1, column 11 inside the {% if %} of line 1, column 1'],
    ['trailing tokens', '{{ a b }}', 'Unexpected "b" at line 1, column 6'],
  ])('refuses %s, naming where', (_name, source, start) => {
    expect(() => compileTemplate(source)).toThrow(TemplateError);
    expect(() => compileTemplate(source)).toThrow(start);
  });
});
