"""The use cases of Accord: one function each, one transaction each.

Every use case takes `(session, actor, **keyword arguments)`, checks the actor's right to
act, enforces the rule, writes exactly one audit event and commits. Views and API routes
call these and nothing below them.
"""

from . import announcements, notices, notifications, outbox  # noqa: F401  (notices: hooks)
from ._unit import USE_CASES, system_actor
from .accounts import (
    authenticate,
    change_password,
    create_account,
    request_password_reset,
    reset_password,
    set_preferences,
)
from .adoption import (
    adopt_proposal,
    current_version,
    lapse_proposal,
    rebase_preview,
    rebase_proposal,
)
from .communities import add_member, change_member, create_community, update_community_settings
from .deadlines import DueReport, close_due_round, run_due
from .discussion import add_comment, raise_concern
from .documents import create_agreement, import_agreement_history
from .feeds import create_feed, feed_of, reader_of, revoke_feed
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
    propose_again,
    propose_amendment,
    reject_proposal,
    revise_proposal,
    submit_proposal,
    withdraw_proposal,
)
from .reviews import notice_review_due, set_review_date
from .round_deadlines import (
    extend_deadline,
    remind_non_answerers,
    send_reminder,
    warn_closing_soon,
)
from .rounds import reconfirm_stance, register_stance
from .tokens import create_api_token, revoke_api_token
from .translations import confirm_translation, decline_translation, propose_translation

__all__ = [
    "USE_CASES",
    "DueReport",
    "accept_invitation",
    "add_comment",
    "add_member",
    "adopt_proposal",
    "authenticate",
    "change_member",
    "change_password",
    "close_due_round",
    "confirm_resolved",
    "confirm_translation",
    "create_account",
    "create_agreement",
    "create_api_token",
    "create_community",
    "create_feed",
    "current_version",
    "decline_translation",
    "extend_deadline",
    "feed_of",
    "import_agreement_history",
    "invite_member",
    "join_community",
    "lapse_proposal",
    "notice_review_due",
    "open_comments",
    "open_consent_round",
    "open_objection_round",
    "overrule_objection",
    "pending_invitation",
    "propose_again",
    "propose_amendment",
    "propose_translation",
    "raise_concern",
    "raise_objection",
    "reader_of",
    "rebase_preview",
    "rebase_proposal",
    "reclassify_objection",
    "reconfirm_stance",
    "register_stance",
    "reject_proposal",
    "remind_non_answerers",
    "reopen_objection",
    "request_password_reset",
    "reset_password",
    "revise_proposal",
    "revoke_api_token",
    "revoke_feed",
    "run_due",
    "send_reminder",
    "set_preferences",
    "set_review_date",
    "submit_proposal",
    "system_actor",
    "update_community_settings",
    "warn_closing_soon",
    "withdraw_objection",
    "withdraw_proposal",
]
