"""Templates compiled once per process, whatever the number of apps it creates.

Each Flask app has its own Jinja environment, and compiling Accord's templates costs more
than rendering them. A process that creates several apps (the test suite creates one per
test; a CLI run creates one beside a server) shares the compiled code here. Jinja checks
each entry against its template's source checksum, so an edited template is recompiled.
"""

from __future__ import annotations

from jinja2 import BytecodeCache, Environment
from jinja2.bccache import Bucket


class CompiledTemplates(BytecodeCache):
    """An in-memory Jinja bytecode cache, keyed by template name, the catalogue its fixed
    texts were said from (said_templates.py) and the source checksum."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def get_bucket(self, environment: Environment, name: str, filename: str | None,
                   source: str) -> Bucket:  # fmt: skip
        """The bucket of `name` as compiled by `environment`, whose catalogue changes it."""
        said = getattr(environment, "catalogue_key", "")
        return super().get_bucket(environment, f"{said}/{name}", filename, source)

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self._code.clear()


compiled_templates = CompiledTemplates()
