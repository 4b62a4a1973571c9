// The README's Node quick start, run as pasted (its ```js blocks, in order) against a real
// emulator, as a separate process that imports "callsteer" by name.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'

import { HERE, startEmulator } from './helpers.mjs'

const jsBlocks = (file) =>
  [...readFileSync(file, 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1])

test('the repository README shows the same quick start', () => {
  assert.deepEqual(jsBlocks(path.join(HERE, '..', '..', 'README.md')), jsBlocks(path.join(HERE, '..', 'README.md')))
})

test('README quick start runs as pasted', async () => {
  const blocks = jsBlocks(path.join(HERE, '..', 'README.md'))
  assert.ok(blocks.length >= 2, 'the README has its quick start')
  const file = path.join(HERE, `.readme-${process.pid}.mjs`)
  writeFileSync(file, blocks.join('\n'))
  const emulator = await startEmulator()
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [file], {
      env: { ...process.env, CALLSTEER_CONNECTION_STRING: emulator.connectionString },
      timeout: 60_000,
    })
    assert.match(stdout, /^call .* CallConnected$/m)
    assert.match(stdout, /^added AddParticipantSucceeded$/m)
    assert.match(stdout, /8:acs:res_colleague/)
  } finally {
    rmSync(file, { force: true })
    await emulator.stop()
  }
})
