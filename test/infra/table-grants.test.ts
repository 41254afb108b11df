import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROJECT_ROOT } from '../../lib/assent-stack.ts';
import { TABLE_READ_ACTIONS, TABLE_WRITE_ACTIONS } from '../../lib/constructs/task-table.ts';

/**
 * The table grants are narrowed to what the functions send (no Scan, no BatchWriteItem...): this
 * reads every DynamoDB command the code under functions/ builds and checks that the grants cover
 * each, and grant nothing none of them needs. A new command fails here, not on AWS with AccessDenied.
 */
const ACTIONS_OF: Readonly<Record<string, readonly string[]>> = {
  GetCommand: ['GetItem'],
  GetItemCommand: ['GetItem'],
  BatchGetCommand: ['BatchGetItem'],
  BatchGetItemCommand: ['BatchGetItem'],
  QueryCommand: ['Query'],
  ScanCommand: ['Scan'],
  PutCommand: ['PutItem'],
  PutItemCommand: ['PutItem'],
  UpdateCommand: ['UpdateItem'],
  UpdateItemCommand: ['UpdateItem'],
  DeleteCommand: ['DeleteItem'],
  DeleteItemCommand: ['DeleteItem'],
  BatchWriteCommand: ['BatchWriteItem'],
  BatchWriteItemCommand: ['BatchWriteItem'],
  TransactGetCommand: ['GetItem'],
  TransactGetItemsCommand: ['GetItem'],
};
/** A transaction is authorized per item: the item kinds its file writes. */
const TRANSACTION_ITEMS: Readonly<Record<string, string>> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' };

const sourcesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });

/** Per file, the IAM actions its DynamoDB commands need. */
function neededActions(): { file: string; command: string; actions: string[] }[] {
  return sourcesUnder(join(PROJECT_ROOT, 'functions'))
    .map((path) => ({ path, text: readFileSync(path, 'utf8') }))
    .filter(({ text }) => /from '@aws-sdk\/(lib-dynamodb|client-dynamodb)'/.test(text))
    .flatMap(({ path, text }) =>
      [...new Set([...text.matchAll(/new (\w+Command)\(/g)].map((match) => match[1] as string))].map((command) => {
        const file = relative(PROJECT_ROOT, path);
        if (/^TransactWrite(Items)?Command$/.test(command)) {
          const kinds = Object.keys(TRANSACTION_ITEMS).filter((kind) => new RegExp(`\\b${kind}: \\{`).test(text));
          return { file, command, actions: kinds.map((kind) => `dynamodb:${TRANSACTION_ITEMS[kind]}`) };
        }
        return { file, command, actions: (ACTIONS_OF[command] ?? [`unknown: add ${command} to ACTIONS_OF`]).map((action) => `dynamodb:${action}`) };
      }),
    );
}

describe('table grants', () => {
  it('cover every DynamoDB command the functions send', () => {
    // Prepare
    const granted: readonly string[] = [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS];

    // Act
    const uncovered = neededActions().flatMap(({ file, command, actions }) => actions.filter((action) => !granted.includes(action)).map((action) => `${file}: ${command} needs ${action}`));

    // Assess
    expect(neededActions().length).toBeGreaterThan(5);
    expect(uncovered).toStrictEqual([]);
  });

  it('grant no action none of those commands needs', () => {
    // Act
    const needed = new Set(neededActions().flatMap(({ actions }) => actions));

    // Assess
    expect([...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS].filter((action) => !needed.has(action))).toStrictEqual([]);
  });
});
