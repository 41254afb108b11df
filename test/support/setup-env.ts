// Tests assert on responses, not on log lines: keep the Powertools logger quiet unless asked.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// Nor EMF metric lines (Powertools writes them to stdout, past Jest's console), as in local mode:
// the tests of metrics make Metrics that write (test/support/emf.ts).
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
