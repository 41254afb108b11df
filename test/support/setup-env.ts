// Tests assert on responses, not on log lines: keep the Powertools logger quiet unless asked.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
