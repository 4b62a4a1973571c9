// The client rules every language shares (tests/vectors/client_rules.json), nothing silently
// dropped, and a 2xx that is never an error, against a real in-process node:http server.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { after, before, test } from 'node:test'

import * as callsteer from '../callsteer.js'
import { REPO } from './helpers.mjs'

const { CallAutomationClient, InvalidArgumentError } = callsteer
const VECTORS = JSON.parse(readFileSync(path.join(REPO, 'tests', 'vectors', 'client_rules.json'), 'utf8'))
const KEY = { key: 'c2VjcmV0' }
const CB = 'https://app.example/events'
const user = { communicationUserId: '8:acs:res_rules_user' }
// The canonical fields of the vectors' errors, as the official JS SDK names them.
const FIELD_IN_NODE = { endpoint: 'endpoint', callRejectReason: 'callRejectReason', cloud: 'cloud' }

// Records each request; answers with the next scripted [status, body], else 204.
const requests = []
const replies = []
let server
let connectionString
before(async () => {
  server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      requests.push({ method: req.method, path: req.url, body: body ? JSON.parse(body) : null })
      const [status, text] = replies.shift() ?? [204, '']
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(text)
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  connectionString = `endpoint=http://127.0.0.1:${server.address().port}/;accesskey=${KEY.key}`
})
after(() => server.close())

function invalid(field) {
  return (error) => {
    assert.ok(error instanceof InvalidArgumentError, `${error?.name}: ${error?.message}`)
    assert.equal(error.field, field)
    assert.ok(error.message.includes(`\`${field}\``), error.message)
    return true
  }
}

test('endpoint vectors: a bare host is https, in every language', () => {
  for (const c of VECTORS.endpoints) {
    if (c.url) new CallAutomationClient(c.input, KEY)
    else assert.throws(() => new CallAutomationClient(c.input, KEY), invalid(FIELD_IN_NODE[c.error]), c.input)
  }
})

test('reject reason vectors: case-insensitive, in every language', async () => {
  const client = new CallAutomationClient(connectionString)
  for (const c of VECTORS.call_reject_reasons) {
    requests.length = 0
    if (c.value) {
      await client.rejectCall('ctx', { callRejectReason: c.input })
      assert.equal(requests[0].body.callRejectReason, c.value, c.input)
    } else {
      await assert.rejects(client.rejectCall('ctx', { callRejectReason: c.input }), invalid(FIELD_IN_NODE[c.error]))
      assert.equal(requests.length, 0)
    }
  }
})

test('cloud vectors: case-insensitive, in every language', async () => {
  const client = new CallAutomationClient(connectionString)
  for (const c of VECTORS.clouds) {
    requests.length = 0
    const target = { microsoftTeamsUserId: 'u', cloud: c.input }
    if (c.value) {
      replies.push([201, '{"callConnectionId":"c-1"}'])
      await client.createGroupCall([target], CB)
      assert.equal(requests[0].body.targets[0].microsoftTeamsUser.cloud, c.value, c.input)
    } else {
      await assert.rejects(client.createGroupCall([target], CB), invalid('targetParticipants[0].cloud'))
    }
  }
})

test('errors name the field as the official JS SDK does', async () => {
  const client = new CallAutomationClient(connectionString)
  const call = client.getCallConnection('c-1')
  requests.length = 0
  await assert.rejects(call.addParticipant({ targetParticipant: user }, { invitationTimeoutInSeconds: 500 }), invalid('invitationTimeoutInSeconds'))
  await assert.rejects(call.removeParticipant(user, { operationContext: 'x'.repeat(5001) }), invalid('operationContext'))
  await assert.rejects(client.createCall({ targetParticipant: user }, 'nope'), invalid('callbackUrl'))
  await assert.rejects(client.createCall({ targetParticipant: { phoneNumber: '+16041234567' } }, CB), invalid('sourceCallIdNumber'))
  assert.equal(requests.length, 0)
})

test('create and redirect refuse what they cannot send', async () => {
  const client = new CallAutomationClient(connectionString)
  requests.length = 0
  const headers = [{ kind: 'sipuui', value: 'uui' }]
  await assert.rejects(client.createCall({ targetParticipant: user, customCallingContext: headers }, CB), invalid('customCallingContext'))
  await assert.rejects(client.redirectCall('ctx', { targetParticipant: user, customCallingContext: [{ kind: 'voip', key: 'k', value: 'v' }] }), invalid('customCallingContext'))
  await assert.rejects(
    client.redirectCall('ctx', { targetParticipant: { phoneNumber: '+16041234567' }, sourceCallIdNumber: { phoneNumber: '+16044561234' } }),
    invalid('sourceCallIdNumber'),
  )
  await assert.rejects(client.redirectCall('ctx', { targetParticipant: user, sourceDisplayName: 'Desk' }), invalid('sourceDisplayName'))
  assert.equal(requests.length, 0)
  await client.redirectCall('ctx', { targetParticipant: user })
  assert.equal(requests.length, 1)
})

test('sourceIdentity is the source of create and the answeredBy of answer', async () => {
  const client = new CallAutomationClient(connectionString, { sourceIdentity: { communicationUserId: '8:acs:res_bot' } })
  requests.length = 0
  replies.push([201, '{"callConnectionId":"c-1"}'], [200, '{"callConnectionId":"c-2"}'])
  await client.createCall({ targetParticipant: user }, CB)
  await client.answerCall('ctx', CB)
  assert.deepEqual(requests[0].body.source, { id: '8:acs:res_bot' })
  assert.deepEqual(requests[1].body.answeredBy, { id: '8:acs:res_bot' })
})

test('an accepted create is a result even with odd identifiers or a body cut short', async () => {
  const client = new CallAutomationClient(connectionString)
  for (const body of [
    '{"callConnectionId":"c-1","targets":[{"rawId":"8:acs:x","communicationUser":{"id":"8:acs:x"},"phoneNumber":{"value":"+16041234567"}}],"callConnectionState":5}',
    '{"callConnectionId":"c-1","targets":[{"rawId":',
  ]) {
    replies.push([201, body])
    const result = await client.createCall({ targetParticipant: user }, CB)
    const props = result.callConnectionProperties
    assert.equal(props.callConnectionId, 'c-1')
    for (const target of props.targets ?? []) {
      assert.equal(target.kind, 'unknown')
      assert.equal(target.rawId, '8:acs:x')
    }
  }
})
