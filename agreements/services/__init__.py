"""The use cases of Accord: one function each, one transaction each.

Every use case takes `(session, actor, **keyword arguments)`, checks the actor's right to
act, enforces the rule, writes exactly one audit event and commits. Views and API routes
call these and nothing below them.
"""

from ._unit import USE_CASES, system_actor
from .accounts import (
    authenticate,
    change_password,
    create_account,
    request_password_reset,
    reset_password,
)
from .adoption import (
    adopt_proposal,
    current_version,
    lapse_proposal,
    rebase_preview,
    rebase_proposal,
)
from .communities import add_member, change_member, create_community, update_community_settings
from .deadlines import close_due_rounds
from .discussion import add_comment, raise_concern
from .documents import create_agreement, import_agreement_history
from .invitations import (
    accept_invitation,
    invite_member,
    join_community,
    pending_invitation,
)
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
from .rounds import reconfirm_stance, register_stance
from .tokens import create_api_token, revoke_api_token

__all__ = [
    "USE_CASES",
    "accept_invitation",
    "add_comment",
    "add_member",
    "adopt_proposal",
    "authenticate",
    "change_member",
    "change_password",
    "close_due_rounds",
    "confirm_resolved",
    "create_account",
    "create_agreement",
    "create_api_token",
    "create_community",
    "current_version",
    "import_agreement_history",
    "invite_member",
    "join_community",
    "lapse_proposal",
    "open_comments",
    "open_consent_round",
    "open_objection_round",
    "overrule_objection",
    "pending_invitation",
    "propose_amendment",
    "raise_concern",
    "raise_objection",
    "rebase_preview",
    "rebase_proposal",
    "reclassify_objection",
    "reconfirm_stance",
    "register_stance",
    "reject_proposal",
    "reopen_objection",
    "request_password_reset",
    "reset_password",
    "revise_proposal",
    "revoke_api_token",
    "submit_proposal",
    "system_actor",
    "update_community_settings",
    "withdraw_objection",
    "withdraw_proposal",
]
