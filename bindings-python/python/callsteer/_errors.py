"""The exceptions of callsteer. Every one derives from :class:`CallAutomationError`."""

from __future__ import annotations

from typing import Any

__all__ = [
    "AuthenticationError",
    "CallAutomationError",
    "EventParseError",
    "InvalidArgumentError",
    "OperationTimeoutError",
    "ServiceAuthenticationError",
    "ServiceError",
    "TransportError",
]


class CallAutomationError(Exception):
    """Base class of every callsteer error.

    ``kind`` is the core's stable error kind (``InvalidArgument``, ``Auth``, ``Service``,
    ``Transport``, ``Timeout``, ``EventParse``) and ``message`` the full text.
    """

    kind: str
    message: str

    def __init__(self, message: str = "", **attributes: Any) -> None:
        super().__init__(message)
        self.message = message
        self.kind = str(attributes.pop("kind", "Unknown"))
        for name, value in attributes.items():
            setattr(self, name, value)

    def __reduce__(self) -> Any:
        return (_rebuild, (type(self), self.message, dict(self.__dict__)))


def _rebuild(cls: type[CallAutomationError], message: str, state: dict[str, Any]) -> Any:
    error = cls(message)
    error.__dict__.update(state)
    return error


class InvalidArgumentError(CallAutomationError, ValueError):
    """Input refused locally before any request.

    ``field`` names it as the official Python SDK's keyword does (``invitation_timeout``,
    ``operation_context``, ``sip_headers``, ``target_participants[2]``); the message does too.
    """

    field: str

    def __init__(self, message: str = "", **attributes: Any) -> None:
        attributes.setdefault("field", "")
        super().__init__(message, **attributes)


class AuthenticationError(CallAutomationError):
    """A credential could not be used (malformed key, token provider failure)."""


class ServiceError(CallAutomationError):
    """The service answered with an error status."""

    status_code: int
    error_code: str
    service_message: str
    request_id: str | None
    retry_after: float | None

    def __init__(self, message: str = "", **attributes: Any) -> None:
        attributes.setdefault("status_code", 0)
        attributes.setdefault("error_code", "")
        attributes.setdefault("service_message", "")
        attributes.setdefault("request_id", None)
        attributes.setdefault("retry_after", None)
        super().__init__(message, **attributes)


class ServiceAuthenticationError(ServiceError, AuthenticationError):
    """The service refused the request's credentials (HTTP 401)."""


class TransportError(CallAutomationError):
    """The request could not be delivered or its answer could not be read."""


class OperationTimeoutError(CallAutomationError, TimeoutError):
    """An operation or a wait did not finish in time."""


class EventParseError(CallAutomationError):
    """A callback body or event could not be parsed; ``path`` says where."""

    path: str

    def __init__(self, message: str = "", **attributes: Any) -> None:
        attributes.setdefault("path", "")
        super().__init__(message, **attributes)
