// Callback JWT verification through the binding: the emulator's test tokens (one valid, one per
// way a token can be bad) against CallbackVerifier.verifyAndParse.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'

import * as callsteer from '../callsteer.js'
import { startEmulator } from './helpers.mjs'

const { AuthError, CallAutomationError, CallbackVerifier, EventParseError, InvalidArgumentError } = callsteer

const AUDIENCE = '11111111-2222-3333-4444-555555555555'
const BODY = JSON.stringify([
  {
    id: 'evt-1',
    source: 'calling/callConnections/call-1',
    type: 'Microsoft.Communication.CallConnected',
    specversion: '1.0',
    time: '2026-01-01T00:00:00Z',
    data: { callConnectionId: 'call-1', serverCallId: 'server-1', correlationId: 'corr-1', operationContext: 'ctx-1' },
  },
])
// Each bad token and what the refusal must say.
const BAD = {
  forgedSignature: /signature is invalid/,
  expired: /expired/,
  wrongAudience: /audience/,
  wrongIssuer: /issuer/,
  algNone: /not RS256/,
  hs256PublicKey: /not RS256/,
  unknownKid: /kid/,
}

let emulator
let issued
before(async () => {
  emulator = await startEmulator()
  issued = await emulator.admin('POST', '/emulator/test-tokens', { audience: AUDIENCE })
})
after(async () => {
  await emulator.stop()
})

function verifier() {
  return new CallbackVerifier(issued.audience, { issuer: issued.issuer, jwksUrl: issued.jwksUrl })
}

function refused(pattern, token) {
  return (error) => {
    assert.ok(error instanceof AuthError, `${error?.name}: ${error?.message}`)
    assert.ok(error instanceof CallAutomationError && error instanceof Error)
    assert.equal(error.name, 'AuthError')
    assert.equal(error.kind, 'Auth')
    assert.match(error.message, pattern)
    if (token) assert.ok(!error.message.includes(token), 'the token never appears in the error')
    return true
  }
}

function assertConnected(events) {
  assert.equal(events.length, 1)
  assert.equal(events[0].kind, 'CallConnected')
  assert.equal(events[0].callConnectionId, 'call-1')
  assert.equal(events[0].operationContext, 'ctx-1')
}

test('options are kept, with the service defaults', () => {
  const v = verifier()
  assert.deepEqual([v.audience, v.issuer, v.jwksUrl], [AUDIENCE, issued.issuer, issued.jwksUrl])
  const plain = new CallbackVerifier(AUDIENCE)
  assert.equal(plain.issuer, 'https://acscallautomation.communication.azure.com')
  assert.equal(plain.jwksUrl, `${plain.issuer}/calling/keys`)
  assert.equal(new CallbackVerifier(AUDIENCE, { issuer: 'https://x.test' }).jwksUrl, 'https://x.test/calling/keys')
})

test('an empty audience throws an InvalidArgumentError naming audience', () => {
  for (const audience of ['', '   ']) {
    assert.throws(
      () => new CallbackVerifier(audience),
      (error) => error instanceof InvalidArgumentError && error.field === 'audience',
    )
  }
  assert.ok(new CallbackVerifier(AUDIENCE) instanceof CallbackVerifier)
})

test('the valid token is accepted and the body parsed into typed events', async () => {
  const v = verifier()
  const header = `Bearer ${issued.tokens.valid}`
  assertConnected(await v.verifyAndParse(header, BODY))
  assertConnected(await v.verifyAndParse(header, Buffer.from(BODY)))
  assertConnected(await v.verifyAndParse(header, JSON.parse(BODY)))
})

for (const [name, pattern] of Object.entries(BAD)) {
  test(`the ${name} token is refused with AuthError saying why`, async () => {
    const token = issued.tokens[name]
    await assert.rejects(verifier().verifyAndParse(`Bearer ${token}`, BODY), refused(pattern, token))
  })
}

test('a missing or malformed Authorization header is refused', async () => {
  const v = verifier()
  await assert.rejects(v.verifyAndParse(undefined, BODY), refused(/missing Authorization header/))
  await assert.rejects(v.verifyAndParse(null, BODY), refused(/missing Authorization header/))
  await assert.rejects(v.verifyAndParse('', BODY), refused(/not a Bearer token/))
  await assert.rejects(v.verifyAndParse('Basic dXNlcjpwdw==', BODY), refused(/not a Bearer token/))
  await assert.rejects(v.verifyAndParse('Bearer not-a-jwt', BODY), refused(/not a JWS/))
})

test('a valid token with a bad body rejects with EventParseError', async () => {
  await assert.rejects(verifier().verifyAndParse(`Bearer ${issued.tokens.valid}`, '{not json'), EventParseError)
})
