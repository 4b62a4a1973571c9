// Events through the binding: one malformed event never loses its batch-mates (it arrives as
// kind 'Unknown' with parseError), the filter wait follows the core's rule on the shared vector
// tests/vectors/event-filters.json (read by the Rust and Python tests too), and the predicate
// wait checks the events that arrived before it, taking the one it returns.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'

import * as callsteer from '../callsteer.js'

const { CallAutomationClient, EventParseError, TimeoutError } = callsteer

const VECTOR = JSON.parse(
  readFileSync(new URL('../../tests/vectors/event-filters.json', import.meta.url), 'utf8'),
)

function processor() {
  return new CallAutomationClient('endpoint=http://127.0.0.1:9/;accesskey=c2VjcmV0').getEventProcessor()
}

const MIXED = [
  { id: 'ok-1', type: 'Microsoft.Communication.CallConnected', data: { callConnectionId: 'c1' } },
  {
    id: 'bad-code',
    type: 'Microsoft.Communication.CallConnected',
    data: { callConnectionId: 'c2', resultInformation: { code: '200' } },
  },
  {
    id: 'bad-roster',
    type: 'Microsoft.Communication.ParticipantsUpdated',
    data: { callConnectionId: 'c1', participants: { not: 'an array' } },
  },
  { id: 'ok-2', type: 'Microsoft.Communication.CallDisconnected', data: { callConnectionId: 'c1' } },
]

test('processEvents returns the good events of a body with bad ones, which carry parseError', async () => {
  const p = processor()
  const events = await p.processEvents(MIXED)
  assert.deepEqual(
    events.map((e) => [e.id, e.kind]),
    [
      ['ok-1', 'CallConnected'],
      ['bad-code', 'Unknown'],
      ['bad-roster', 'Unknown'],
      ['ok-2', 'CallDisconnected'],
    ],
  )
  assert.equal(events[1].eventType, 'CallConnected')
  assert.equal(events[1].cloudEventType, 'Microsoft.Communication.CallConnected')
  assert.deepEqual(JSON.parse(events[1].dataJson), MIXED[1].data)
  assert.equal(events[1].parseError.path, '[1].data.resultInformation.code')
  assert.match(events[1].parseError.message, /integer/)
  assert.equal(events[2].parseError.path, '[2].data.participants')
  assert.equal(events[0].parseError, undefined)
  const parsed = callsteer.parseCallAutomationEvents(JSON.stringify(MIXED))
  assert.equal(parsed.length, 4)
  // Nothing readable is still an error.
  await assert.rejects(p.processEvents([MIXED[1]]), EventParseError)
})

test('a predicate wait sees the events that arrived before it and takes the one it returns', async () => {
  const p = processor()
  await p.processEvents(MIXED)
  const got = await p.waitForEvent((e) => e.kind === 'CallDisconnected', { timeoutMs: 0 })
  assert.equal(got.id, 'ok-2')
  // Taken: neither another predicate wait nor a filter wait receives it again.
  await assert.rejects(p.waitForEvent((e) => e.kind === 'CallDisconnected', { timeoutMs: 0 }), TimeoutError)
  await assert.rejects(p.waitForEvent({ kind: 'CallDisconnected' }, { timeoutMs: 0 }), TimeoutError)
  // The oldest match first; a later one still arrives through dispatch.
  const first = await p.waitForEvent((e) => e.id !== 'nope', { timeoutMs: 0 })
  assert.equal(first.id, 'ok-1')
  const later = p.waitForEvent((e) => e.kind === 'CallDisconnected' && e.callConnectionId === 'c9', {
    timeoutMs: 10000,
  })
  await p.processEvents([{ id: 'late', type: 'Microsoft.Communication.CallDisconnected', data: { callConnectionId: 'c9' } }])
  assert.equal((await later).id, 'late')
  assert.deepEqual(p.keptEvents({ callConnectionId: 'c9' }), [], 'the dispatched one was taken too')
})

for (const [index, c] of VECTOR.cases.entries()) {
  test(`shared filter vector #${index}: ${JSON.stringify(c.filter)} x ${c.event} -> ${c.matches}`, async () => {
    const p = processor()
    await p.processEvents([VECTOR.events[c.event]])
    const filter = {
      kind: c.filter.event_type,
      callConnectionId: c.filter.call_connection_id,
      operationContext: c.filter.operation_context,
    }
    let matched
    try {
      await p.waitForEvent(filter, { timeoutMs: 0 })
      matched = true
    } catch (error) {
      assert.ok(error instanceof TimeoutError, String(error))
      matched = false
    }
    assert.equal(matched, c.matches)
  })
}
