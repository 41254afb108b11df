/**
 * Preloaded (`--require`) into cognito-local's process by local/cognito/cognito-local.ts. Its data
 * store (StormDB) writes each JSON file of the pool in place, so a `kill -9` in the middle of a write
 * leaves the file truncated and the pool can never be loaded again ("invalid or corrupted format").
 * Here those writes become atomic: the data goes to a temp file beside it, which is then renamed
 * over it, one write at a time per file and in the order they were asked for. Only `.json` files
 * under ASSENT_COGNITO_DATA are concerned; every other write is left as it is.
 */
const fs = require('node:fs');
const path = require('node:path');

const root = process.env.ASSENT_COGNITO_DATA ? path.resolve(process.env.ASSENT_COGNITO_DATA) : undefined;
const queues = new Map();
let sequence = 0;

const ours = (file) => root !== undefined && typeof file === 'string' && file.endsWith('.json') && path.resolve(file).startsWith(root + path.sep);
const tempOf = (target) => `${target}.${process.pid}.${++sequence}.tmp`;

const writeFile = fs.writeFile;
fs.writeFile = function atomicWriteFile(file, data, options, callback) {
  if (typeof options === 'function') {
    callback = options;
    options = undefined;
  }
  if (!ours(file)) return options === undefined ? writeFile.call(fs, file, data, callback) : writeFile.call(fs, file, data, options, callback);
  const target = path.resolve(file);
  const done = typeof callback === 'function' ? callback : () => undefined;
  const next = (queues.get(target) ?? Promise.resolve()).then(
    () =>
      new Promise((resolve) => {
        const temp = tempOf(target);
        writeFile.call(fs, temp, data, options ?? 'utf8', (error) => {
          if (error) {
            fs.rm(temp, { force: true }, () => undefined);
            done(error);
            return resolve();
          }
          fs.rename(temp, target, (renameError) => {
            done(renameError ?? null);
            resolve();
          });
        });
      }),
  );
  queues.set(target, next);
  void next.then(() => {
    if (queues.get(target) === next) queues.delete(target);
  });
};

const writeFileSync = fs.writeFileSync;
fs.writeFileSync = function atomicWriteFileSync(file, data, options) {
  if (!ours(file)) return writeFileSync.call(fs, file, data, options);
  const target = path.resolve(file);
  const temp = tempOf(target);
  writeFileSync.call(fs, temp, data, options);
  fs.renameSync(temp, target);
};
