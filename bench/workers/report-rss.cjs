// Preloaded (node -r) into a measured process: on exit, append its peak RSS (KiB) to $BENCH_RSS_FILE.
const { appendFileSync } = require('node:fs');
process.on('exit', () => {
  if (process.env.BENCH_RSS_FILE) appendFileSync(process.env.BENCH_RSS_FILE, `${process.resourceUsage().maxRSS}\n`);
});
