// Test helpers: a real emulator process and a node:http callback receiver that feeds the
// client's event processor (and answers the Event Grid validation handshake through it).
import { spawn } from 'node:child_process'
import { once, EventEmitter } from 'node:events'
import { existsSync } from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'

export const HERE = path.dirname(fileURLToPath(import.meta.url))
export const REPO = path.resolve(HERE, '..', '..')
export const RESOURCE_PHONE_NUMBER = '+16044561234'
export const EVENT_TIMEOUT_MS = 10_000

export function emulatorBinary() {
  return (
    process.env.CALLSTEER_EMULATOR_BIN ||
    path.join(process.env.CARGO_TARGET_DIR || path.join(REPO, 'target'), 'debug', 'callsteer-emulator')
  )
}

/** Starts `callsteer-emulator --port 0` and reads its connection string. */
export async function startEmulator({ manualClock = false } = {}) {
  const binary = emulatorBinary()
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run cargo build -p callsteer-emulator`)
  const args = ['--port', '0', '--answer-delay-ms', '5', '--resource-phone-number', RESOURCE_PHONE_NUMBER]
  if (manualClock) args.push('--clock', 'manual')
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'ignore'] })
  const lines = readline.createInterface({ input: child.stdout })
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => line),
    once(child, 'exit').then(() => {
      throw new Error('the emulator exited before printing its connection string')
    }),
    new Promise((_, reject) => setTimeout(() => reject(new Error('the emulator printed nothing for 20 s')), 20_000).unref()),
  ])
  lines.on('line', () => {}) // keep draining stdout
  if (!first.startsWith('CONNECTION_STRING=')) throw new Error(`unexpected first line: ${first}`)
  const connectionString = first.slice('CONNECTION_STRING='.length)
  const baseUrl = /endpoint=([^;]+)/.exec(connectionString)[1].replace(/\/$/, '')
  const accessKey = /accesskey=([^;]+)/.exec(connectionString)[1]
  return {
    connectionString,
    baseUrl,
    accessKey,
    async admin(method, route, body) {
      const response = await fetch(baseUrl + route, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await response.text()
      if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`)
      return text ? JSON.parse(text) : null
    },
    async setTarget(rawId, behavior) {
      return this.admin('PUT', `/emulator/targets/${encodeURIComponent(rawId)}`, behavior)
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill()
        await once(child, 'exit')
      }
    },
  }
}

/**
 * The app's callback endpoint: every POST body goes to `processor.processEvents(body)` (the
 * binding parses it); the typed events are logged with the path they came to.
 */
export async function startReceiver(processor) {
  const log = []
  const emitter = new EventEmitter()
  emitter.setMaxListeners(0)
  const server = http.createServer(async (req, res) => {
    const chunks = []
    for await (const chunk of req) chunks.push(chunk)
    const body = Buffer.concat(chunks)
    try {
      const events = await processor.processEvents(body)
      const validation = events.find((e) => e.kind === 'SubscriptionValidationEvent')
      if (validation) {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ validationResponse: validation.validationCode }))
        return
      }
      for (const event of events) {
        log.push({ path: req.url, event })
      }
      emitter.emit('event')
      res.writeHead(200)
      res.end()
    } catch (error) {
      res.writeHead(400)
      res.end(String(error))
    }
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address()
  return {
    log,
    url: (p) => `http://127.0.0.1:${port}${p}`,
    /** Index of the first log entry at or after `from` that passes `pred`, or -1 on timeout. */
    async waitFor(from, timeoutMs, pred) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        for (let i = from; i < log.length; i++) if (pred(log[i])) return i
        const left = deadline - Date.now()
        if (left <= 0) return -1
        await new Promise((resolve) => {
          const timer = setTimeout(done, left)
          function done() {
            clearTimeout(timer)
            emitter.off('event', done)
            resolve()
          }
          emitter.on('event', done)
        })
      }
    },
    close() {
      server.closeAllConnections?.()
      return new Promise((resolve) => server.close(resolve))
    },
  }
}

/** `fields` ⊆ `actual`, recursively; arrays compare element-wise (same length). */
export function subset(fields, actual) {
  if (Array.isArray(fields)) {
    return Array.isArray(actual) && fields.length === actual.length && fields.every((f, i) => subset(f, actual[i]))
  }
  if (fields !== null && typeof fields === 'object') {
    return (
      actual !== null &&
      typeof actual === 'object' &&
      Object.entries(fields).every(([k, v]) => k in actual && subset(v, actual[k]))
    )
  }
  return fields === actual
}

/**
 * A fresh emulator + client + receiver (registered as the Event Grid webhook too), torn down by
 * `close()`.
 */
export async function startWorld(callsteer, { manualClock = false } = {}) {
  const emulator = await startEmulator({ manualClock })
  const client = new callsteer.CallAutomationClient(emulator.connectionString)
  const receiver = await startReceiver(client.getEventProcessor())
  await emulator.admin('POST', '/emulator/event-subscriptions', { url: receiver.url('/eventgrid') })
  return {
    emulator,
    client,
    receiver,
    callbackUrl: receiver.url('/events'),
    async close() {
      await receiver.close()
      await emulator.stop()
    },
  }
}
