// A Rust panic inside the addon (driven by the hidden _panicForTest hooks) becomes an ordinary
// InternalError (sync throw / rejected Promise), never a process abort, and the addon keeps
// working afterwards.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import * as callsteer from '../callsteer.js'

const { CallAutomationError, InternalError } = callsteer

function internal(error) {
  assert.ok(error instanceof InternalError, `${error?.name}: ${error?.message}`)
  assert.ok(error instanceof CallAutomationError && error instanceof Error)
  assert.equal(error.kind, 'Internal')
  assert.match(error.message, /internal error/)
  return true
}

test('a panic in a synchronous call throws InternalError', () => {
  assert.throws(() => callsteer._panicForTest(), internal)
})

test('a panic in a synchronous export without guard (napi catch_unwind) throws InternalError', () => {
  assert.throws(() => callsteer._panicUnguardedForTest(), internal)
  assert.throws(() => callsteer._panicUnguardedForTest(), /panic requested/)
})

test('a panic in a runtime task rejects with InternalError', async () => {
  await assert.rejects(callsteer._panicInTaskForTest(), internal)
  await assert.rejects(callsteer._panicInTaskForTest(), /panic requested/)
})

test('the addon still works after panics', async () => {
  for (let i = 0; i < 3; i++) assert.throws(() => callsteer._panicForTest(), InternalError)
  const event = callsteer.parseCallAutomationEvent(
    '[{"id":"1","source":"s","specversion":"1.0","type":"Microsoft.Communication.CallConnected","data":{"callConnectionId":"c"}}]',
  )
  assert.equal(event.kind, 'CallConnected')
})
