// The package loads as ESM (import) and as CommonJS (require), by its own name, and both give
// the same objects.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'

import * as esm from 'callsteer'
import defaultExport from 'callsteer'

const require = createRequire(import.meta.url)

const PUBLIC = [
  'CallAutomationClient',
  'CallConnection',
  'EventProcessor',
  'parseCallAutomationEvent',
  'parseCallAutomationEvents',
  'createIdentifierFromRawId',
  'CallAutomationError',
  'InvalidArgumentError',
  'AuthError',
  'ServiceError',
  'TransportError',
  'TimeoutError',
  'EventParseError',
]

test('ESM: named and default imports of "callsteer"', () => {
  for (const name of PUBLIC) assert.equal(typeof esm[name], 'function', name)
  assert.equal(defaultExport.CallAutomationClient, esm.CallAutomationClient)
})

test('CommonJS: require("callsteer") gives the same objects', () => {
  const cjs = require('callsteer')
  for (const name of PUBLIC) assert.equal(cjs[name], esm[name], name)
})
