import { getDocs, markdownToHtml } from '#http/docs';
import type { HttpRequest } from '#http/http-types';
import { PAGE_STYLE } from '#http/pages';
import { Registry } from '#core/registry';
import { actions } from '#actions/registry';
import { resourceRegistry } from '#functions/resources';
import { taskTypes } from '#functions/task-types';

const request = { wantsHtml: true, app: { env: { publicUrl: 'https://api.example.com' }, resources: resourceRegistry, registry: new Registry(actions, taskTypes) } } as unknown as HttpRequest;
const outsidePre = (page: string) => page.replace(/<pre>[\s\S]*?<\/pre>/g, '');

describe('GET /docs', () => {
  it('renders the Markdown of descriptions: paragraphs, lists, code and bold, escaped first', () => {
    // Act
    const rendered = markdownToHtml('Takes a `token`, **not** <b>this</b>.\n\nActions:\n- `POST /v1/x` **[alpha]**: Pokes\n- `POST /v1/y` (beta): Waits');

    // Assess
    expect(rendered).toBe(
      '<p>Takes a <code>token</code>, <strong>not</strong> &#60;b&#62;this&#60;/b&#62;.</p><p>Actions:</p><ul><li><code>POST /v1/x</code> <strong>[alpha]</strong>: Pokes</li><li><code>POST /v1/y</code> (beta): Waits</li></ul>',
    );
  });

  it('shows no raw Markdown outside the JSON Schema blocks, and links each answer to its named schema', async () => {
    // Act
    const page = (await getDocs(request)).body ?? '';

    // Assess
    expect([outsidePre(page).includes('`'), outsidePre(page).includes('**')]).toStrictEqual([false, false]);
    expect(page).toContain('<li><code>200</code> Counts per status (kept up to 30 s by each function instance: they may lag that long), last created and completed tasks, unacknowledged errors, stranded tasks: <a href="#schema-Status">Status</a></li>');
    expect(page).toContain('<section id="schema-Status"><h3>Status</h3>');
    expect(page).toContain('<li><code>id</code> (path): string matching <code>^[0-9A-HJKMNP-TV-Z]{26}$</code> — A task id (a ULID).</li>');
  });

  it('keeps code blocks and long paths inside a 390 px wide page: they wrap within their box', () => {
    // Assess
    expect(PAGE_STYLE).toContain('pre{white-space:pre-wrap;overflow-wrap:anywhere;overflow-x:auto;max-width:100%;');
    expect(PAGE_STYLE).toContain('code,h1,h2,h3{overflow-wrap:anywhere}');
    expect(PAGE_STYLE).toContain('body{font-family:system-ui,sans-serif;max-width:40rem;');
  });
});
