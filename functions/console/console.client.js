/**
 * Assent's console: a small app in the browser (no framework), served at /console by the HTTP
 * function with a strict CSP (this file and console.css, nothing inline). It signs in against the
 * user pool (Cognito's InitiateAuth, USER_PASSWORD_AUTH, from the browser), keeps the ID token in
 * sessionStorage only (never in a URL), and calls the same API as any client: the approver's inbox
 * (bulk decisions, delegation), task detail (fields labelled from the task types' schemas, notes, a
 * timeline of history and votes), and for admins the task list, notifications and tokens.
 * Everything shown is built with DOM calls (text nodes): nothing from the API is parsed as HTML.
 */
const config = document.body.dataset;
const SESSION_KEY = 'assent.console.session';
/** Where a visitor who had to sign in first was going. */
const AFTER_SIGN_IN_KEY = 'assent.console.after';
const main = () => document.getElementById('main');
const live = () => document.getElementById('live');

// ---------- DOM ----------

/** An element: `h('a', { href: '#/' }, 'Inbox')`. Attributes starting with `on` are listeners. */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

function show(title, ...content) {
  document.title = `${title} · Assent console`;
  const heading = h('h1', { tabindex: '-1' }, title);
  main().replaceChildren(heading, ...content.flat(Infinity).filter((part) => part !== null && part !== undefined && part !== false));
  heading.focus();
}

/** Tells screen readers and sighted users what just happened. */
function announce(text, kind = 'info') {
  live().replaceChildren(h('div', { class: `notice ${kind === 'error' ? 'bad' : kind === 'ok' ? 'good' : ''}` }, text));
}

const when = (iso) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '');
const time = (iso) => h('time', { datetime: iso }, when(iso));

// ---------- session ----------

const decode = (jwt) => JSON.parse(atob(jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));

function session() {
  const raw = sessionStorage.getItem(SESSION_KEY);
  if (!raw) return undefined;
  const saved = JSON.parse(raw);
  if (Date.now() >= saved.expiresAt) {
    sessionStorage.removeItem(SESSION_KEY);
    return undefined;
  }
  return saved;
}

const isAdmin = () => (session()?.groups ?? []).includes('admin');

async function signIn(email, password) {
  const response = await fetch(config.cognitoEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
    body: JSON.stringify({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: config.clientId, AuthParameters: { USERNAME: email, PASSWORD: password } }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const type = String(body.__type ?? '').split('#').pop();
    // Cognito answers NotAuthorized for both (it hides which accounts exist); cognito-local InvalidPassword or UserNotFound.
    if (['NotAuthorizedException', 'UserNotFoundException', 'InvalidPasswordException'].includes(type)) throw new Error('That email and password do not match an account.');
    throw new Error(body.message ?? `Sign-in failed (${response.status}).`);
  }
  if (!body.AuthenticationResult) throw new Error(`This account must first ${body.ChallengeName === 'NEW_PASSWORD_REQUIRED' ? 'set a new password' : `answer ${body.ChallengeName}`}; that is not possible in the console yet.`);
  const idToken = body.AuthenticationResult.IdToken;
  const claims = decode(idToken);
  sessionStorage.setItem(SESSION_KEY, JSON.stringify({ idToken, email: claims.email, groups: claims['cognito:groups'] ?? [], expiresAt: claims.exp * 1000 - 30_000 }));
}

function signOut() {
  sessionStorage.removeItem(SESSION_KEY);
  renderChrome();
  location.hash = '#/sign-in';
  announce('You are signed out.', 'ok');
}

// ---------- API ----------

class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail ?? problem.title ?? `Request failed (${status})`);
    this.status = status;
    this.problem = problem;
  }
}

async function api(path, options = {}) {
  const current = session();
  if (!current) {
    location.hash = '#/sign-in';
    throw new ApiError(401, { detail: 'Your session ended: sign in again.' });
  }
  const response = await fetch(path, {
    method: options.method ?? 'GET',
    headers: { accept: 'application/json', authorization: `Bearer ${current.idToken}`, ...(options.json ? { 'content-type': 'application/json' } : {}) },
    ...(options.json ? { body: JSON.stringify(options.json) } : {}),
  });
  const body = response.status === 204 ? {} : await response.json().catch(() => ({}));
  if (response.status === 401) {
    sessionStorage.removeItem(SESSION_KEY);
    renderChrome();
  }
  if (!response.ok && response.status !== 207) throw new ApiError(response.status, body);
  return body;
}

const query = (params) => {
  const search = new URLSearchParams(Object.entries(params).filter(([, value]) => value !== undefined && value !== ''));
  return search.size === 0 ? '' : `?${search}`;
};

let taskTypesCache;
async function taskTypes() {
  taskTypesCache ??= fetch('/v1/task-types', { headers: { accept: 'application/json' } }).then((response) => response.json());
  return (await taskTypesCache).taskTypes ?? [];
}

/** A problem as the page shows it: its detail, and each field error under its path. */
function problemNotice(error) {
  const errors = error.problem?.errors ?? [];
  return h('div', { class: 'notice bad', role: 'alert' }, error.message, errors.length ? h('ul', {}, errors.map((item) => h('li', {}, `${item.path}: ${item.message}`))) : null);
}

// ---------- pieces ----------

const levelText = (level) => (level ? `${level.number} of ${level.of}: ${level.name}` : '');

/** The fields of an action's data as labelled rows, titled from the task type's JSON Schema. */
function fieldRows(data, schema) {
  const properties = schema?.properties ?? {};
  const label = (key) => properties[key]?.title ?? key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (first) => first.toUpperCase());
  const value = (raw) => (Array.isArray(raw) ? raw.join(', ') : raw !== null && typeof raw === 'object' ? JSON.stringify(raw) : typeof raw === 'boolean' ? (raw ? 'yes' : 'no') : String(raw ?? ''));
  return h('dl', { class: 'fields' }, Object.entries(data ?? {}).map(([key, raw]) => [h('dt', { title: properties[key]?.description }, label(key)), h('dd', {}, value(raw))]));
}

/** The task type's input (every action's fields in one object), whose properties title the fields. */
const inputSchemaOf = (types, taskType) => types.find((type) => type.name === taskType)?.inputSchema;

/** History and votes in one list, oldest first. */
function timeline(task) {
  const items = task.history.map((entry) => ({ at: entry.at, text: `${entry.event.replace(/-/g, ' ')}${entry.by ? ` by ${entry.by.id}` : ''}`, detail: entry.reason }));
  for (const level of task.approval?.levels ?? []) {
    for (const vote of level.votes ?? []) items.push({ at: vote.at, text: `${vote.decision} by ${vote.by} (level ${level.name}, via ${vote.via})`, detail: vote.reason });
  }
  items.sort((a, b) => a.at.localeCompare(b.at));
  return h('ol', { class: 'timeline' }, items.map((item) => h('li', {}, time(item.at), h('span', {}, item.text), item.detail ? h('div', { class: 'muted' }, item.detail) : null)));
}

function progressLine(approval) {
  if (!approval) return null;
  return h(
    'ul',
    {},
    approval.levels.map((level) => h('li', {}, `${level.name}: ${level.state}, ${level.approvals} of ${level.quorum} approval${level.quorum === 1 ? '' : 's'}`, level.due ? ` (due ${when(level.due)})` : '')),
  );
}

/** A reason box and the buttons of a decision; `run(decision, reason)` does it. */
function decisionForm(id, run, { delegate } = {}) {
  const reasonId = `${id}-reason`;
  const reason = h('textarea', { id: reasonId, name: 'reason', rows: '2', maxlength: '2000', 'aria-describedby': `${reasonId}-hint` });
  const error = h('span', { class: 'field-error', id: `${reasonId}-error` });
  const problems = h('div', { role: 'alert' });
  const act = async (decision) => {
    error.textContent = '';
    problems.replaceChildren();
    reason.removeAttribute('aria-invalid');
    if (decision === 'reject' && !reason.value.trim()) {
      reason.setAttribute('aria-invalid', 'true');
      error.textContent = 'Give a reason: the requester gets it.';
      reason.focus();
      return;
    }
    await run(decision, reason.value.trim() || undefined).catch((failure) => problems.replaceChildren(problemNotice(failure)));
  };
  const form = h(
    'form',
    { onsubmit: (event) => event.preventDefault() },
    h('label', { for: reasonId }, 'Reason', h('span', { class: 'hint', id: `${reasonId}-hint` }, 'Required to reject: the requester gets it.')),
    reason,
    error,
    h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => act('approve') }, 'Approve'), h('button', { type: 'button', class: 'danger', onclick: () => act('reject') }, 'Reject')),
    problems,
  );
  if (delegate) form.append(delegateForm(id, (to, why) => delegate(to, why).catch((failure) => {
    if (failure.problem?.errors?.some((item) => item.path.endsWith('to'))) throw failure;
    problems.replaceChildren(problemNotice(failure));
  })));
  return form;
}

function delegateForm(id, run) {
  const toId = `${id}-to`;
  const to = h('input', { id: toId, type: 'email', name: 'to', required: true, autocomplete: 'email' });
  const why = h('input', { id: `${toId}-why`, type: 'text', name: 'reason', maxlength: '2000' });
  const error = h('span', { class: 'field-error' });
  return h(
    'details',
    {},
    h('summary', {}, 'Hand your vote to someone else'),
    h('label', { for: toId }, 'Their email address'),
    to,
    error,
    h('label', { for: `${toId}-why` }, 'Why (they see it)'),
    why,
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: async () => {
            error.textContent = '';
            if (!to.checkValidity()) {
              to.setAttribute('aria-invalid', 'true');
              error.textContent = 'Enter an email address.';
              to.focus();
              return;
            }
            await run(to.value.trim(), why.value.trim() || undefined).catch((failure) => {
              const field = failure.problem?.errors?.find((item) => item.path.endsWith('to'));
              if (!field) throw failure;
              to.setAttribute('aria-invalid', 'true');
              error.textContent = field.message;
            });
          },
        },
        'Delegate',
      ),
    ),
  );
}

// ---------- pages ----------

function signInPage() {
  const email = h('input', { id: 'email', type: 'email', name: 'email', required: true, autocomplete: 'username' });
  const password = h('input', { id: 'password', type: 'password', name: 'password', required: true, autocomplete: 'current-password' });
  const error = h('div', { role: 'alert' });
  const form = h(
    'form',
    {
      onsubmit: async (event) => {
        event.preventDefault();
        error.replaceChildren();
        const button = form.querySelector('button');
        button.disabled = true;
        try {
          await signIn(email.value.trim(), password.value);
          renderChrome();
          const after = sessionStorage.getItem(AFTER_SIGN_IN_KEY);
          sessionStorage.removeItem(AFTER_SIGN_IN_KEY);
          const target = after ?? '#/inbox';
          if (location.hash === target) await route();
          else location.hash = target;
        } catch (failure) {
          error.replaceChildren(h('p', { class: 'notice bad' }, failure.message));
          password.value = '';
          password.focus();
        } finally {
          button.disabled = false;
        }
      },
    },
    h('label', { for: 'email' }, 'Email'),
    email,
    h('label', { for: 'password' }, 'Password'),
    password,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Sign in')),
  );
  show('Sign in', h('p', {}, 'Sign in with your account to see what waits for your decision.'), error, form);
}

async function inboxPage() {
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const filters = { type: params.get('type') ?? '', dueBefore: params.get('dueBefore') ?? '', cursor: params.get('cursor') ?? '' };
  const page = await api(`/v1/inbox${query({ ...filters, dueBefore: filters.dueBefore ? new Date(filters.dueBefore).toISOString() : '' })}`);
  const types = await taskTypes();
  const typeSelect = h('select', { id: 'filter-type', name: 'type' }, h('option', { value: '' }, 'Any'), types.map((type) => h('option', { value: type.name, selected: type.name === filters.type }, type.name)));
  const due = h('input', { id: 'filter-due', type: 'date', name: 'dueBefore', value: filters.dueBefore });
  const filterForm = h(
    'form',
    {
      class: 'filters',
      'aria-label': 'Filter the inbox',
      onsubmit: (event) => {
        event.preventDefault();
        location.hash = `#/inbox${query({ type: typeSelect.value, dueBefore: due.value })}`;
      },
    },
    h('div', {}, h('label', { for: 'filter-type' }, 'Task type'), typeSelect),
    h('div', {}, h('label', { for: 'filter-due' }, 'Due before'), due),
    h('div', {}, h('button', { type: 'submit', class: 'secondary' }, 'Filter')),
  );
  if (page.items.length === 0) {
    show('Your inbox', filterForm, h('p', { class: 'notice good' }, 'Nothing waits for your decision.'));
    return;
  }
  const boxes = [];
  const rows = page.items.map((item) => {
    const box = h('input', { type: 'checkbox', name: 'select', value: item.taskId, id: `select-${item.taskId}`, 'aria-label': `Select task ${item.taskId}` });
    boxes.push(box);
    return h(
      'tr',
      { dataset: { task: item.taskId } },
      h('td', {}, box),
      h('td', { 'data-label': 'Task' }, h('a', { href: `#/tasks/${item.taskId}` }, item.type), h('div', { class: 'muted' }, item.taskId)),
      h('td', { 'data-label': 'Level' }, levelText(item.level), item.onBehalfOf ? h('div', { class: 'muted' }, `for ${item.onBehalfOf}`) : null),
      h('td', { 'data-label': 'Approvals', class: 'progress' }, `${item.approvals} of ${item.quorum}`),
      h('td', { 'data-label': 'Due' }, item.due ? time(item.due) : 'no deadline'),
    );
  });
  const table = h(
    'table',
    { class: 'cards' },
    h('caption', { class: 'muted' }, `${page.items.length} waiting for your vote`),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, h('span', { class: 'muted' }, 'Select')), h('th', { scope: 'col' }, 'Task'), h('th', { scope: 'col' }, 'Level'), h('th', { scope: 'col' }, 'Approvals'), h('th', { scope: 'col' }, 'Due'))),
    h('tbody', {}, rows),
  );
  const results = h('div', { id: 'bulk-results' });
  const bulk = decisionForm('bulk', async (decision, reason) => {
    const chosen = boxes.filter((box) => box.checked).map((box) => box.value);
    if (chosen.length === 0) {
      announce('Select at least one task first.', 'error');
      return;
    }
    const answer = await api('/v1/inbox/decisions', { method: 'POST', json: { decisions: chosen.map((taskId) => ({ taskId, decision, ...(reason ? { reason } : {}) })) } });
    results.replaceChildren(
      h('h2', {}, 'Results'),
      h('ul', {}, answer.results.map((result) => h('li', { class: result.ok ? 'ok' : 'error' }, `${result.taskId}: ${result.ok ? `counted (${result.status}${result.level ? `, level ${result.level}` : ''})` : result.problem.detail}`))),
    );
    announce(`${answer.succeeded} counted${answer.failed ? `, ${answer.failed} not` : ''}.`, answer.failed ? 'error' : 'ok');
  });
  const more = page.cursor ? h('p', {}, h('a', { href: `#/inbox${query({ ...filters, cursor: page.cursor })}` }, 'More')) : null;
  show('Your inbox', filterForm, table, more, h('h2', {}, 'Decide the selected tasks'), bulk, results);
}

async function taskPage(id) {
  const [task, types] = await Promise.all([api(`/v1/tasks/${encodeURIComponent(id)}`), taskTypes()]);
  const sections = task.actions.map((action) =>
    h(
      'section',
      { 'aria-labelledby': `action-${action.name}` },
      h('h2', { id: `action-${action.name}` }, action.name, action.valid === false ? h('span', { class: 'error' }, ' (invalid)') : null),
      fieldRows(action.data, inputSchemaOf(types, task.type)),
      action.notes?.length ? h('ul', { class: 'muted', 'aria-label': 'Notes' }, action.notes.map((note) => h('li', {}, note.text))) : null,
    ),
  );
  const facts = h(
    'dl',
    { class: 'fields' },
    h('dt', {}, 'Type'),
    h('dd', {}, task.type),
    h('dt', {}, 'Status'),
    h('dd', {}, task.status),
    h('dt', {}, 'Asked'),
    h('dd', {}, time(task.createdAt), task.createdBy?.email || task.requester ? ` by ${task.createdBy?.email ?? task.requester}` : ''),
    task.projectId ? [h('dt', {}, 'Project'), h('dd', {}, task.projectId)] : null,
  );
  const reload = () => taskPage(id).catch(failed);
  const decide = task.status === 'pending' && task.approval
    ? [
        h('h2', {}, 'Your decision'),
        decisionForm(
          'task',
          async (decision, reason) => {
            const answer = await api(`/v1/tasks/${encodeURIComponent(id)}/${decision}`, { method: 'POST', json: decision === 'reject' ? { reason } : {} });
            await reload();
            announce(answer.status === 'pending' ? 'Your vote was counted.' : `Task ${answer.status}.`, 'ok');
          },
          {
            delegate: async (to, reason) => {
              await api(`/v1/tasks/${encodeURIComponent(id)}/delegate`, { method: 'POST', json: { to, ...(reason ? { reason } : {}) } });
              await reload();
              announce(`Your vote went to ${to}.`, 'ok');
            },
          },
        ),
      ]
    : null;
  const adminButtons = isAdmin()
    ? h(
        'div',
        { class: 'actions' },
        task.status === 'failed' ? h('button', { type: 'button', onclick: () => operate(id, 'retry', {}, 'Retrying.') }, 'Retry') : null,
        task.status === 'awaiting_token' ? h('button', { type: 'button', class: 'secondary', onclick: () => operate(id, 'token', {}, 'A new link was emailed.') }, 'Reissue token') : null,
        ['pending', 'approved', 'awaiting_token', 'failed'].includes(task.status) ? h('button', { type: 'button', class: 'danger', onclick: () => operate(id, 'cancel', {}, 'Cancelled.') }, 'Cancel task') : null,
      )
    : null;
  show(
    `Task ${task.type}`,
    h('p', { class: 'muted' }, task.id),
    facts,
    task.approval ? [h('h2', {}, 'Approval'), progressLine(task.approval)] : null,
    sections,
    decide,
    adminButtons,
    h('h2', {}, 'Timeline'),
    timeline(task),
  );
}

async function operate(id, operation, body, done) {
  try {
    await api(`/v1/tasks/${encodeURIComponent(id)}/${operation}`, { method: 'POST', json: body });
    await taskPage(id);
    announce(done, 'ok');
  } catch (failure) {
    failed(failure);
  }
}

async function tasksPage() {
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const filters = Object.fromEntries(['status', 'type', 'requester', 'cursor'].map((name) => [name, params.get(name) ?? '']));
  const page = await api(`/v1/tasks${query(filters)}`);
  const status = h('select', { id: 'filter-status', name: 'status' }, ['', 'pending', 'approved', 'awaiting_token', 'completed', 'rejected', 'cancelled', 'expired', 'failed'].map((value) => h('option', { value, selected: value === filters.status }, value || 'Any')));
  const types = await taskTypes();
  const type = h('select', { id: 'filter-task-type', name: 'type' }, h('option', { value: '' }, 'Any'), types.map((known) => h('option', { value: known.name, selected: known.name === filters.type }, known.name)));
  const form = h(
    'form',
    {
      class: 'filters',
      'aria-label': 'Filter the tasks',
      onsubmit: (event) => {
        event.preventDefault();
        location.hash = `#/tasks${query({ status: status.value, type: type.value })}`;
      },
    },
    h('div', {}, h('label', { for: 'filter-status' }, 'Status'), status),
    h('div', {}, h('label', { for: 'filter-task-type' }, 'Task type'), type),
    h('div', {}, h('button', { type: 'submit', class: 'secondary' }, 'Filter')),
  );
  const rows = page.tasks.map((task) =>
    h('tr', {}, h('td', { 'data-label': 'Task' }, h('a', { href: `#/tasks/${task.id}` }, task.type), h('div', { class: 'muted' }, task.id)), h('td', { 'data-label': 'Status' }, task.status), h('td', { 'data-label': 'Asked' }, time(task.createdAt))),
  );
  const more = page.cursor ? h('p', {}, h('a', { href: `#/tasks${query({ ...filters, cursor: page.cursor })}` }, 'More')) : null;
  show(
    'Tasks',
    form,
    rows.length ? h('table', { class: 'cards' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Task'), h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Asked'))), h('tbody', {}, rows)) : h('p', {}, 'No task matches.'),
    more,
  );
}

/** The `cursor` of the hash's query (`#/tokens?cursor=…`): a "More" link's page. */
const cursorOfHash = () => new URLSearchParams(location.hash.split('?')[1] ?? '').get('cursor') ?? '';
const moreLink = (path, cursor) => (cursor ? h('p', {}, h('a', { href: `#${path}${query({ cursor })}` }, 'More')) : null);

async function notificationsPage() {
  const page = await api(`/v1/notifications${query({ acknowledged: 'false', cursor: cursorOfHash() })}`);
  const boxes = [];
  const rows = page.notifications.map((notification) => {
    const box = h('input', { type: 'checkbox', value: notification.id, 'aria-label': `Select notification ${notification.id}` });
    boxes.push(box);
    return h(
      'tr',
      {},
      h('td', {}, box),
      h('td', { 'data-label': 'What' }, notification.message, notification.taskId ? h('div', {}, h('a', { href: `#/tasks/${notification.taskId}` }, notification.taskId)) : null),
      h('td', { 'data-label': 'When' }, time(notification.createdAt)),
      h('td', {}, h('button', { type: 'button', class: 'secondary', onclick: () => acknowledge([notification.id]) }, 'Acknowledge')),
    );
  });
  const acknowledge = async (ids) => {
    if (ids.length === 0) return announce('Select at least one notification first.', 'error');
    await api('/v1/notifications/acknowledge', { method: 'POST', json: { ids } });
    await notificationsPage();
    announce(`${ids.length} acknowledged.`, 'ok');
  };
  show(
    'Notifications',
    rows.length
      ? [
          h('table', { class: 'cards' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, h('span', { class: 'muted' }, 'Select')), h('th', { scope: 'col' }, 'What'), h('th', { scope: 'col' }, 'When'), h('th', { scope: 'col' }, h('span', { class: 'muted' }, 'Action')))), h('tbody', {}, rows)),
          h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => acknowledge(boxes.filter((box) => box.checked).map((box) => box.value)) }, 'Acknowledge selected')),
        ]
      : h('p', { class: 'notice good' }, 'No notification waits.'),
    moreLink('/notifications', page.cursor),
  );
}

async function tokensPage() {
  const page = await api(`/v1/tokens${query({ cursor: cursorOfHash() })}`);
  const rows = page.tokens.map((token) =>
    h(
      'tr',
      {},
      h('td', { 'data-label': 'Task' }, h('a', { href: `#/tasks/${token.taskId}` }, token.taskId)),
      h('td', { 'data-label': 'State' }, token.state, token.revokedReason ? h('div', { class: 'muted' }, token.revokedReason) : null),
      h('td', { 'data-label': 'Valid until' }, time(token.validUntil)),
      h('td', {}, token.state === 'live' || token.state === 'expired' ? h('button', { type: 'button', class: 'secondary', onclick: () => operate(token.taskId, 'token', {}, 'A new link was emailed.') }, 'Reissue') : null),
    ),
  );
  show(
    'Tokens',
    rows.length ? h('table', { class: 'cards' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Task'), h('th', { scope: 'col' }, 'State'), h('th', { scope: 'col' }, 'Valid until'), h('th', { scope: 'col' }, h('span', { class: 'muted' }, 'Action')))), h('tbody', {}, rows)) : h('p', {}, 'No tokens.'),
    moreLink('/tokens', page.cursor),
  );
}

/** Whether a token field asks for a yes (a confirmation): a boolean, or `true` alone. */
const isConfirmation = (schema) => schema?.type === 'boolean' || schema?.const === true || (schema?.anyOf ?? []).some(isConfirmation);

/**
 * `#/confirm/<secret>`: an emailed link whose submit needs its requester signed in (e.g. a new
 * address's confirmation). The secret stays in the fragment, which the browser never sends; the
 * form is the token's own schema, submitted with the signed-in account's token.
 */
async function confirmPage(secret) {
  const response = await fetch(`/v1/tokens/${encodeURIComponent(secret)}`, { headers: { accept: 'application/json' } });
  const view = await response.json();
  if (!response.ok) throw new ApiError(response.status, view);
  const properties = view.schema?.properties ?? {};
  const inputs = Object.entries(properties).map(([name, schema]) => {
    const id = `token-${name}`;
    const error = h('span', { class: 'field-error', id: `${id}-error` });
    if (isConfirmation(schema)) {
      const box = h('input', { id, type: 'checkbox', name, required: true, 'aria-describedby': `${id}-error` });
      return { name, read: () => box.checked, error, element: h('div', {}, h('label', { class: 'check', for: id }, box, schema.description ?? 'Yes, I confirm.'), error) };
    }
    const input = h('input', { id, type: /password/i.test(name) ? 'password' : 'text', name, required: true, ...(schema.minLength ? { minlength: schema.minLength } : {}), ...(schema.maxLength ? { maxlength: schema.maxLength } : {}), 'aria-describedby': `${id}-error` });
    return { name, read: () => input.value, error, element: h('div', {}, h('label', { for: id }, schema.title ?? name, schema.description ? h('span', { class: 'hint' }, schema.description) : null), input, error) };
  });
  const problems = h('div', { role: 'alert' });
  const form = h(
    'form',
    {
      onsubmit: async (event) => {
        event.preventDefault();
        problems.replaceChildren();
        for (const input of inputs) input.error.textContent = '';
        try {
          const done = await api(`/v1/tokens/${encodeURIComponent(secret)}`, { method: 'POST', json: Object.fromEntries(inputs.map((input) => [input.name, input.read()])) });
          show('Confirmed', h('p', { class: 'notice good' }, `Thank you: task ${done.id} is ${done.status}.`), h('p', {}, h('a', { href: '#/inbox' }, 'Go to your inbox')));
        } catch (failure) {
          const fieldErrors = failure.problem?.errors ?? [];
          for (const item of fieldErrors) {
            const input = inputs.find((known) => item.path.split('.').pop() === known.name);
            if (input) input.error.textContent = item.message;
          }
          if (fieldErrors.length === 0) problems.replaceChildren(problemNotice(failure));
        }
      },
    },
    inputs.map((input) => input.element),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Confirm')),
    problems,
  );
  show('Confirm your request', h('p', {}, `${view.taskType}: task ${view.taskId}. This link works once, until ${when(view.validUntil)}.`), form);
}

// ---------- chrome and routing ----------

function renderChrome() {
  const current = session();
  const links = current
    ? [['#/inbox', 'Inbox'], ...(isAdmin() ? [['#/tasks', 'Tasks'], ['#/notifications', 'Notifications'], ['#/tokens', 'Tokens']] : [])]
    : [];
  const nav = document.getElementById('nav');
  nav.replaceChildren(
    h('ul', {}, links.map(([href, text]) => h('li', {}, h('a', { href }, text)))),
    current ? h('span', { class: 'who' }, current.email ?? '') : null,
    current ? h('button', { type: 'button', class: 'secondary', onclick: signOut }, 'Sign out') : null,
  );
}

function failed(failure) {
  if (failure instanceof ApiError && failure.status === 401) {
    signInPage();
    announce('Sign in to go on.', 'error');
    return;
  }
  main().replaceChildren(h('h1', { tabindex: '-1' }, failure instanceof ApiError && failure.status === 404 ? 'Not found' : 'Something went wrong'), problemNotice(failure));
}

async function route() {
  live().replaceChildren();
  const path = location.hash.replace(/^#/, '').split('?')[0] || '/inbox';
  if (!session() || path === '/sign-in') {
    // Back to where the visitor was going once signed in (a link into the console).
    if (path !== '/sign-in' && path !== '/inbox') sessionStorage.setItem(AFTER_SIGN_IN_KEY, location.hash);
    return signInPage();
  }
  const task = /^\/tasks\/([0-9A-Z]{26})$/.exec(path);
  const confirm = /^\/confirm\/([A-Za-z0-9_-]{43})$/.exec(path);
  try {
    if (task) return await taskPage(task[1]);
    if (confirm) return await confirmPage(confirm[1]);
    if (path === '/inbox') return await inboxPage();
    if (path === '/tasks') return await tasksPage();
    if (path === '/notifications') return await notificationsPage();
    if (path === '/tokens') return await tokensPage();
    show('Not found', h('p', {}, 'There is no such page. '), h('a', { href: '#/inbox' }, 'Go to your inbox'));
  } catch (failure) {
    failed(failure);
  }
}

window.addEventListener('hashchange', route);
renderChrome();
route();
