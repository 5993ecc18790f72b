"""Turning an outbox row into the email a member receives: text and HTML, threaded.

Every mail about a proposal refers to one thread root (`<proposal-ID@host>`) in
In-Reply-To and References, so mail programs group a proposal's mails in one
conversation. Every mail from a community carries RFC 8058 one-click unsubscribe headers.
Links point under PUBLIC_URL (mail.absolute_url).

A mail speaks its recipient's language (`MailContent.language`: theirs, else their
community's, else English) and gives dates in their time zone: it is rendered under that
locale (Flask-Babel's `force_locale`), its notifications said from what was kept of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale

from ..mail import absolute_url, sender
from ..saying import say, say_kept
from ..services.queries.mail import MailContent
from ..wording import Wording, _, n_
from .links import AnswerLink, answer_token, unsubscribe_token


@dataclass(frozen=True)
class Rendered:
    """A built message and the parts kept on the outbox row."""

    email: EmailMessage
    subject: str
    text: str
    html: str


def mail_domain() -> str:
    """The host part of Message-IDs: PUBLIC_URL's host, else the sender's domain."""
    host = urlsplit(current_app.config.get("PUBLIC_URL", "")).hostname
    return host or sender().rpartition("@")[2] or "accord.invalid"


def _subject(content: MailContent, notices: list[str]) -> Wording:
    kind, community = content.mail.kind, content.community_name
    if kind == "invitation":
        return _("You are invited to %(community)s on Accord", community=community)
    if kind == "digest":
        return n_(
            "[%(community)s] Your daily digest: %(num)s notification",
            "[%(community)s] Your daily digest: %(num)s notifications",
            len(notices),
            community=community,
        )
    about = content.proposal_title or (notices[0].splitlines()[0] if notices else _("News"))
    return _("[%(community)s] %(about)s", community=community, about=about)


def _links(content: MailContent) -> dict[str, str]:
    links = {"notifications": absolute_url("web.notifications")}
    mail = content.mail
    if mail.kind == "invitation":
        links["invitation"] = absolute_url("auth.accept_invitation", token=content.context["token"])
    if content.proposal_id is not None:
        links["proposal"] = absolute_url("web.proposal", proposal_id=content.proposal_id)
    if content.answer_round is not None and mail.recipient_id is not None:
        round_id, text_sha256 = content.answer_round
        for position in ("consent", "stand_aside"):
            token = answer_token(AnswerLink(mail.recipient_id, round_id, text_sha256, position))
            links[f"answer_{position}"] = absolute_url("web.answer", token=token)
    if mail.recipient_id is not None and mail.community_id is not None:
        links["preferences"] = absolute_url(
            "web.notification_preferences", slug=content.community_slug
        )
        links["unsubscribe"] = absolute_url(
            "web.unsubscribe", token=unsubscribe_token(mail.recipient_id, mail.community_id)
        )
    return links


def build(content: MailContent) -> Rendered:
    """The whole message for one outbox row, in its recipient's language."""
    with force_locale(content.language):
        notices = [say_kept(notice.text, content.time_zone) for notice in content.notices]
        subject = say(_subject(content, notices))[:200]
        links = _links(content)
        context = {"content": content, "notices": notices, "links": links, "subject": subject}
        text = render_template("mail/message.txt", **context)
        html = render_template("mail/message.html", **context)
    return _message(content, subject, links, text, html)


def _message(
    content: MailContent, subject: str, links: dict[str, str], text: str, html: str
) -> Rendered:
    mail, domain = content.mail, mail_domain()
    email = EmailMessage()
    email["From"] = sender()
    email["To"] = mail.to_address
    email["Subject"] = subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = f"<{mail.message_id}@{domain}>"
    if content.proposal_id is not None:
        root = f"<proposal-{content.proposal_id}@{domain}>"
        email["In-Reply-To"] = root
        email["References"] = root
    if "unsubscribe" in links:
        email["List-Unsubscribe"] = f"<{links['unsubscribe']}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        email["List-Id"] = f"{content.community_name} <{content.community_slug}.{domain}>"
    email.set_content(text)
    email.add_alternative(html, subtype="html")
    return Rendered(email, subject, text, html)
