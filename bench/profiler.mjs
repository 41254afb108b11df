// Preloaded into the local stack's process by `BENCH_PROFILE=1 npm run bench`
// (NODE_OPTIONS=--import): SIGUSR2 starts the V8 sampling profiler, the next SIGUSR2 stops it and
// writes the profile to $BENCH_PROFILE_FILE.<n> (n = 1, 2, ...). Plain JavaScript: it loads before tsx.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const file = process.env.BENCH_PROFILE_FILE;
if (file) {
  const session = new Session();
  session.connect();
  let running = false;
  let written = 0;
  process.on('SIGUSR2', () => {
    if (!running) {
      running = true;
      session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 1000 }, () => session.post('Profiler.start')));
      return;
    }
    running = false;
    session.post('Profiler.stop', (error, result) => {
      written += 1;
      if (!error) writeFileSync(`${file}.${written}`, JSON.stringify(result.profile));
    });
  });
}
