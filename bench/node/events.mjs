// One round of the Node event-parsing benchmark; prints one JSON line.
//   node events.mjs CONTENDER BODY_FILE STREAM_FILE SECONDS
// CONTENDER: callsteer (parseCallAutomationEvents / parseCallAutomationEvent) | official
// (@azure/communication-call-automation's parseCallAutomationEvent, one event per call, so a
// many-event body is JSON.parse'd and mapped). Both read the same fields of every event.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'

const require = createRequire(import.meta.url)
const [contender, bodyFile, streamFile, secondsText] = process.argv.slice(2)
const seconds = Number(secondsText)
// The release addon with the package's JS entry (bench/run.sh); the official SDK comes from
// bindings-node's devDependencies.
const bindingDir = new URL('../../target/bench-node/', import.meta.url).pathname
const officialDir = new URL('../../bindings-node/', import.meta.url).pathname
const body = readFileSync(bodyFile, 'utf8')
const stream = readFileSync(streamFile, 'utf8').split('\n').filter((l) => l.length > 0)

let parseBody
let parseOne
if (contender === 'callsteer') {
  const callsteer = require(bindingDir)
  parseBody = (text) => callsteer.parseCallAutomationEvents(text)
  parseOne = (text) => callsteer.parseCallAutomationEvent(text)
} else {
  const official = require(require.resolve('@azure/communication-call-automation', { paths: [officialDir] }))
  parseBody = (text) => JSON.parse(text).map((e) => official.parseCallAutomationEvent(e))
  parseOne = (text) => official.parseCallAutomationEvent(text)
}

function touch(event) {
  let n = event.kind.length + (event.callConnectionId ?? '').length + (event.operationContext ?? '').length
  n += event.resultInformation?.code ?? 0
  if (event.kind === 'ParticipantsUpdated') {
    for (const p of event.participants) {
      const id = p.identifier
      n += (id.rawId ?? id.communicationUserId ?? id.phoneNumber ?? '').length
    }
  }
  return n
}

let sink = 0
function rate(f) {
  let until = performance.now() + (seconds * 1000) / 5
  while (performance.now() < until) f()
  const started = performance.now()
  let items = 0
  while (performance.now() - started < seconds * 1000) items += f()
  return items / ((performance.now() - started) / 1000)
}

const perBody = JSON.parse(body).length
const bodyRate = rate(() => {
  for (const e of parseBody(body)) sink += touch(e)
  return perBody
})
const streamRate = rate(() => {
  for (const line of stream) sink += touch(parseOne(line))
  return stream.length
})
console.log(JSON.stringify({ contender, body_events_per_s: bodyRate, stream_events_per_s: streamRate, sink: sink > 0 }))
