// OperationOptions.abortSignal and OperationOptions.timeout: an aborted signal rejects with
// AbortError and sends nothing; an abort or a timeout during a request closes that request's
// connection, and the emulator (with injected latency) never executes it.
import assert from 'node:assert/strict'
import { once, getEventListeners } from 'node:events'
import net from 'node:net'
import { after, before, test } from 'node:test'

import * as callsteer from '../callsteer.js'
import { startWorld } from './helpers.mjs'

const { AbortError, CallAutomationClient, InvalidArgumentError, TimeoutError } = callsteer

const LATENCY_MS = 1500

let world
before(async () => {
  world = await startWorld(callsteer)
})
after(async () => {
  await world.close()
})

async function requestLog() {
  return (await world.emulator.admin('GET', '/emulator/requests')).value
}

async function callCount() {
  const calls = await world.emulator.admin('GET', '/emulator/calls')
  return Array.isArray(calls) ? calls.length : (calls.calls ?? calls.value ?? []).length
}

/**
 * A TCP relay in front of the emulator that reports when a client connection has sent bytes
 * and when the client closed it: what the client did on the wire, seen from outside it.
 */
async function startRelay(target) {
  const { hostname, port } = new URL(target)
  const events = new EventTarget()
  const seen = { requests: 0, clientCloses: 0 }
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname)
    client.on('data', (chunk) => {
      upstream.write(chunk)
      seen.requests++
      events.dispatchEvent(new Event('change'))
    })
    upstream.on('data', (chunk) => client.write(chunk))
    client.on('close', () => {
      seen.clientCloses++
      upstream.destroy()
      events.dispatchEvent(new Event('change'))
    })
    upstream.on('close', () => client.destroy())
    client.on('error', () => {})
    upstream.on('error', () => {})
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    seen,
    url: `http://127.0.0.1:${server.address().port}/`,
    until(pred) {
      return new Promise((resolve) => {
        const check = () => {
          if (pred(seen)) {
            events.removeEventListener('change', check)
            resolve()
          }
        }
        events.addEventListener('change', check)
        check()
      })
    },
    close() {
      return new Promise((resolve) => server.close(resolve))
    },
  }
}

function target(name) {
  return { targetParticipant: { communicationUserId: `8:acs:res_abort_${name}` } }
}

function isAbortError(error) {
  assert.ok(error instanceof AbortError, `${error?.name}: ${error?.message}`)
  assert.ok(error instanceof Error)
  assert.equal(error.name, 'AbortError')
  return true
}

test('an already-aborted signal rejects with AbortError at once and sends nothing', async () => {
  const { client, callbackUrl } = world
  const controller = new AbortController()
  controller.abort()
  const abortSignal = controller.signal
  const call = client.getCallConnection('some-call')
  const user = { communicationUserId: '8:acs:res_abort_user' }
  const before = (await requestLog()).length
  const calls = await callCount()
  await assert.rejects(client.createCall(target('pre'), callbackUrl, { abortSignal }), isAbortError)
  await assert.rejects(client.createGroupCall([user], callbackUrl, { abortSignal }), isAbortError)
  await assert.rejects(client.answerCall('ctx', callbackUrl, { abortSignal }), isAbortError)
  await assert.rejects(client.redirectCall('ctx', target('pre'), { abortSignal }), isAbortError)
  await assert.rejects(client.rejectCall('ctx', { abortSignal }), isAbortError)
  await assert.rejects(client.connectCall({ kind: 'serverCallLocator', id: 'srv' }, callbackUrl, { abortSignal }), isAbortError)
  await assert.rejects(call.getCallConnectionProperties({ abortSignal }), isAbortError)
  await assert.rejects(call.hangUp(true, { abortSignal }), isAbortError)
  await assert.rejects(call.getParticipant(user, { abortSignal }), isAbortError)
  await assert.rejects(call.listParticipants({ abortSignal }), isAbortError)
  await assert.rejects(call.addParticipant(target('pre'), { abortSignal }), isAbortError)
  await assert.rejects(call.transferCallToParticipant(user, { abortSignal }), isAbortError)
  await assert.rejects(call.removeParticipant(user, { abortSignal }), isAbortError)
  await assert.rejects(call.muteParticipant(user, { abortSignal }), isAbortError)
  await assert.rejects(call.cancelAddParticipantOperation('inv', { abortSignal }), isAbortError)
  assert.equal((await requestLog()).length, before, 'the emulator received no request')
  assert.equal(await callCount(), calls)
})

/**
 * Starts a createCall through the relay with `options`, waits until its bytes reached the
 * emulator, calls `interrupt`, and checks that the client closed that connection and that the
 * emulator never executed the request. Returns the rejection.
 */
async function interruptedCreateCall(options, interrupt) {
  const relay = await startRelay(world.emulator.baseUrl)
  await world.emulator.admin('PUT', '/emulator/faults', { latencyMs: LATENCY_MS })
  try {
    const client = new CallAutomationClient(relay.url, { key: world.emulator.accessKey })
    const calls = await callCount()
    const creates = async () => (await requestLog()).filter((r) => r.operation === 'CreateCall').length
    const createsBefore = await creates()
    const pending = client.createCall(target('inflight'), world.callbackUrl, options).then(
      () => assert.fail('the interrupted createCall resolved'),
      (error) => error,
    )
    await relay.until((s) => s.requests > 0)
    interrupt()
    const error = await pending
    await relay.until((s) => s.clientCloses > 0)
    // Same latency, sent after the interrupted request: once it is answered, the interrupted
    // one would have been executed and logged too, had the emulator still been serving it.
    const after = await world.client.createCall(target('after'), world.callbackUrl)
    assert.ok(after.callConnection.callConnectionId)
    assert.equal(await creates(), createsBefore + 1, 'the emulator logged only the second createCall')
    assert.equal(await callCount(), calls + 1, 'only the second call was created')
    return error
  } finally {
    await world.emulator.admin('PUT', '/emulator/faults', { latencyMs: 0 })
    await relay.close()
  }
}

test('an abort during a request rejects with AbortError and cancels the request', async () => {
  const controller = new AbortController()
  const error = await interruptedCreateCall({ abortSignal: controller.signal }, () => controller.abort())
  isAbortError(error)
})

test('OperationOptions.timeout bounds the whole operation and cancels the request', async () => {
  const error = await interruptedCreateCall({ timeout: LATENCY_MS / 5 }, () => {})
  assert.ok(error instanceof TimeoutError, `${error?.name}: ${error?.message}`)
  assert.equal(error.kind, 'Timeout')
  assert.match(error.message, /timeout of 300 ms/)
})

test('a signal that is never aborted changes nothing, and its listeners are removed', async () => {
  const { client, callbackUrl } = world
  const controller = new AbortController()
  const result = await client.createCall(target('kept'), callbackUrl, { abortSignal: controller.signal, timeout: 60_000 })
  const call = result.callConnection
  await call.getCallConnectionProperties({ abortSignal: controller.signal })
  await assert.rejects(client.getCallConnection('no-such-call').hangUp(true, { abortSignal: controller.signal }), callsteer.ServiceError)
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0)
  await call.hangUp(true, { abortSignal: controller.signal, timeout: 0 })
})

test('a malformed abortSignal or timeout is refused naming the option, before any request', async () => {
  const call = world.client.getCallConnection('some-call')
  const before = (await requestLog()).length
  for (const [options, field] of [
    [{ abortSignal: 5 }, 'abortSignal'],
    [{ abortSignal: { aborted: false } }, 'abortSignal'],
    [{ timeout: -1 }, 'timeout'],
    [{ timeout: Number.NaN }, 'timeout'],
  ]) {
    await assert.rejects(call.hangUp(true, options), (e) => {
      assert.ok(e instanceof InvalidArgumentError, `${e?.name}: ${e?.message}`)
      assert.equal(e.field, field)
      return true
    })
  }
  assert.equal((await requestLog()).length, before)
})
