// Issue 18's TypeScript criterion: an express app written against
// @azure/communication-call-automation's type names (fixtures/ts-app/app.mts) type-checks and
// runs its steering flows against the emulator as written, and again with only its import
// switched to "callsteer".
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { pathToFileURL } from 'node:url'

import { HERE, startEmulator } from './helpers.mjs'

const SOURCE = readFileSync(path.join(HERE, 'fixtures', 'ts-app', 'app.mts'), 'utf8')
const OFFICIAL = 'from "@azure/communication-call-automation"'
const TSC = path.join(HERE, '..', 'node_modules', 'typescript', 'bin', 'tsc')

const EXPECTED = {
  outboundState: 'connecting',
  addInvitation: true,
  addEvent: 'tsapp-add',
  rosterAfterAdd: ['+16041234567', '8:acs:res_tsapp_alice'],
  transferEvent: 'tsapp-transfer',
  muted: true,
  answeredState: 'connected',
  answeredBy: 'app',
  kinds: [
    'AddParticipantSucceeded',
    'CallConnected',
    'CallDisconnected',
    'CallTransferAccepted',
    'ParticipantsUpdated',
    'RemoveParticipantSucceeded',
  ],
}

/** Compiles the app with tsc (strict) inside the package, so "callsteer" resolves to it. */
function compile(source, name) {
  const dir = path.join(HERE, `.tsapp-${name}-${process.pid}`)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir)
  writeFileSync(path.join(dir, 'app.mts'), source)
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        esModuleInterop: true,
        skipLibCheck: true,
        types: ['node'],
        outDir: '.',
        rootDir: '.',
      },
      files: ['app.mts'],
    }),
  )
  try {
    execFileSync(process.execPath, [TSC, '-p', dir], { encoding: 'utf8', stdio: 'pipe' })
  } catch (e) {
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`tsc refused the ${name} app:\n${e.stdout}${e.stderr}`)
  }
  return dir
}

async function run(source, name) {
  const dir = compile(source, name)
  const emulator = await startEmulator()
  try {
    const { main } = await import(pathToFileURL(path.join(dir, 'app.mjs')).href)
    return await main(emulator.connectionString, (method, route, body) => emulator.admin(method, route, body))
  } finally {
    await emulator.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

test('ts app: type-checks and runs with @azure/communication-call-automation', async () => {
  assert.ok(SOURCE.includes(OFFICIAL))
  assert.deepEqual(await run(SOURCE, 'official'), EXPECTED)
})

test('ts app: the same app type-checks and runs with only the import switched to callsteer', async () => {
  const replaced = SOURCE.replace(OFFICIAL, 'from "callsteer"')
  assert.notEqual(replaced, SOURCE)
  assert.deepEqual(await run(replaced, 'callsteer'), EXPECTED)
})
