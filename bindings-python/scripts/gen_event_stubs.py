"""Writes the call-event part of ``python/callsteer/_native.pyi`` from the built module.

The event classes and their fields come from core's event table (``_native.EVENT_FIELDS``);
this renders them as stub classes between the ``generated`` markers, and the stub's
``__all__``. ``--check`` exits 1 when the stub is out of date (tests/test_event_stubs.py runs
it), so a row added to core's table cannot ship without its types.

    python scripts/gen_event_stubs.py          # rewrite the stub
    python scripts/gen_event_stubs.py --check  # fail if it would change
"""

from __future__ import annotations

import sys
from pathlib import Path

from callsteer import _native

STUB = Path(__file__).resolve().parents[1] / "python" / "callsteer" / "_native.pyi"
BEGIN = "# ---- generated from core's event table by scripts/gen_event_stubs.py: do not edit ----"
END = "# ---- end of generated events ----"
BEGIN_ALL = "# ---- generated __all__ (scripts/gen_event_stubs.py) ----"
END_ALL = "# ---- end of generated __all__ ----"

# Core's table field types and what Python sees.
PY_TYPES = {
    "String": "str",
    "Option<String>": "Optional[str]",
    "i64": "int",
    "Option<CommunicationIdentifier>": "Optional[_Identifier]",
    "Vec<CallParticipant>": "list[CallParticipant]",
}


def render_events() -> str:
    lines = [BEGIN, ""]
    for name, fields in _native.EVENT_FIELDS.items():
        if not fields:
            lines.append(f"class {name}(CallAutomationEvent): ...")
            continue
        if lines[-1]:  # a class with a body is set apart, as formatters lay out stubs
            lines.append("")
        lines.append(f"class {name}(CallAutomationEvent):")
        for field, written in fields:
            rust_type = "".join(written.split())  # stringify! spaces the tokens
            if rust_type not in PY_TYPES:
                raise SystemExit(f"{name}.{field}: no Python type for `{rust_type}`")
            lines += ["    @property", f"    def {field}(self) -> {PY_TYPES[rust_type]}: ..."]
        lines.append("")
    while lines[-1] == "":
        lines.pop()
    lines += ["", END]
    return "\n".join(lines)


def render_all() -> str:
    names = sorted(cls.__name__ for cls in _native.EVENT_CLASSES)
    body = "".join(f'    "{n}",\n' for n in names)
    return f"{BEGIN_ALL}\n__all__ = [\n{body}]\n{END_ALL}"


def replace_between(text: str, begin: str, end: str, new: str) -> str:
    start = text.index(begin)
    stop = text.index(end, start) + len(end)
    return text[:start] + new + text[stop:]


def main() -> int:
    old = STUB.read_text()
    new = replace_between(old, BEGIN, END, render_events())
    new = replace_between(new, BEGIN_ALL, END_ALL, render_all())
    if "--check" in sys.argv:
        if new != old:
            print(f"{STUB} is out of date: run python scripts/gen_event_stubs.py", file=sys.stderr)
            return 1
        return 0
    STUB.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
