"""media_streaming / transcription / cognitive_services_endpoint on create, answer and connect
(sync and aio, ours and the official SDK's option objects): sent, checked locally, and reported
back as the call's subscriptions by the emulator."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import callsteer
import callsteer.aio
import pytest
from conftest import App
from harness import Emulator, Receiver

official = pytest.importorskip("azure.communication.callautomation")


def media(sdk: Any, **extra: Any) -> Any:
    return sdk.MediaStreamingOptions(
        transport_url="wss://media.example/stream",
        transport_type=sdk.StreamingTransportType.WEBSOCKET,
        content_type=sdk.MediaStreamingContentType.AUDIO,
        audio_channel_type=sdk.MediaStreamingAudioChannelType.UNMIXED,
        **extra,
    )


def transcription(sdk: Any, **extra: Any) -> Any:
    return sdk.TranscriptionOptions(
        transport_url="wss://media.example/words",
        transport_type="websocket",
        locale="en-US",
        start_transcription=False,
        **extra,
    )


@pytest.mark.parametrize("sdk", [callsteer, official], ids=["ours", "official-objects"])
def test_create_call_sets_up_streaming_and_reports_the_subscriptions(app: App, sdk: Any) -> None:
    created = app.client.create_call(
        callsteer.CommunicationUserIdentifier("8:acs:r_alice"),
        app.callback_uri,
        media_streaming=media(sdk, start_media_streaming=True, audio_format="pcm24KMono"),
        transcription=transcription(sdk, enable_intermediate_results=True),
        cognitive_services_endpoint="https://cognitive.example/",
    )
    streaming = created.media_streaming_subscription
    assert isinstance(streaming, callsteer.MediaStreamingSubscription)
    assert streaming.state == callsteer.MediaStreamingSubscriptionState.ACTIVE
    assert streaming.subscribed_content_types == ["audio"]
    words = created.transcription_subscription
    assert isinstance(words, callsteer.TranscriptionSubscription)
    assert (words.state, words.locale) == ("inactive", "en-US")
    assert words.subscribed_result_types == ["final", "intermediate"]
    assert created.wait_for_event_processor(timeout=10).succeeded
    props = app.client.get_call_connection(created.call_connection_id).get_call_properties()
    assert props.media_streaming_subscription == streaming
    assert props.transcription_subscription == words


def test_a_call_without_streaming_has_no_subscriptions(app: App) -> None:
    created = app.client.create_call(
        callsteer.CommunicationUserIdentifier("8:acs:r_alice"), app.callback_uri
    )
    assert created.media_streaming_subscription is None
    assert created.transcription_subscription is None


def test_answer_and_connect_take_the_same_options(app: App) -> None:
    app.emulator.admin("POST", "/emulator/phone-numbers", {"phoneNumber": "+16044561234"})
    app.emulator.admin(
        "POST", "/emulator/incoming-calls", {"from": "4:+16045550100", "to": "4:+16044561234"}
    )
    incoming = app.client.event_processor.wait_for_event("IncomingCall", timeout=10)
    answered = app.client.answer_call(
        incoming.incoming_call_context, app.callback_uri, media_streaming=media(callsteer)
    )
    assert answered.media_streaming_subscription.state == "inactive"
    server = app.emulator.admin("POST", "/emulator/calls", {"participants": ["8:acs:r_bob"]})

    async def connect() -> Any:
        async with callsteer.aio.CallAutomationClient.from_connection_string(
            app.emulator.connection_string
        ) as client:
            return await client.connect_call(
                app.callback_uri,
                server_call_id=server["serverCallId"],
                transcription=transcription(callsteer),
            )

    connected = asyncio.run(connect())
    assert connected.transcription_subscription.locale == "en-US"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        (
            {
                "media_streaming": callsteer.MediaStreamingOptions(
                    transport_url="https://not-a-socket.example",
                    transport_type="websocket",
                    content_type="audio",
                    audio_channel_type="mixed",
                )
            },
            "media_streaming.transport_url",
        ),
        (
            {
                "media_streaming": callsteer.MediaStreamingOptions(
                    transport_url="wss://media.example",
                    transport_type="websocket",
                    content_type="audio",
                    audio_channel_type="stereo",
                )
            },
            "media_streaming.audio_channel_type",
        ),
        (
            {
                "transcription": callsteer.TranscriptionOptions(
                    transport_url="wss://media.example",
                    transport_type="grpc",
                    locale="en-US",
                    start_transcription=True,
                )
            },
            "transcription.transport_type",
        ),
        (
            {"cognitive_services_endpoint": "http://cognitive.example"},
            "cognitive_services_endpoint",
        ),
    ],
)
def test_bad_streaming_options_are_refused_locally(
    app: App, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(callsteer.InvalidArgumentError) as err:
        app.client.create_call(
            callsteer.CommunicationUserIdentifier("8:acs:r_alice"), app.callback_uri, **kwargs
        )
    assert err.value.field == field
    assert app.emulator.admin("GET", "/emulator/requests")["value"] == []


@pytest.fixture
def tls_emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    process = Emulator("--tls")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", process.ca_pem)
    try:
        yield process
    finally:
        process.stop()


def test_the_official_sdk_gets_the_same_subscriptions_from_the_emulator(
    tls_emulator: Emulator, receiver: Receiver
) -> None:
    client = official.CallAutomationClient.from_connection_string(tls_emulator.connection_string)
    props = client.create_call(
        official.CommunicationUserIdentifier("8:acs:r_alice"),
        receiver.url("/events"),
        media_streaming=media(official, start_media_streaming=True),
        transcription=transcription(official),
    )
    assert props.media_streaming_subscription.state == "active"
    assert props.media_streaming_subscription.subscribed_content_types == ["audio"]
    assert props.transcription_subscription.locale == "en-US"
