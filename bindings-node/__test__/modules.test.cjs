// CommonJS consumers: require('callsteer') works and constructs a client.
const assert = require('node:assert/strict')
const { test } = require('node:test')

const { CallAutomationClient, InvalidArgumentError } = require('callsteer')

test('CommonJS: require("callsteer") constructs a client and maps errors', () => {
  const client = new CallAutomationClient('endpoint=http://127.0.0.1:9/;accesskey=c2VjcmV0')
  assert.ok(client instanceof CallAutomationClient)
  assert.equal(typeof client.getEventProcessor().processEvents, 'function')
  assert.throws(() => client.getCallConnection(''), InvalidArgumentError)
})
