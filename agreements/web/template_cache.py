"""Templates compiled once per process, whatever the number of apps it creates.

Each Flask app has its own Jinja environment, and compiling Accord's templates costs more
than rendering them. A process that creates several apps (the test suite creates one per
test; a CLI run creates one beside a server) shares the compiled code here. Jinja checks
each entry against its template's source checksum, so an edited template is recompiled.
"""

from __future__ import annotations

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket


class CompiledTemplates(BytecodeCache):
    """An in-memory Jinja bytecode cache, keyed by template name and source checksum."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self._code.clear()


compiled_templates = CompiledTemplates()
