"""Decision protocols as data (protocols.py) and the engine that runs them (engine.py)."""

from .engine import Facts, Flow, Move, NotYourMove, Refusal, mermaid_diagram
from .protocols import (
    CONSENT,
    LAZY_CONSENSUS,
    OBJECTION_LIFECYCLE,
    PROTOCOLS,
    TRANSLATION_UPDATE,
    Protocol,
    Transition,
    get_protocol,
)

__all__ = [
    "CONSENT",
    "LAZY_CONSENSUS",
    "OBJECTION_LIFECYCLE",
    "PROTOCOLS",
    "TRANSLATION_UPDATE",
    "Facts",
    "Flow",
    "Move",
    "NotYourMove",
    "Protocol",
    "Refusal",
    "Transition",
    "get_protocol",
    "mermaid_diagram",
]
