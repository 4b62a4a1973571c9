"""Builds the spec schemathesis runs against, in build/ (never touching the vendored spec/).

- Merges the definitions of `common/…/common.json` into the Call Automation spec and rewrites
  the `../../../Common/preview/<version>/common.json#/definitions/X` references to
  `#/definitions/X` (the reference's relative path does not exist in this layout).
- Keeps the call-steering operations only: the emulator implements call steering, not media
  (play, recognize, transcription, DTMF, hold, media streaming) or recording; those paths are
  dropped (see README.md).
- Drops `x-ms-examples` (references to autorest example files, not read by schemathesis).
- Serves plain http on the emulator's host (the spec says https on a parameterized host, and
  2026-03-12 also names a `host`).

Usage: build_spec.py VERSION (a folder of spec/callautomation/, e.g. 2025-05-15 or 2026-03-12);
writes build/VERSION/callautomation.json and prints its path.
"""

import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
STEERING = re.compile(
    r"^/calling/callConnections("
    r"|:answer|:redirect|:reject|:connect"
    r"|/\{callConnectionId\}"
    r"|/\{callConnectionId\}:(terminate|transferToParticipant)"
    r"|/\{callConnectionId\}/participants"
    r"|/\{callConnectionId\}/participants:(add|remove|mute|cancelAddParticipant|moveHere)"
    r"|/\{callConnectionId\}/participants/\{participantRawId\}"
    r")$"
)
COMMON_REF = re.compile(
    r"^(?:\.\./)+Common/(?:preview|stable)/([^/]+)/common\.json(#/definitions/.+)$"
)


def rewrite(node, missing):
    if isinstance(node, dict):
        # autorest's x-ms-examples point at files schemathesis does not read; drop them.
        node.pop("x-ms-examples", None)
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                m = COMMON_REF.match(value)
                if m:
                    node[key] = m.group(2)
                elif not value.startswith("#"):
                    missing.append(value)
            else:
                rewrite(value, missing)
    elif isinstance(node, list):
        for item in node:
            rewrite(item, missing)


def common_version(node):
    """The version of common.json that the spec's external `$ref`s name (one per spec)."""
    found = set()

    def walk(n):
        if isinstance(n, dict):
            for key, value in n.items():
                if key == "$ref" and isinstance(value, str):
                    m = COMMON_REF.match(value)
                    if m:
                        found.add(m.group(1))
                else:
                    walk(value)
        elif isinstance(n, list):
            for item in n:
                walk(item)

    walk(node)
    if len(found) != 1:
        sys.exit(f"expected one common.json version in the spec, found {sorted(found)}")
    return found.pop()


def main(spec_root, out_dir, version):
    ref = os.path.join(spec_root, "callautomation")
    with open(
        os.path.join(ref, version, "communicationservicescallautomation.json")
    ) as f:
        spec = json.load(f)
    # hooks.py sends the spec's info.version as api-version: it must be the folder's version.
    if spec.get("info", {}).get("version") != version:
        sys.exit(f"spec {version} says info.version {spec.get('info', {}).get('version')!r}")
    common_dir = os.path.join(ref, "common", common_version(spec))
    with open(os.path.join(common_dir, "common.json")) as f:
        common = json.load(f)
    # The spec's own definitions of common types are aliases (`{"$ref": "…common.json#/…/X"}`):
    # they are replaced by common's definition; any other clash is an error.
    for name, definition in common.get("definitions", {}).items():
        mine = spec["definitions"].get(name)
        if mine is not None:
            ref = mine.get("$ref", "") if isinstance(mine, dict) else ""
            m = COMMON_REF.match(ref)
            if not (len(mine) == 1 and m and m.group(2) == f"#/definitions/{name}"):
                sys.exit(f"definition {name} is in both the spec and common.json")
        spec["definitions"][name] = definition
    missing = []
    rewrite(spec, missing)
    if missing:
        sys.exit(f"unresolved external references: {sorted(set(missing))}")
    spec["paths"] = {p: ops for p, ops in spec["paths"].items() if STEERING.match(p)}
    spec["schemes"] = ["http"]
    spec.pop("x-ms-parameterized-host", None)
    spec.pop("host", None)
    count = sum(
        1
        for ops in spec["paths"].values()
        for method in ops
        if method in ("get", "put", "post", "delete", "patch", "head", "options")
    )
    print(f"build_spec: {version}: {count} operations kept", file=sys.stderr)
    out_dir = os.path.join(out_dir, version)
    os.makedirs(out_dir, exist_ok=True)
    out = os.path.join(out_dir, "callautomation.json")
    with open(out, "w") as f:
        json.dump(spec, f, indent=1)
    print(out)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: build_spec.py VERSION")
    main(os.path.join(HERE, "..", "..", "spec"), os.path.join(HERE, "build"), sys.argv[1])
