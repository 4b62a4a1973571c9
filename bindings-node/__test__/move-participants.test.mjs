// moveParticipants (api-version 2026-03-12, the default): callsteer's outcome wait and typed
// event, its local refusals, and the official @azure/communication-call-automation 1.6.0 doing
// the same move against the emulator, its events read by the official parser.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import * as official from '@azure/communication-call-automation'

import * as callsteer from '../callsteer.js'
import { startEmulator, startReceiver, startWorld } from './helpers.mjs'

async function connected(world, rawId) {
  const created = await world.client.createCall(
    { targetParticipant: { communicationUserId: rawId } },
    world.callbackUrl,
  )
  const outcome = await created.waitForEventProcessor()
  assert.ok(outcome.succeeded)
  return created.callConnection
}

test('moveParticipants settles on MoveParticipantSucceeded and the caller joins', async () => {
  const world = await startWorld(callsteer)
  try {
    const ivr = await connected(world, '8:acs:r_caller')
    const agent = await connected(world, '8:acs:r_agent')
    const moved = await agent.moveParticipants([{ communicationUserId: '8:acs:r_caller' }], ivr.callConnectionId, {
      operationContext: 'to-agent',
    })
    assert.ok(moved instanceof callsteer.MoveParticipantsResult)
    assert.equal(moved.fromCall, ivr.callConnectionId)
    assert.equal(moved.operationContext, 'to-agent')
    assert.deepEqual(
      moved.participants.map((p) => p.identifier.rawId),
      ['8:acs:r_agent'],
    )
    const outcome = await moved.waitForEventProcessor()
    assert.ok(outcome.succeeded)
    assert.equal(outcome.event.kind, 'MoveParticipantSucceeded')
    assert.equal(outcome.event.fromCall, ivr.callConnectionId)
    assert.equal(outcome.event.participant.rawId, '8:acs:r_caller')
    const { values } = await agent.listParticipants()
    assert.deepEqual(values.map((p) => p.identifier.rawId).sort(), ['8:acs:r_agent', '8:acs:r_caller'])
  } finally {
    await world.close()
  }
})

test('moveParticipants refuses bad arguments locally, naming the option', async () => {
  const client = new callsteer.CallAutomationClient('endpoint=http://127.0.0.1:9/;accesskey=c2VjcmV0')
  const conn = client.getCallConnection('any')
  await assert.rejects(conn.moveParticipants([], 'other'), (e) => e instanceof callsteer.InvalidArgumentError && /targetParticipants/.test(e.message))
  await assert.rejects(
    conn.moveParticipants([{ communicationUserId: '8:acs:r_a' }], ''),
    (e) => e instanceof callsteer.InvalidArgumentError && /fromCall/.test(e.message),
  )
  const old = new callsteer.CallAutomationClient('endpoint=http://127.0.0.1:9/;accesskey=c2VjcmV0', {
    apiVersion: '2025-05-15',
  })
  await assert.rejects(
    old.getCallConnection('any').moveParticipants([{ communicationUserId: '8:acs:r_a' }], 'other'),
    (e) => e instanceof callsteer.InvalidArgumentError && /2026-03-12/.test(e.message),
  )
})

test('official SDK: moveParticipants against the emulator', async () => {
  const emulator = await startEmulator()
  const receiver = await startReceiver({
    async processEvents(body) {
      const parsed = JSON.parse(body.toString())
      return (Array.isArray(parsed) ? parsed : [parsed]).map((e) => official.parseCallAutomationEvent(e))
    },
  })
  try {
    const client = new official.CallAutomationClient(emulator.connectionString, { allowInsecureConnection: true })
    const ids = []
    for (const raw of ['8:acs:r_caller', '8:acs:r_agent']) {
      const created = await client.createCall({ targetParticipant: { communicationUserId: raw } }, receiver.url('/events'))
      ids.push(created.callConnectionProperties.callConnectionId)
    }
    for (const id of ids) {
      const index = await receiver.waitFor(0, 10_000, ({ event }) => event.kind === 'CallConnected' && event.callConnectionId === id)
      assert.ok(index >= 0, `call ${id} never connected`)
    }
    const agent = client.getCallConnection(ids[1])
    const result = await agent.moveParticipants([{ communicationUserId: '8:acs:r_caller' }], ids[0], {
      operationContext: 'official-move',
    })
    assert.equal(result.fromCall, ids[0])
    assert.equal(result.operationContext, 'official-move')
    const index = await receiver.waitFor(0, 10_000, ({ event }) => event.kind === 'MoveParticipantSucceeded')
    assert.ok(index >= 0, `no MoveParticipantSucceeded; seen ${receiver.log.map((d) => d.event.kind).join(', ')}`)
    const event = receiver.log[index].event
    assert.equal(event.fromCall, ids[0])
    assert.equal(event.participant.communicationUserId, '8:acs:r_caller')
  } finally {
    await receiver.close()
    await emulator.stop()
  }
})
