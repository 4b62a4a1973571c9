// Footprint of the Node packages; prints one JSON line.
//   node footprint.mjs require callsteer|official   time of the first require, in a fresh process
//   node footprint.mjs memory FILE                  RSS of a process whose callsteer event
//                                                   processor tracks one call per line of FILE
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'

const require = createRequire(import.meta.url)
// The release addon with the package's JS entry (bench/run.sh); the official SDK comes from
// bindings-node's devDependencies.
const bindingDir = new URL('../../target/bench-node/', import.meta.url).pathname
const officialDir = new URL('../../bindings-node/', import.meta.url).pathname
const [what, arg] = process.argv.slice(2)

if (what === 'require') {
  const path = arg === 'callsteer' ? bindingDir : require.resolve('@azure/communication-call-automation', { paths: [officialDir] })
  const started = performance.now()
  require(path)
  console.log(JSON.stringify({ import_ms: performance.now() - started }))
} else {
  const { CallAutomationClient } = require(bindingDir)
  const bodies = readFileSync(arg, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => Buffer.from(l))
  const processor = new CallAutomationClient('endpoint=http://127.0.0.1:9/;accesskey=YmVuY2g=').getEventProcessor()
  globalThis.gc?.()
  const before = process.memoryUsage().rss
  for (const body of bodies) await processor.processEvents(body)
  globalThis.gc?.()
  const after = process.memoryUsage().rss
  console.log(JSON.stringify({ calls: bodies.length, rss_before: before, rss_after: after, bytes_per_call: (after - before) / bodies.length }))
}
