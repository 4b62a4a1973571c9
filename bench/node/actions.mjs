// One round of the action benchmark for one Node contender; prints one JSON line.
//   node actions.mjs CONTENDER OP INFLIGHT SECONDS WARMUP CONNECTION_STRING CALLBACK_URL
// CONTENDER: callsteer | official (@azure/communication-call-automation, default options
// plus allowInsecureConnection, which plain http needs).
// OP: sequence (create a call, add a participant, remove it, hang up) | get (call properties)
import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'

const require = createRequire(import.meta.url)
const [contender, op, inflightText, secondsText, warmupText, conn, callback] = process.argv.slice(2)
const inflight = Number(inflightText)
const seconds = Number(secondsText)
const warmup = Number(warmupText)
// The release addon with the package's JS entry (bench/run.sh); the official SDK comes from
// bindings-node's devDependencies.
const bindingDir = new URL('../../target/bench-node/', import.meta.url).pathname
const officialDir = new URL('../../bindings-node/', import.meta.url).pathname

const { CallAutomationClient } =
  contender === 'callsteer'
    ? require(bindingDir)
    : require(require.resolve('@azure/communication-call-automation', { paths: [officialDir] }))
const client =
  contender === 'callsteer'
    ? new CallAutomationClient(conn)
    : new CallAutomationClient(conn, { allowInsecureConnection: true })

const target = { communicationUserId: '8:acs:bench_target' }
const added = { communicationUserId: '8:acs:bench_added' }

async function sequence() {
  const created = await client.createCall({ targetParticipant: target }, callback)
  const call = client.getCallConnection(created.callConnectionProperties.callConnectionId)
  await call.addParticipant({ targetParticipant: added })
  await call.removeParticipant(added)
  await call.hangUp(false)
}

let once = sequence
if (op === 'get') {
  const created = await client.createCall({ targetParticipant: target }, callback)
  const call = client.getCallConnection(created.callConnectionProperties.callConnectionId)
  once = () => call.getCallConnectionProperties()
}

async function worker(until, record) {
  while (performance.now() < until) {
    const t = performance.now()
    await once()
    if (record) record.push((performance.now() - t) * 1000)
  }
}

let until = performance.now() + warmup * 1000
await Promise.all(Array.from({ length: inflight }, () => worker(until, null)))
const latencies = []
const started = performance.now()
until = started + seconds * 1000
await Promise.all(Array.from({ length: inflight }, () => worker(until, latencies)))
const elapsed = (performance.now() - started) / 1000
latencies.sort((a, b) => a - b)
const at = (q) => latencies[Math.min(Math.round((latencies.length - 1) * q), latencies.length - 1)] / 1000
console.log(
  JSON.stringify({
    contender,
    op,
    inflight,
    ops: latencies.length,
    seconds: elapsed,
    ops_per_s: latencies.length / elapsed,
    p50_ms: at(0.5),
    p99_ms: at(0.99),
  }),
)
process.exit(0)
