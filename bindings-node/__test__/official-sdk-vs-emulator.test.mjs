// Issue 3's acceptance: the official @azure/communication-call-automation (pinned in
// package.json) completes create / add / transfer / remove / hang up against the emulator.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { CallAutomationClient, parseCallAutomationEvent } from '@azure/communication-call-automation'

import { startEmulator, startReceiver } from './helpers.mjs'

// The receiver logs events parsed by the official SDK's own parser.
const officialProcessor = {
  async processEvents(body) {
    const parsed = JSON.parse(body.toString())
    return (Array.isArray(parsed) ? parsed : [parsed]).map((cloudEvent) =>
      cloudEvent.type === 'Microsoft.EventGrid.SubscriptionValidationEvent'
        ? { kind: 'SubscriptionValidationEvent', validationCode: cloudEvent.data.validationCode }
        : parseCallAutomationEvent(cloudEvent),
    )
  },
}

test('official SDK: create, add, transfer, remove and hang up against the emulator', async () => {
  const emulator = await startEmulator()
  const receiver = await startReceiver(officialProcessor)
  const waitFor = async (pred, what) => {
    const index = await receiver.waitFor(0, 10_000, ({ event }) => pred(event))
    assert.ok(index >= 0, `no ${what}; seen ${receiver.log.map((d) => d.event.kind).join(', ')}`)
    return receiver.log[index].event
  }
  try {
    const client = new CallAutomationClient(emulator.connectionString, { allowInsecureConnection: true })
    const callbackUrl = receiver.url('/events')

    const created = await client.createGroupCall(
      [{ communicationUserId: '8:acs:res_off_alice' }, { communicationUserId: '8:acs:res_off_carol' }],
      callbackUrl,
      { operationContext: 'official-create' },
    )
    const id = created.callConnectionProperties.callConnectionId
    assert.ok(id)
    await waitFor((e) => e.kind === 'CallConnected' && e.callConnectionId === id, 'CallConnected')
    const callConnection = created.callConnection

    const added = await callConnection.addParticipant(
      { targetParticipant: { communicationUserId: '8:acs:res_off_bob' } },
      { invitationTimeoutInSeconds: 30, operationContext: 'official-add' },
    )
    assert.ok(added.invitationId)
    const addEvent = await waitFor((e) => e.kind === 'AddParticipantSucceeded', 'AddParticipantSucceeded')
    assert.equal(addEvent.operationContext, 'official-add')

    const props = await callConnection.getCallConnectionProperties()
    assert.equal(props.callConnectionState, 'connected')
    const { values } = await callConnection.listParticipants()
    assert.equal(values.length, 3)
    const bob = await callConnection.getParticipant({ communicationUserId: '8:acs:res_off_bob' })
    assert.equal(bob.identifier.communicationUserId, '8:acs:res_off_bob')

    const transferred = await callConnection.transferCallToParticipant(
      { communicationUserId: '8:acs:res_off_dave' },
      {
        transferee: { communicationUserId: '8:acs:res_off_carol' },
        operationContext: 'official-transfer',
        customCallingContext: [{ kind: 'voip', key: 'h1', value: 'v1' }],
      },
    )
    assert.equal(transferred.operationContext, 'official-transfer')
    await waitFor((e) => e.kind === 'CallTransferAccepted', 'CallTransferAccepted')

    const removed = await callConnection.removeParticipant(
      { communicationUserId: '8:acs:res_off_bob' },
      { operationContext: 'official-remove' },
    )
    assert.equal(removed.operationContext, 'official-remove')
    await waitFor((e) => e.kind === 'RemoveParticipantSucceeded', 'RemoveParticipantSucceeded')

    await callConnection.hangUp(true)
    await waitFor((e) => e.kind === 'CallDisconnected' && e.callConnectionId === id, 'CallDisconnected')
  } finally {
    await receiver.close()
    await emulator.stop()
  }
})
