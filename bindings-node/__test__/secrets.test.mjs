// The access key never shows: not in util.inspect / String / JSON of clients, call connections,
// results or errors, not in an error about a bad connection string, and not in the most verbose
// log (CALLSTEER_LOG=trace, the core's tracing on stderr) of real requests, including one
// refused for a wrong key.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { inspect } from 'node:util'
import { after, before, test } from 'node:test'

import * as callsteer from '../callsteer.js'
import { HERE, startEmulator } from './helpers.mjs'

const { CallAutomationClient, CallAutomationError, ServiceError, TransportError } = callsteer

const SECRET = Buffer.from('secret-key-do-not-show').toString('base64') // ends in "=="
const user = { communicationUserId: '8:acs:res_alice' }
const callbackUrl = 'https://app.example/events'

let emulator
before(async () => {
  emulator = await startEmulator()
})
after(async () => {
  await emulator.stop()
})

function shown(value) {
  let json = ''
  try {
    json = JSON.stringify(value) ?? ''
  } catch {}
  return [inspect(value, { showHidden: true, depth: 5, getters: true }), String(value), json].join('\n')
}

function assertHidden(text, ...keys) {
  for (const key of keys) {
    assert.ok(!text.includes(key) && !text.includes(key.replace(/=+$/, '')), `the key shows in: ${text.slice(0, 400)}`)
  }
}

test('clients, call connections, results and processors never show the key', async () => {
  const key = emulator.accessKey
  const client = new CallAutomationClient(emulator.connectionString)
  const keyed = new CallAutomationClient(`${emulator.baseUrl}/`, { key })
  const result = await client.createCall({ targetParticipant: user }, callbackUrl)
  const connection = result.callConnection
  for (const value of [client, keyed, result, connection, client.getEventProcessor(), await connection.getCallConnectionProperties()]) {
    assertHidden(shown(value), key)
  }
})

test('errors about a bad connection string redact the key', () => {
  for (const bad of [
    `endpoint=not a url;accesskey=${SECRET}`,
    `accesskey=${SECRET}`,
    `endpoint=http://127.0.0.1:9/;accesskey=${SECRET}!!`,
    `endpoint=http://127.0.0.1:9/;${SECRET}`,
    `garbage;${SECRET}`,
  ]) {
    assert.throws(
      () => new CallAutomationClient(bad),
      (error) => {
        assert.ok(error instanceof CallAutomationError, `${error?.name}: ${error?.message}`)
        assertHidden(shown(error) + error.stack, SECRET)
        return true
      },
    )
  }
})

test('service and transport errors never show the key', async () => {
  const wrong = new CallAutomationClient(`${emulator.baseUrl}/`, { key: SECRET })
  await assert.rejects(wrong.createCall({ targetParticipant: user }, callbackUrl), (error) => {
    assert.ok(error instanceof ServiceError && error.statusCode === 401, `${error?.name}: ${error?.message}`)
    assertHidden(shown(error) + error.stack, SECRET)
    return true
  })
  const unreachable = new CallAutomationClient('http://127.0.0.1:9/', { key: SECRET })
  await assert.rejects(unreachable.createCall({ targetParticipant: user }, callbackUrl), (error) => {
    assert.ok(error instanceof TransportError, `${error?.name}: ${error?.message}`)
    assertHidden(shown(error) + error.stack, SECRET)
    return true
  })
})

const SCRIPT = `
const callsteer = require(${JSON.stringify(path.join(HERE, '..', 'callsteer.js'))})
const [connectionString, endpoint, wrong] = process.argv.slice(1)
const user = { communicationUserId: '8:acs:res_alice' }
;(async () => {
  const client = new callsteer.CallAutomationClient(connectionString)
  const result = await client.createCall({ targetParticipant: user }, 'https://app.example/events')
  await result.callConnection.listParticipants()
  await result.callConnection.hangUp(true)
  await new callsteer.CallAutomationClient(endpoint, { key: wrong })
    .createCall({ targetParticipant: user }, 'https://app.example/events')
    .catch((e) => console.error('refused as expected:', e))
  try { new callsteer.CallAutomationClient('endpoint=nope;accesskey=' + wrong) } catch (e) { console.error(e) }
  console.log('done')
})().catch((e) => { console.error(e); process.exit(1) })
`

test('the most verbose log of real requests never shows the key', () => {
  const run = spawnSync(process.execPath, ['-e', SCRIPT, emulator.connectionString, `${emulator.baseUrl}/`, SECRET], {
    env: { ...process.env, CALLSTEER_LOG: 'trace', RUST_LOG: 'trace' },
    encoding: 'utf8',
    timeout: 120_000,
  })
  const log = `${run.stdout}\n${run.stderr}`
  assert.equal(run.status, 0, log)
  assert.match(run.stdout, /done/)
  // The log is real: the core's per-request lines, including the refused request's.
  assert.match(log, /callsteer::http/)
  assert.match(log, /status=401/)
  assertHidden(log, emulator.accessKey, SECRET)
})
