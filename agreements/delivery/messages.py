"""Turning an outbox row into the email a member receives: text and HTML, threaded.

Every mail about a proposal refers to one thread root (`<proposal-ID@host>`) in
In-Reply-To and References, so mail programs group a proposal's mails in one
conversation. Every mail from a community carries RFC 8058 one-click unsubscribe headers.
Links point under PUBLIC_URL (mail.absolute_url).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import urlsplit

from flask import current_app, render_template

from ..mail import absolute_url, sender
from ..services.queries.mail import MailContent
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


def _subject(content: MailContent) -> str:
    kind, community = content.mail.kind, content.community_name
    if kind == "invitation":
        return f"You are invited to {community} on Accord"
    if kind == "digest":
        count = len(content.notices)
        return f"[{community}] Your daily digest: {count} notification{'s' * (count != 1)}"
    if content.proposal_title:
        return f"[{community}] {content.proposal_title}"
    first = content.notices[0].text.splitlines()[0] if content.notices else "News"
    return f"[{community}] {first}"[:200]


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
    """The whole message for one outbox row."""
    mail, domain = content.mail, mail_domain()
    links = _links(content)
    subject = _subject(content)
    context = {"content": content, "links": links, "subject": subject}
    text = render_template("mail/message.txt", **context)
    html = render_template("mail/message.html", **context)
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
