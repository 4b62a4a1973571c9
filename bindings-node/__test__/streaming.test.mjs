// mediaStreamingOptions / transcriptionOptions / callIntelligenceOptions of createCall (checked
// locally, sent, and reported back by the emulator as the call's subscriptions).
import assert from 'node:assert/strict'
import { test } from 'node:test'

import * as callsteer from '../callsteer.js'
import { startWorld } from './helpers.mjs'

const MEDIA = {
  transportUrl: 'wss://media.example/stream',
  transportType: 'websocket',
  contentType: callsteer.KnownMediaStreamingContentType.Audio,
  audioChannelType: callsteer.KnownMediaStreamingAudioChannelType.Unmixed,
  startMediaStreaming: true,
}
const WORDS = { transportUrl: 'wss://media.example/words', transportType: 'websocket', locale: 'en-US', enableIntermediateResults: true }

test('createCall sets up streaming and the call reports its subscriptions', async () => {
  const world = await startWorld(callsteer)
  try {
    const created = await world.client.createCall({ targetParticipant: { communicationUserId: '8:acs:r_alice' } }, world.callbackUrl, {
      mediaStreamingOptions: MEDIA,
      transcriptionOptions: WORDS,
      callIntelligenceOptions: { cognitiveServicesEndpoint: 'https://cognitive.example/' },
    })
    const props = created.callConnectionProperties
    assert.equal(props.mediaStreamingSubscription.state, 'active')
    assert.deepEqual(props.mediaStreamingSubscription.subscribedContentTypes, ['audio'])
    assert.equal(props.transcriptionSubscription.state, 'inactive')
    assert.deepEqual(props.transcriptionSubscription.subscribedResultTypes, ['final', 'intermediate'])
    assert.ok((await created.waitForEventProcessor()).succeeded)
    const again = await created.callConnection.getCallConnectionProperties()
    assert.deepEqual(again.mediaStreamingSubscription, props.mediaStreamingSubscription)
  } finally {
    await world.close()
  }
})

test('bad streaming options are refused locally, naming the option', async () => {
  const client = new callsteer.CallAutomationClient('endpoint=http://127.0.0.1:9/;accesskey=c2VjcmV0')
  const target = { targetParticipant: { communicationUserId: '8:acs:r_alice' } }
  const refused = async (options, field) =>
    assert.rejects(client.createCall(target, 'https://app.example/events', options), (e) => e instanceof callsteer.InvalidArgumentError && e.field === field)
  await refused({ mediaStreamingOptions: { ...MEDIA, transportUrl: 'https://no.example' } }, 'mediaStreamingOptions.transportUrl')
  await refused({ mediaStreamingOptions: { ...MEDIA, audioChannelType: 'stereo' } }, 'mediaStreamingOptions.audioChannelType')
  await refused({ transcriptionOptions: { ...WORDS, locale: '' } }, 'transcriptionOptions.locale')
  await refused({ callIntelligenceOptions: { cognitiveServicesEndpoint: 'ftp://x' } }, 'callIntelligenceOptions.cognitiveServicesEndpoint')
})
