// Type-checked by `tsc --noEmit` (scripts/test.sh): the public API as an app would use it.
import {
  CallAutomationClient,
  AuthError,
  CallAutomationError,
  CallbackVerifier,
  InvalidArgumentError,
  ServiceError,
  createIdentifierFromRawId,
  parseCallAutomationEvent,
  type CallAutomationEvent,
  type CallInvite,
  type CommunicationIdentifier,
  type CreateCallOptions,
  type OperationOutcome,
} from 'callsteer'

async function demo(connectionString: string, callbackUrl: string): Promise<void> {
  const client = new CallAutomationClient(connectionString, { apiVersion: '2025-05-15' })
  const withKey = new CallAutomationClient('https://x.communication.azure.com/', { key: 'c2VjcmV0' })
  const withToken = new CallAutomationClient('https://x.communication.azure.com/', {
    getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() + 60_000 }),
  })
  void withKey
  void withToken

  const invite: CallInvite = {
    targetParticipant: { phoneNumber: '+16041234567' },
    sourceCallIdNumber: { phoneNumber: '+16044561234' },
    customCallingContext: [
      { kind: 'sipuui', key: '', value: 'uui' },
      { kind: 'sipx', key: 'h', value: 'v', sipHeaderPrefix: 'X-' },
    ],
  }
  const options: CreateCallOptions = { operationContext: 'ctx' }
  const { callConnection, callConnectionProperties } = await client.createCall(invite, callbackUrl, options)
  const id: string = callConnectionProperties.callConnectionId
  const state: string = callConnectionProperties.callConnectionState
  void id
  void state

  const outcome: OperationOutcome = await (
    await client.createCall({ targetParticipant: { communicationUserId: '8:acs:u' } }, callbackUrl)
  ).waitForEventProcessor({ timeoutMs: 30_000 })
  if (outcome.succeeded && outcome.event.kind === 'CallConnected') {
    const cc: string = outcome.event.callConnectionId
    void cc
  }

  const bob: CommunicationIdentifier = createIdentifierFromRawId('8:acs:bob')
  const added = await callConnection.addParticipant(
    { targetParticipant: bob },
    { invitationTimeoutInSeconds: 30, operationContext: 'add', operationCallbackUrl: callbackUrl },
  )
  const invitationId: string | null = added.invitationId
  if (invitationId) await callConnection.cancelAddParticipantOperation(invitationId, { operationContext: 'cancel' })
  await callConnection.transferCallToParticipant(bob, { transferee: { communicationUserId: '8:acs:c' } })
  await callConnection.removeParticipant(bob, { operationContext: 'rm' })
  await callConnection.muteParticipant(bob)
  const { values } = await callConnection.listParticipants()
  const raws: Array<string | undefined> = values.map((p) => p.identifier.rawId)
  void raws
  await client.connectCall({ kind: 'roomCallLocator', id: 'room' }, callbackUrl)
  await client.rejectCall('ctx', { callRejectReason: 'busy' })
  await client.redirectCall('ctx', { targetParticipant: bob })
  await callConnection.hangUp(true)

  const processor = client.getEventProcessor()
  const events: CallAutomationEvent[] = await processor.processEvents('[]')
  for (const event of events) describe(event)
  const handler = processor.on('ParticipantsUpdated', (event) => describe(event))
  processor.off(handler)
  const next = await processor.waitForEvent({ callConnectionId: 'c', kind: 'CallDisconnected' }, { timeoutMs: 10 })
  const byPredicate = await processor.waitForEvent((e) => e.kind === 'IncomingCall')
  describe(next)
  describe(byPredicate)
  describe(parseCallAutomationEvent('{}'))
}

function describe(event: CallAutomationEvent): string {
  switch (event.kind) {
    case 'ParticipantsUpdated':
      return `${event.participants.length} participants, sequence ${event.sequenceNumber}`
    case 'AddParticipantFailed':
      return `${event.participant?.rawId} failed: ${event.resultInformation?.code}`
    case 'CallTransferAccepted':
      return `to ${event.transferTarget?.rawId}`
    case 'IncomingCall':
      return `from ${event.from?.rawId}: ${event.incomingCallContext}`
    case 'Unknown':
      return event.eventType
    default:
      return event.kind
  }
}

function handle(error: unknown): string {
  if (error instanceof InvalidArgumentError) return `${error.kind}: ${error.field}`
  if (error instanceof ServiceError) return `${error.statusCode} ${error.code} ${error.requestId ?? ''}`
  if (error instanceof CallAutomationError) return error.kind
  return 'other'
}

void demo
void handle

async function verify(authorization: string | undefined, body: string): Promise<string[]> {
  const verifier = new CallbackVerifier('aud', { issuer: 'https://issuer.example', jwksUrl: 'https://issuer.example/keys' })
  try {
    const events: CallAutomationEvent[] = await verifier.verifyAndParse(authorization, body)
    return [...events.map((e): string => e.kind), verifier.audience, verifier.issuer, verifier.jwksUrl]
  } catch (error) {
    if (error instanceof AuthError) return [error.kind]
    throw error
  }
}

void verify
