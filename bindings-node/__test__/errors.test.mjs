// Bad input rejects before any request with InvalidArgumentError naming the field; a wrong key
// and service errors reject with ServiceError; every error is a CallAutomationError.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'

import * as callsteer from '../callsteer.js'
import { startWorld } from './helpers.mjs'

const { CallAutomationClient, CallAutomationError, InvalidArgumentError, ServiceError, EventParseError } = callsteer

let world
before(async () => {
  world = await startWorld(callsteer)
})
after(async () => {
  await world.close()
})

const user = { communicationUserId: '8:acs:res_err_user' }

function invalid(field) {
  return (error) => {
    assert.ok(error instanceof InvalidArgumentError, `${error?.name}: ${error?.message}`)
    assert.ok(error instanceof CallAutomationError)
    assert.ok(error instanceof Error)
    assert.equal(error.name, 'InvalidArgumentError')
    assert.equal(error.kind, 'InvalidArgument')
    assert.equal(error.code, undefined, 'code is left to service errors')
    assert.equal(error.field, field)
    assert.match(error.message, new RegExp(field.replace(/[[\].]/g, '\\$&')))
    return true
  }
}

async function callCount() {
  const calls = await world.emulator.admin('GET', '/emulator/calls')
  return Array.isArray(calls) ? calls.length : (calls.calls ?? calls.value ?? []).length
}

test('bad input rejects with InvalidArgumentError naming the field, before any request', async () => {
  const { client, callbackUrl } = world
  const before = await callCount()
  await assert.rejects(client.createCall({ targetParticipant: { phoneNumber: '+16041234567' } }, callbackUrl), invalid('sourceCallIdNumber'))
  await assert.rejects(
    client.createCall({ targetParticipant: { phoneNumber: '16041234567' }, sourceCallIdNumber: { phoneNumber: '+16044561234' } }, callbackUrl),
    (e) => e instanceof InvalidArgumentError && e.field === 'targetParticipant',
  )
  await assert.rejects(client.createCall({}, callbackUrl), invalid('targetParticipant.targetParticipant'))
  await assert.rejects(client.createCall({ targetParticipant: {} }, callbackUrl), invalid('targetParticipant'))
  await assert.rejects(client.createCall({ targetParticipant: user }, 'not a url'), invalid('callbackUrl'))
  await assert.rejects(client.createCall({ targetParticipant: user }), invalid('callbackUrl'))
  await assert.rejects(client.createGroupCall([], callbackUrl), invalid('targetParticipants'))
  await assert.rejects(client.connectCall({ kind: 'meetingLocator', id: 'x' }, callbackUrl), invalid('callLocator.kind'))
  await assert.rejects(client.connectCall({ kind: 'serverCallLocator', id: '' }, callbackUrl), invalid('callLocator'))
  await assert.rejects(client.answerCall('', callbackUrl), invalid('incomingCallContext'))
  await assert.rejects(client.rejectCall('ctx', { callRejectReason: 'maybe' }), invalid('callRejectReason'))
  await assert.rejects(
    client.createCall({ targetParticipant: user, customCallingContext: [{ kind: 'smtp', key: 'a', value: 'b' }] }, callbackUrl),
    invalid('customCallingContext[0].kind'),
  )
  const call = client.getCallConnection('some-call')
  await assert.rejects(call.addParticipant({ targetParticipant: user }, { invitationTimeoutInSeconds: 999 }), invalid('invitationTimeoutInSeconds'))
  await assert.rejects(call.addParticipant({ targetParticipant: { phoneNumber: '+16041234567' } }), invalid('sourceCallIdNumber'))
  await assert.rejects(call.removeParticipant({ communicationUserId: '' }), invalid('participant'))
  await assert.rejects(call.muteParticipant({ phoneNumber: '+16041234567' }), (e) => e instanceof InvalidArgumentError)
  await assert.rejects(call.cancelAddParticipantOperation(''), invalid('invitationId'))
  await assert.rejects(call.transferCallToParticipant(user, { operationCallbackUrl: 'nope' }), invalid('operationCallbackUrl'))
  assert.throws(() => client.getCallConnection(''), invalid('callConnectionId'))
  // A value of the wrong JS type is an argument error too.
  await assert.rejects(client.createCall(42, callbackUrl), InvalidArgumentError)
  assert.equal(await callCount(), before, 'no call was created by refused input')
})

test('bad client construction throws InvalidArgumentError', () => {
  assert.throws(() => new CallAutomationClient('endpoint=http://127.0.0.1:1/'), invalid('connectionString'))
  assert.throws(() => new CallAutomationClient('nonsense'), InvalidArgumentError)
  assert.throws(() => new CallAutomationClient('ftp://x/', { key: 'c2VjcmV0' }), invalid('endpoint'))
  assert.throws(() => new CallAutomationClient(world.emulator.baseUrl, { key: 42 }), invalid('credential.key'))
  assert.throws(() => CallAutomationClient(world.emulator.connectionString), TypeError)
})

test('a wrong access key rejects with ServiceError 401', async () => {
  const wrong = world.emulator.connectionString.replace(/accesskey=[^;]+/, 'accesskey=' + Buffer.from('wrong key').toString('base64'))
  const client = new CallAutomationClient(wrong)
  await assert.rejects(client.createCall({ targetParticipant: user }, world.callbackUrl), (error) => {
    assert.ok(error instanceof ServiceError, `${error?.name}: ${error?.message}`)
    assert.ok(error instanceof CallAutomationError)
    assert.equal(error.name, 'ServiceError')
    assert.equal(error.kind, 'Service')
    assert.equal(error.statusCode, 401)
    // The service's own code, as RestError.code in the official SDK.
    assert.equal(error.code, 'Unauthorized')
    assert.ok(!error.message.includes('d3Jvbmcga2V5'), 'the key never appears in the error')
    return true
  })
})

test('a token credential is asked for a token and its errors are reported', async () => {
  const scopes = []
  const client = new CallAutomationClient(world.emulator.baseUrl, {
    getToken: async (s) => {
      scopes.push(s)
      throw new Error('no token for you')
    },
  })
  await assert.rejects(client.createCall({ targetParticipant: user }, world.callbackUrl), (e) => {
    assert.ok(e instanceof callsteer.AuthError, `${e?.name}: ${e?.message}`)
    assert.match(e.message, /no token for you/)
    return true
  })
  assert.deepEqual(scopes, [['https://communication.azure.com//.default']])
})

test('service errors carry statusCode, the service code as code, and the kind', async () => {
  const call = world.client.getCallConnection('no-such-call')
  await assert.rejects(call.getCallConnectionProperties(), (e) => {
    assert.ok(e instanceof ServiceError)
    assert.equal(e.kind, 'Service')
    assert.equal(e.statusCode, 404)
    assert.equal(e.code, 'NotFound')
    assert.equal('errorCode' in e, false)
    return true
  })
})

test('malformed callback bodies reject with EventParseError and never crash', async () => {
  const processor = world.client.getEventProcessor()
  await assert.rejects(processor.processEvents('{not json'), EventParseError)
  assert.throws(() => callsteer.parseCallAutomationEvent('[{"type": 5}]'), EventParseError)
  assert.throws(() => callsteer.parseCallAutomationEvent('[]'), EventParseError)
  for (const junk of ['', 'null', '[null]', '{"data": []}', '\u0000\uffff', '[{"type":"Microsoft.Communication.CallConnected","data":{"callConnectionId":7}}]']) {
    await processor.processEvents(junk).catch((e) => assert.ok(e instanceof CallAutomationError))
  }
})

test('parseCallAutomationEvent: CloudEvents (text, object, Buffer) and unknown types', () => {
  const cloudEvent = {
    id: 'e1',
    source: 'calling/callConnections/c1',
    type: 'Microsoft.Communication.AddParticipantFailed',
    specversion: '1.0',
    data: {
      callConnectionId: 'c1',
      operationContext: 'ctx',
      resultInformation: { code: 603, subCode: 0, message: 'declined' },
      participant: { kind: 'communicationUser', rawId: '8:acs:bob', communicationUser: { id: '8:acs:bob' } },
    },
  }
  for (const input of [JSON.stringify([cloudEvent]), cloudEvent, [cloudEvent], Buffer.from(JSON.stringify(cloudEvent))]) {
    const event = callsteer.parseCallAutomationEvent(input)
    assert.equal(event.kind, 'AddParticipantFailed')
    if (event.kind !== 'AddParticipantFailed') continue
    assert.equal(event.callConnectionId, 'c1')
    assert.equal(event.resultInformation?.code, 603)
    assert.equal(event.participant?.communicationUserId, '8:acs:bob')
  }
  const unknown = callsteer.parseCallAutomationEvent({ ...cloudEvent, type: 'Microsoft.Communication.PlayCompleted', data: { a: 1 } })
  assert.equal(unknown.kind, 'Unknown')
  assert.ok(unknown.kind === 'Unknown' && unknown.eventType === 'PlayCompleted' && JSON.parse(unknown.dataJson).a === 1)
  const all = callsteer.parseCallAutomationEvents([cloudEvent, cloudEvent])
  assert.equal(all.length, 2)
})

test('identifiers: createIdentifierFromRawId round-trips every kind', () => {
  const cases = {
    '8:acs:res_user': { kind: 'communicationUser', communicationUserId: '8:acs:res_user' },
    '4:+16041234567': { kind: 'phoneNumber', phoneNumber: '+16041234567' },
    '8:orgid:45ab': { kind: 'microsoftTeamsUser', microsoftTeamsUserId: '45ab', isAnonymous: false, cloud: 'public' },
    '28:orgid:01ab': { kind: 'microsoftTeamsApp', teamsAppId: '01ab', cloud: 'public' },
    '48:other': { kind: 'unknown', id: '48:other' },
  }
  for (const [raw, expected] of Object.entries(cases)) {
    const id = callsteer.createIdentifierFromRawId(raw)
    assert.equal(id.rawId, raw)
    for (const [k, v] of Object.entries(expected)) assert.equal(id[k], v, `${raw}.${k}`)
  }
})
