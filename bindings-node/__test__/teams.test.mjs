// Teams at api-version 2026-03-12 and the official package's runtime `Known*` values: Teams
// Phone extension users (raw ids as @azure/communication-common parses them), Teams Phone call
// details on add and transfer, an IncomingCall's details, sip/q850 result details.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import * as official from '@azure/communication-call-automation'
import * as common from '@azure/communication-common'

import * as callsteer from '../callsteer.js'
import { RESOURCE_PHONE_NUMBER, startEmulator, startReceiver, startWorld } from './helpers.mjs'

test('every Known* value the official package exports at runtime, with the same members', () => {
  const names = Object.keys(official).filter((k) => k.startsWith('Known'))
  assert.ok(names.length >= 4, names.join())
  for (const name of names) {
    assert.deepEqual({ ...callsteer[name] }, { ...official[name] }, name)
  }
  assert.equal(callsteer.KnownCallRejectReason.Busy, 'busy')
})

test('raw ids parse as @azure/communication-common parses them', () => {
  for (const raw of ['8:acs:r_t_u', '8:dod-acs:r_t_u', '8:gcch-acs:r_t_u', '8:acs:plain', '8:acs:a_b', '8:acs:a_b_c_d']) {
    const theirs = common.createIdentifierFromRawId(raw)
    const ours = callsteer.createIdentifierFromRawId(raw)
    assert.equal(ours.kind, theirs.kind, raw)
    assert.equal(common.getIdentifierRawId(theirs), ours.rawId, raw)
    if (theirs.kind === 'teamsExtensionUser') {
      for (const key of ['userId', 'tenantId', 'resourceId', 'cloud']) assert.equal(ours[key], theirs[key], `${raw} ${key}`)
    }
  }
})

async function connected(world) {
  const created = await world.client.createCall({ targetParticipant: { communicationUserId: '8:acs:r_ivr' } }, world.callbackUrl)
  assert.ok((await created.waitForEventProcessor()).succeeded)
  return created.callConnection
}

const DETAILS = {
  kind: 'TeamsPhoneCallDetails',
  teamsPhoneCallerDetails: {
    caller: { phoneNumber: '+16045550100' },
    name: 'Ada',
    phoneNumber: '+16045550100',
    isAuthenticated: true,
    additionalCallerInformation: { tier: 'gold' },
  },
  teamsPhoneSourceDetails: {
    source: { teamsAppId: 'app-1' },
    language: 'en-US',
    status: 'active',
    intendedTargets: { agent: { microsoftTeamsUserId: 'u2' } },
  },
  callTopic: 'Billing question',
}

test('an extension user joins with Teams Phone call details, and a transfer carries them too', async () => {
  const world = await startWorld(callsteer)
  try {
    const conn = await connected(world)
    const user = { userId: 'u', tenantId: 't', resourceId: 'r' }
    const added = await conn.addParticipant({ targetParticipant: user, customCallingContext: [{ kind: 'voip', key: 'k', value: 'v' }, DETAILS] })
    const outcome = await added.waitForEventProcessor()
    assert.ok(outcome.succeeded)
    assert.equal(outcome.event.participant.kind, 'teamsExtensionUser')
    assert.equal(outcome.event.participant.rawId, '8:acs:r_t_u')
    assert.equal(outcome.event.participant.tenantId, 't')
    const oneToOne = await connected(world)
    const moved = await oneToOne.transferCallToParticipant({ microsoftTeamsUserId: 'u1' }, { customCallingContext: [DETAILS], operationContext: 'tr-teams' })
    assert.ok((await moved.waitForEventProcessor()).succeeded)
  } finally {
    await world.close()
  }
})

test('Teams Phone call details are checked locally, naming the field', async () => {
  const client = new callsteer.CallAutomationClient('endpoint=http://127.0.0.1:9/;accesskey=c2VjcmV0')
  const conn = client.getCallConnection('any')
  const invite = (details) => ({ targetParticipant: { microsoftTeamsUserId: 'u1' }, customCallingContext: [details] })
  await assert.rejects(
    conn.addParticipant(invite({ ...DETAILS, callTopic: 'x'.repeat(49) })),
    (e) => e instanceof callsteer.InvalidArgumentError && e.field === 'TeamsPhoneCallDetails.callTopic',
  )
  const crowded = { ...DETAILS.teamsPhoneCallerDetails, additionalCallerInformation: Object.fromEntries([...Array(11).keys()].map((i) => [`k${i}`, 'v'])) }
  await assert.rejects(
    conn.addParticipant(invite({ ...DETAILS, teamsPhoneCallerDetails: crowded })),
    (e) => e instanceof callsteer.InvalidArgumentError && e.field === 'TeamsPhoneCallDetails.teamsPhoneCallerDetails.additionalCallerInformation',
  )
  await assert.rejects(
    conn.addParticipant({ targetParticipant: { microsoftTeamsUserId: 'u1' }, customCallingContext: [{ kind: 'voip', key: 'k' }] }),
    (e) => e instanceof callsteer.InvalidArgumentError && /customCallingContext\[0\]\.value/.test(e.field),
  )
  const old = new callsteer.CallAutomationClient('endpoint=http://127.0.0.1:9/;accesskey=c2VjcmV0', { apiVersion: '2025-05-15' })
  await assert.rejects(
    old.getCallConnection('any').addParticipant(invite(DETAILS)),
    (e) => e instanceof callsteer.InvalidArgumentError && /2026-03-12/.test(e.message),
  )
})

test('an IncomingCall carries its Teams Phone call details; results carry sip/q850 details', async () => {
  const world = await startWorld(callsteer)
  try {
    await world.emulator.admin('POST', '/emulator/phone-numbers', { phoneNumber: RESOURCE_PHONE_NUMBER })
    const customContext = {
      voipHeaders: { k: 'v' },
      teamsPhoneCallDetails: {
        teamsPhoneCallerDetails: { caller: { rawId: '4:+16045550100', phoneNumber: { value: '+16045550100' } }, name: 'Ada', phoneNumber: '+16045550100' },
        callTopic: 'Billing question',
      },
    }
    await world.emulator.admin('POST', '/emulator/incoming-calls', { from: '4:+16045550100', to: `4:${RESOURCE_PHONE_NUMBER}`, customContext })
    const event = await world.client.getEventProcessor().waitForEvent({ kind: 'IncomingCall' })
    const details = event.customContext.teamsPhoneCallDetails
    assert.equal(details.kind, 'TeamsPhoneCallDetails')
    assert.equal(details.callTopic, 'Billing question')
    assert.equal(details.teamsPhoneCallerDetails.caller.phoneNumber, '+16045550100')
  } finally {
    await world.close()
  }
  const failed = callsteer.parseCallAutomationEvent({
    id: 'e1',
    source: 'calling/callConnections/c1',
    type: 'Microsoft.Communication.AddParticipantFailed',
    specversion: '1.0',
    data: {
      callConnectionId: 'c1',
      resultInformation: { code: 486, subCode: 0, message: 'busy', sipDetails: { code: 486, message: 'Busy Here' }, q850Details: { code: 17, message: 'User busy' } },
    },
  })
  assert.deepEqual(failed.resultInformation.sipDetails, { code: 486, message: 'Busy Here' })
  assert.deepEqual(failed.resultInformation.q850Details, { code: 17, message: 'User busy' })
})

test('official SDK: a Teams extension user with Teams Phone call details and streaming options against the emulator', async () => {
  const emulator = await startEmulator()
  const receiver = await startReceiver({
    async processEvents(body) {
      const parsed = JSON.parse(body.toString())
      return (Array.isArray(parsed) ? parsed : [parsed]).map((e) => official.parseCallAutomationEvent(e))
    },
  })
  try {
    const client = new official.CallAutomationClient(emulator.connectionString, { allowInsecureConnection: true })
    const created = await client.createCall({ targetParticipant: { communicationUserId: '8:acs:r_ivr' } }, receiver.url('/events'), {
      mediaStreamingOptions: { transportUrl: 'wss://media.example/stream', transportType: 'websocket', contentType: 'audio', audioChannelType: 'mixed' },
    })
    assert.equal(created.callConnectionProperties.mediaStreamingSubscription.state, 'inactive')
    const id = created.callConnectionProperties.callConnectionId
    assert.ok((await receiver.waitFor(0, 10_000, ({ event }) => event.kind === 'CallConnected')) >= 0)
    const conn = client.getCallConnection(id)
    await conn.addParticipant({
      targetParticipant: { userId: 'u', tenantId: 't', resourceId: 'r' },
      customCallingContext: [DETAILS],
    })
    const index = await receiver.waitFor(0, 10_000, ({ event }) => event.kind === 'AddParticipantSucceeded')
    assert.ok(index >= 0, `no AddParticipantSucceeded; seen ${receiver.log.map((d) => d.event.kind).join(', ')}`)
    assert.equal(common.getIdentifierRawId(receiver.log[index].event.participant), '8:acs:r_t_u')
  } finally {
    await receiver.close()
    await emulator.stop()
  }
})
