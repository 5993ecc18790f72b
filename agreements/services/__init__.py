"""The use cases of Accord: one function each, one transaction each.

Every use case takes `(session, actor, **keyword arguments)`, checks the actor's right to
act, enforces the rule, writes exactly one audit event and commits. Views and API routes
call these and nothing below them.
"""

from ._unit import USE_CASES, system_actor
from .accounts import create_account
from .adoption import adopt_proposal, current_version, lapse_proposal, rebase_preview
from .communities import add_member, change_member, create_community, update_community_settings
from .discussion import add_comment, raise_concern
from .documents import create_agreement, import_agreement_history
from .objections import (
    confirm_resolved,
    overrule_objection,
    raise_objection,
    reclassify_objection,
    reopen_objection,
    withdraw_objection,
)
from .proposals import (
    open_comments,
    open_consent_round,
    open_objection_round,
    propose_amendment,
    reject_proposal,
    revise_proposal,
    submit_proposal,
    withdraw_proposal,
)
from .rounds import close_due_rounds, reconfirm_stance, register_stance

__all__ = [
    "USE_CASES",
    "add_comment",
    "add_member",
    "adopt_proposal",
    "change_member",
    "close_due_rounds",
    "confirm_resolved",
    "create_account",
    "create_agreement",
    "create_community",
    "current_version",
    "import_agreement_history",
    "lapse_proposal",
    "open_comments",
    "open_consent_round",
    "open_objection_round",
    "overrule_objection",
    "propose_amendment",
    "raise_concern",
    "raise_objection",
    "rebase_preview",
    "reclassify_objection",
    "register_stance",
    "reconfirm_stance",
    "reject_proposal",
    "reopen_objection",
    "revise_proposal",
    "submit_proposal",
    "system_actor",
    "update_community_settings",
    "withdraw_objection",
    "withdraw_proposal",
]
