// allowInsecureConnection: a TokenCredential's bearer token never goes over plain http to a
// host that is not loopback unless the client allows it (the loopback emulator needs nothing).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'

import * as callsteer from '../callsteer.js'
import { startEmulator } from './helpers.mjs'

const { CallAutomationClient, InvalidArgumentError, AuthError } = callsteer

let emulator
before(async () => {
  emulator = await startEmulator()
})
after(async () => {
  await emulator.stop()
})

function credential(asked) {
  return {
    getToken: async (scopes) => {
      asked.push(scopes)
      throw new Error('no token here')
    },
  }
}

const invite = { targetParticipant: { communicationUserId: '8:acs:res_insecure_user' } }

test('a token credential with a remote http endpoint is refused unless allowInsecureConnection', () => {
  const asked = []
  for (const endpoint of ['http://contoso.communication.azure.com/', 'http://10.0.0.7:8080/']) {
    assert.throws(
      () => new CallAutomationClient(endpoint, credential(asked)),
      (e) => {
        assert.ok(e instanceof InvalidArgumentError, `${e?.name}: ${e?.message}`)
        assert.equal(e.field, 'endpoint')
        assert.match(e.message, /https/)
        return true
      },
    )
    assert.throws(() => new CallAutomationClient(endpoint, credential(asked), { allowInsecureConnection: false }), InvalidArgumentError)
    assert.ok(new CallAutomationClient(endpoint, credential(asked), { allowInsecureConnection: true }))
  }
  assert.deepEqual(asked, [], 'no token was asked for')
})

test('allowed: the token is asked for and used; https, loopback and access keys need nothing', async () => {
  const asked = []
  const remote = new CallAutomationClient('http://contoso.communication.azure.com/', credential(asked), {
    allowInsecureConnection: true,
  })
  await assert.rejects(remote.createCall(invite, 'https://app.example/events'), AuthError)
  assert.equal(asked.length, 1)
  assert.ok(new CallAutomationClient('https://contoso.communication.azure.com/', credential(asked)))
  assert.ok(new CallAutomationClient('http://contoso.communication.azure.com/', { key: emulator.accessKey }))
  const local = new CallAutomationClient(emulator.baseUrl, credential(asked))
  await assert.rejects(local.createCall(invite, 'https://app.example/events'), /no token here/)
  assert.equal(asked.length, 2)
})
