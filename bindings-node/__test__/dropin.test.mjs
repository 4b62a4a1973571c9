// The drop-in promise: a script written for @azure/communication-call-automation runs
// unchanged against the emulator after its import is replaced by "callsteer".
import assert from 'node:assert/strict'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { pathToFileURL } from 'node:url'

import { HERE, startEmulator } from './helpers.mjs'

const SOURCE = readFileSync(path.join(HERE, 'fixtures', 'official-script.mjs'), 'utf8')
const OFFICIAL = '"@azure/communication-call-automation"'

async function runScript(source, name) {
  // Written inside the package, so that `import … from "callsteer"` resolves to this package.
  const file = path.join(HERE, `.${name}-${process.pid}.mjs`)
  writeFileSync(file, source)
  const emulator = await startEmulator()
  try {
    const { main } = await import(pathToFileURL(file).href)
    return await main(emulator.connectionString)
  } finally {
    rmSync(file, { force: true })
    await emulator.stop()
  }
}

const EXPECTED = {
  state: 'connecting',
  invitationIdGiven: true,
  addOperationContext: 'dropin-add',
  added: '8:acs:res_dropin_bob',
  addEventContext: 'dropin-add',
  participants: ['8:acs:res_dropin_alice', '8:acs:res_dropin_bob'],
  removeOperationContext: 'dropin-remove',
  removed: '8:acs:res_dropin_bob',
  kinds: ['AddParticipantSucceeded', 'CallConnected', 'CallDisconnected', 'ParticipantsUpdated', 'RemoveParticipantSucceeded'],
}

test('drop-in: the script runs with @azure/communication-call-automation', async () => {
  assert.ok(SOURCE.includes(OFFICIAL))
  assert.deepEqual(await runScript(SOURCE, 'official'), EXPECTED)
})

test('drop-in: the same script runs unchanged with callsteer', async () => {
  const replaced = SOURCE.replace(OFFICIAL, '"callsteer"')
  assert.notEqual(replaced, SOURCE)
  assert.deepEqual(await runScript(replaced, 'callsteer'), EXPECTED)
})
