"""Where each paragraph of a version comes from, as kept with the version.

A version's provenance (for each paragraph, the number of the version that last changed
it) is computed from its parent's when it is adopted (services/documents.py) and read by
the agreement page (services/queries/agreements.py); both use this one reader.
"""

from __future__ import annotations

import json

from sqlmodel import Session, col, select

from ..models import Version
from ..text.merge import paragraph_provenance


def version_origins(session: Session, version: Version) -> list[int]:
    """For each paragraph of `version`, the number of the version that last changed it.

    Kept with the version since it was adopted; a version adopted before that is computed
    from its whole history (text/merge.py), with the same result.
    """
    if version.provenance is not None:
        return [int(number) for number in json.loads(version.provenance)]
    texts = session.exec(
        select(Version.text)
        .where(Version.agreement_id == version.agreement_id, Version.number <= version.number)
        .order_by(col(Version.number))
    ).all()
    return [index + 1 for _text, index in paragraph_provenance(list(texts))]
