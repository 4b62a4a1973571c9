// The shared scenarios (tests/scenarios/*.json, format in its README) through the Node API
// against a real emulator process, one fresh emulator per scenario.
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'

import * as callsteer from '../callsteer.js'
import { EVENT_TIMEOUT_MS, REPO, startWorld, subset } from './helpers.mjs'

const DIR = path.join(REPO, 'tests', 'scenarios')
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()

const id = (raw) => callsteer.createIdentifierFromRawId(raw)
const phone = (number) => (number == null ? undefined : { phoneNumber: number })

function customCallingContext(args) {
  const c = args.customCallingContext
  if (!c) return undefined
  const headers = []
  for (const [key, value] of Object.entries(c.voip ?? {})) headers.push({ kind: 'voip', key, value })
  if (c.sipUui != null) headers.push({ kind: 'sipuui', key: '', value: c.sipUui })
  for (const [key, value] of Object.entries(c.sipX ?? {})) headers.push({ kind: 'sipx', key, value })
  return headers
}

function errorJson(error) {
  const out = { kind: error.kind, message: error.message }
  if (error.field !== undefined) out.field = error.field
  if (error.statusCode !== undefined) out.status = error.statusCode
  if (error.kind === 'Service') out.code = error.code
  return out
}

function connectionJson(result) {
  const p = result.callConnectionProperties
  return {
    callConnectionId: p.callConnectionId,
    serverCallId: p.serverCallId,
    callConnectionState: p.callConnectionState,
  }
}

class Runner {
  constructor(world) {
    this.world = world
    this.vars = {}
  }

  resolve(value) {
    if (typeof value === 'string' && value.startsWith('$')) {
      const name = value.slice(1)
      if (!(name in this.vars)) throw new Error(`variable ${value} was never saved`)
      return this.vars[name]
    }
    if (Array.isArray(value)) return value.map((v) => this.resolve(v))
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v)]))
    }
    return value
  }

  opCallback(args) {
    return args.operationCallback === true ? this.world.receiver.url('/op') : undefined
  }

  /** Performs one action; returns [result, call connection id it concerns]. */
  async act(action, args) {
    const { client, callbackUrl } = this.world
    const call = () => client.getCallConnection(args.call ?? '')
    const operationContext = args.operationContext
    switch (action) {
      case 'createCall': {
        const r = await client.createCall(
          {
            targetParticipant: id(args.target ?? ''),
            sourceCallIdNumber: phone(args.sourceCallerIdNumber),
            sourceDisplayName: args.sourceDisplayName,
            customCallingContext: customCallingContext(args),
          },
          callbackUrl,
          { operationContext },
        )
        return [connectionJson(r), r.callConnectionProperties.callConnectionId]
      }
      case 'createGroupCall': {
        const r = await client.createGroupCall((args.targets ?? []).map(id), callbackUrl, {
          sourceCallIdNumber: phone(args.sourceCallerIdNumber),
          operationContext,
        })
        return [connectionJson(r), r.callConnectionProperties.callConnectionId]
      }
      case 'connectCall': {
        const given = [
          ['serverCallLocator', args.serverCallId],
          ['groupCallLocator', args.groupCallId],
          ['roomCallLocator', args.roomId],
        ].filter(([, v]) => v != null)
        if (given.length !== 1) throw new Error('scenario error: connectCall needs exactly one locator id')
        const [kind, locatorId] = given[0]
        const r = await client.connectCall({ kind, id: locatorId }, callbackUrl, { operationContext })
        return [connectionJson(r), r.callConnectionProperties.callConnectionId]
      }
      case 'answerCall': {
        const r = await client.answerCall(args.incomingCallContext ?? '', callbackUrl, { operationContext })
        return [connectionJson(r), r.callConnectionProperties.callConnectionId]
      }
      case 'rejectCall':
        await client.rejectCall(args.incomingCallContext ?? '', { callRejectReason: args.callRejectReason })
        return [null, undefined]
      case 'redirectCall':
        await client.redirectCall(args.incomingCallContext ?? '', {
          targetParticipant: id(args.target ?? ''),
          sourceCallIdNumber: phone(args.sourceCallerIdNumber),
        })
        return [null, undefined]
      case 'transferCallToParticipant': {
        const r = await call().transferCallToParticipant(id(args.target ?? ''), {
          transferee: args.transferee == null ? undefined : id(args.transferee),
          operationContext,
          operationCallbackUrl: this.opCallback(args),
          customCallingContext: customCallingContext(args),
          sourceCallIdNumber: phone(args.sourceCallerIdNumber),
        })
        return [{ operationContext: r.operationContext }, args.call]
      }
      case 'addParticipant': {
        const r = await call().addParticipant(
          {
            targetParticipant: id(args.target ?? ''),
            sourceCallIdNumber: phone(args.sourceCallerIdNumber),
            sourceDisplayName: args.sourceDisplayName,
            customCallingContext: customCallingContext(args),
          },
          {
            invitationTimeoutInSeconds: args.invitationTimeoutInSeconds,
            operationContext,
            operationCallbackUrl: this.opCallback(args),
          },
        )
        return [{ invitationId: r.invitationId, operationContext: r.operationContext }, args.call]
      }
      case 'cancelAddParticipant': {
        const r = await call().cancelAddParticipantOperation(args.invitationId ?? '', {
          operationContext,
          operationCallbackUrl: this.opCallback(args),
        })
        return [{ invitationId: r.invitationId, operationContext: r.operationContext }, args.call]
      }
      case 'removeParticipant': {
        const r = await call().removeParticipant(id(args.target ?? ''), {
          operationContext,
          operationCallbackUrl: this.opCallback(args),
        })
        return [{ operationContext: r.operationContext }, args.call]
      }
      case 'moveParticipants': {
        const r = await call().moveParticipants((args.targets ?? []).map(id), args.fromCall, {
          operationContext,
          operationCallbackUrl: this.opCallback(args),
        })
        return [
          {
            operationContext: r.operationContext,
            fromCall: r.fromCall,
            participants: r.participants.map((p) => p.identifier.rawId),
          },
          args.call,
        ]
      }
      case 'muteParticipant': {
        const r = await call().muteParticipant(id(args.target ?? ''), { operationContext })
        return [{ operationContext: r.operationContext }, args.call]
      }
      case 'getCallProperties': {
        const p = await call().getCallConnectionProperties()
        return [
          { callConnectionId: p.callConnectionId, serverCallId: p.serverCallId, callConnectionState: p.callConnectionState },
          args.call,
        ]
      }
      case 'listParticipants': {
        const r = await call().listParticipants()
        return [{ participants: r.values.map((p) => p.identifier.rawId) }, args.call]
      }
      case 'hangUp':
        await call().hangUp(args.isForEveryone ?? false)
        return [null, args.call]
      default:
        throw new Error(`unknown scenario action ${action}`)
    }
  }

  async admin(action, args) {
    const { emulator } = this.world
    switch (action) {
      case 'emulator.setTarget':
        return emulator.setTarget(args.rawId, { behavior: args.behavior, delayMs: args.delayMs ?? 0 })
      case 'emulator.incomingCall':
        return emulator.admin('POST', '/emulator/incoming-calls', { from: args.from, to: args.to })
      case 'emulator.createCall':
        return emulator.admin('POST', '/emulator/calls', { participants: args.participants })
      case 'emulator.createRoom':
        return emulator.admin('POST', '/emulator/rooms', { participants: args.participants })
      case 'emulator.advanceClock':
        return emulator.admin('POST', '/emulator/clock/advance', { ms: args.ms })
      default:
        throw new Error(`unknown emulator action ${action}`)
    }
  }

  async run(scenario) {
    for (const [raw, body] of Object.entries(scenario.targets ?? {})) await this.world.emulator.setTarget(raw, body)
    const { receiver } = this.world
    for (const [i, step] of scenario.steps.entries()) {
      const at = `step ${i} (${step.action})`
      const args = this.resolve(step.args ?? {})
      const mark = receiver.log.length
      let result
      let call
      if (step.action.startsWith('emulator.')) {
        result = await this.admin(step.action, args)
      } else {
        let error
        try {
          ;[result, call] = await this.act(step.action, args)
        } catch (e) {
          error = e
        }
        if (step.expectError) {
          assert.ok(error, `${at}: expected error ${JSON.stringify(step.expectError)}, got ${JSON.stringify(result)}`)
          assert.ok(error instanceof callsteer.CallAutomationError, `${at}: not a CallAutomationError: ${error}`)
          const got = errorJson(error)
          // Fields are named in the caller's language (tests/scenarios/README.md).
          const { fieldIn, ...want } = step.expectError
          if (fieldIn) want.field = fieldIn.node
          assert.ok(subset(want, got), `${at}: expected error ${JSON.stringify(want)}, got ${JSON.stringify(got)}`)
          continue
        }
        if (error) throw new Error(`${at}: ${error.stack ?? error}`)
      }
      for (const [variable, field] of Object.entries(step.save ?? {})) {
        const value = result?.[field]
        assert.ok(value != null, `${at}: result has no ${field} to save: ${JSON.stringify(result)}`)
        this.vars[variable] = value
      }
      if (step.expect) {
        const expect = this.resolve(step.expect)
        assert.ok(subset(expect, result), `${at}: expected result ${JSON.stringify(expect)}, got ${JSON.stringify(result)}`)
      }
      let from = mark
      for (const rawExpected of step.events ?? []) {
        const expected = this.resolve(rawExpected)
        const callId = 'call' in expected ? expected.call : call
        const fields = expected.fields ?? {}
        const wantPath = expected.at === 'op' ? '/op' : undefined
        const found = await receiver.waitFor(
          from,
          EVENT_TIMEOUT_MS,
          ({ path: p, event }) =>
            event.kind === expected.type &&
            (expected.type === 'IncomingCall' || callId == null || event.callConnectionId === callId) &&
            (wantPath === undefined || p === wantPath) &&
            subset(fields, event),
        )
        if (found < 0) {
          const seen = receiver.log.slice(mark).map(({ path: p, event }) => `${event.kind}@${p} ${JSON.stringify(event)}`)
          assert.fail(
            `${at}: no ${expected.type} matching ${JSON.stringify(fields)} (call ${callId}) after the step, in order; seen:\n${seen.join('\n')}`,
          )
        }
        from = found + 1
      }
    }
  }
}

test('the shared scenarios directory is not empty', () => {
  assert.ok(FILES.length > 0, `no scenario in ${DIR}`)
})

for (const file of FILES) {
  const scenario = JSON.parse(readFileSync(path.join(DIR, file), 'utf8'))
  test(`scenario ${scenario.name ?? file}`, async () => {
    const world = await startWorld(callsteer, { manualClock: scenario.clock === 'manual' })
    try {
      await new Runner(world).run(scenario)
    } finally {
      await world.close()
    }
  })
}
