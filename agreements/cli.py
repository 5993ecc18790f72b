"""Command-line tools, as Flask commands so they read the same configuration as the app.

flask --app wsgi db upgrade
flask --app wsgi db downgrade [REVISION]
flask --app wsgi demo [--if-empty] [--large]
flask --app wsgi agreements import --community SLUG --title TITLE [--language CODE] FILE ...
flask --app wsgi audit verify [--expect HASH] [--record FILE ...]
flask --app wsgi audit export --community SLUG [--output FILE]
flask --app wsgi audit import FILE
flask --app wsgi rounds close-due
flask --app wsgi worker [--once] [--interval SECONDS]
flask --app wsgi accounts create --email E --name N [--admin]
flask --app wsgi backup FILE
flask --app wsgi restore FILE [--force]
"""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path
from typing import TextIO

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlmodel import Session, select

from . import audit, services
from .audit import anchors, archive, archive_merge, keyed
from .delivery import worker
from .errors import DomainError
from .mail import has_smtp
from .models import Community
from .storage import backup as instance_backup
from .storage import migrate
from .storage.sessions import get_engine

db_cli = AppGroup("db", help="Create, upgrade and downgrade the database.")
agreements_cli = AppGroup("agreements", help="Bring agreements into Accord.")
audit_cli = AppGroup("audit", help="Check the tamper-evident audit trail.")
rounds_cli = AppGroup("rounds", help="Act on decision rounds (run from cron).")
accounts_cli = AppGroup("accounts", help="Manage accounts.")


def _session() -> Session:
    return Session(get_engine(), expire_on_commit=False)


def _fail(error: DomainError) -> None:
    raise click.ClickException(error.message)


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Create the database, or upgrade it to the newest schema."""
    migrate.upgrade(get_engine())
    click.echo("Database is up to date.")


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
def db_downgrade(revision: str) -> None:
    """Undo migrations: one step back by default, or down to REVISION ("base": all)."""
    migrate.downgrade(get_engine(), revision)
    now = migrate.current_revision(get_engine())
    click.echo(f"Database is now at revision {now}." if now else "Database is empty.")


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing (successfully) if data is present.")
@click.option(
    "--large",
    is_flag=True,
    help="Also seed a large community (1,000 versions, 100,000 events) to measure at size.",
)
@with_appcontext
def demo_command(if_empty: bool, large: bool) -> None:
    """Seed the demo community into an empty database."""
    from .demo import seed_demo

    if large:
        _seed_large()
        return
    with _session() as session:
        if session.exec(select(Community)).first() is not None:
            if if_empty:
                click.echo("The database already has data; the demo is not seeded again.")
                return
            raise click.ClickException(
                "The database already has communities; the demo needs an empty one."
            )
        try:
            accounts = seed_demo(session)
        except DomainError as error:
            _fail(error)
    click.echo("Demo community 'Litigators for Climate Justice' is ready. Sign in as:")
    for role, email, password in accounts:
        click.echo(f"  {role:<12} {email:<32} {password}")


def _seed_large() -> None:
    """`demo --large`: the demo if absent, then the large community (a few minutes)."""
    from .demo_large import seed_large, seeding_session

    with seeding_session(get_engine()) as session:
        try:
            seeded = seed_large(session, progress=lambda step: click.echo(f"  ... {step}"))
        except DomainError as error:
            _fail(error)
        total = audit.count_events(session)
    if not seeded:
        click.echo(f"The large community is already there ({total} audit events).")
        return
    click.echo(f"The large community 'Open Justice Network' is ready ({total} audit events).")
    click.echo("Sign in as facilitator@demo.accord (the demo's password) to see both.")


@agreements_cli.command("import")
@click.option("--community", "slug", required=True, help="Slug of the community (created if new).")
@click.option("--title", required=True, help="Title of the agreement.")
@click.option(
    "--language",
    default="en",
    show_default=True,
    help="BCP 47 tag of the language the texts are written in (fr, de-CH, ar).",
)
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
def import_agreement(slug: str, title: str, language: str, files: tuple[Path, ...]) -> None:
    """Create an agreement whose adopted history is FILES, oldest first (versions 1..n)."""
    texts = [path.read_text(encoding="utf-8") for path in files]
    with _session() as session:
        system = services.system_actor(session)
        session.commit()
        community = session.exec(select(Community).where(Community.slug == slug)).first()
        try:
            if community is None:
                community = services.create_community(
                    session, system, slug=slug, name=slug.replace("-", " ").title()
                )
                click.echo(f"Created community '{slug}' (private; add members to let people in).")
            agreement = services.import_agreement_history(
                session,
                system,
                community_id=community.id,
                title=title,
                texts=texts,
                language=language,
            )
        except DomainError as error:
            _fail(error)
        click.echo(f"Imported '{agreement.title}' with {len(texts)} version(s) into '{slug}'.")


@audit_cli.command("verify")
@click.option(
    "--expect",
    metavar="HASH",
    help="Also confirm that an event with this hash is still in the chain.",
)
@click.option(
    "--record",
    "records",
    multiple=True,
    type=click.File("r", encoding="utf-8"),
    help="A decision record (.md or .json), archive or saved Atom feed whose chain head must "
    "still be on the chain. Repeatable.",
)
def audit_verify(expect: str | None, records: tuple[TextIO, ...]) -> None:
    """Recompute the whole audit chain; exit non-zero at the first broken event.

    Each --record file's head (seq and hash) must still be on the chain: that is how a
    member's kept record proves the history was neither cut short nor re-hashed. With
    AUDIT_KEY set, every event since the key was set must also carry its mac (audit/keyed.py).
    """
    try:
        kept = [anchors.read_anchor(file.read(), file.name) for file in records]
    except DomainError as error:
        _fail(error)
    key = keyed.instance_key()
    with _session() as session:
        result = audit.verify_chain(session, expect=expect, anchors=kept)
        keys_ok, keys_said = keyed.verify_keys(session, key) if key else (True, "")
    if not result.ok:
        where = f" (first broken event: #{result.broken_seq})" if result.broken_seq else ""
        raise click.ClickException(f"Audit chain does NOT verify{where}: {result.message}")
    if not keys_ok:
        raise click.ClickException(f"Audit chain does NOT verify: {keys_said}")
    held = f"; {len(kept)} kept head(s) still on the chain" if kept else ""
    keys = f"; {keys_said}" if key else ""
    click.echo(f"Audit chain verifies: {result.message}{held}{keys}; head {result.head_hash}")


@audit_cli.command("export")
@click.option("--community", "slug", required=True, help="Slug of the community to export.")
@click.option(
    "--output", type=click.File("w", encoding="utf-8"), default="-", help="File (default: stdout)."
)
def audit_export(slug: str, output: TextIO) -> None:
    """Write one community (rows and audit chain, other communities sealed) as a JSON archive."""
    with _session() as session:
        try:
            exported = archive.export_community(session, slug)
        except DomainError as error:
            _fail(error)
    output.write(archive.dump_archive(exported))
    click.echo(
        f"Exported '{slug}': {len(exported['events'])} events, head {exported['head_hash']}",
        err=True,
    )


@audit_cli.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option(
    "--slug",
    default=None,
    help="Give the community this address here (when its own is taken on this instance).",
)
def audit_import(file: TextIO, slug: str | None) -> None:
    """Restore an archive into an empty database, or merge its community into this instance
    (new ids; people with an existing email join that account); refused unless it verifies."""
    try:
        data = json.load(file)
    except json.JSONDecodeError as error:
        raise click.ClickException(f"This file is not JSON: {error}") from error
    with _session() as session:
        try:
            result = archive_merge.import_community(session, data, slug=slug)
        except DomainError as error:
            _fail(error)
    click.echo(
        f"Imported and verified: {result.message}; archive head {data['head_hash']} "
        f"(event {data['head_seq']}), new head {result.head_hash}"
    )


@rounds_cli.command("close-due")
def rounds_close_due() -> None:
    """Act on what is due: adopt or lapse rounds whose deadline passed, write reminders and
    review notices (the worker does this on every pass; cron may run it every few minutes)."""
    report = services.run_due(_session)
    click.echo(
        f"{len(report.moved)} proposal(s) moved, {report.blocked} round(s) waiting, "
        f"{report.reminders} reminder(s), {report.closing_soon} closing-soon warning(s), "
        f"{report.reviews} review(s) due."
    )
    if report.failed:
        raise click.ClickException(f"Failed (see the log): {'; '.join(report.failed)}")


@accounts_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--admin", is_flag=True, help="Make this account an instance administrator.")
@click.password_option()
def accounts_create(email: str, name: str, admin: bool, password: str) -> None:
    """Create an account (the first administrator, typically)."""
    with _session() as session:
        system = services.system_actor(session)
        session.commit()
        try:
            services.create_account(
                session, system, email=email, display_name=name, password=password, is_admin=admin
            )
        except DomainError as error:
            _fail(error)
    click.echo(f"Created account {email}{' (administrator)' if admin else ''}.")


@click.command("backup")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path) -> None:
    """Copy the whole running SQLite database to FILE (committed writes included)."""
    try:
        instance_backup.backup(get_engine(), file)
    except DomainError as error:
        _fail(error)
    click.echo(f"Backed up the whole instance to {file}.")


@click.command("restore")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite a database that already holds data.")
def restore_command(file: Path, force: bool) -> None:
    """Replace the whole SQLite database with the backup FILE, then verify the audit chain.

    Exits non-zero if the chain does not verify afterwards: the restored data is then not
    what was backed up, and people must not be told otherwise.
    """
    engine = get_engine()
    try:
        if not force and instance_backup.has_data(engine):
            raise click.ClickException(
                "This database already holds data; restoring replaces all of it. "
                "Run again with --force to confirm."
            )
        instance_backup.restore(engine, file, known_revisions=migrate.known_revisions())
    except DomainError as error:
        _fail(error)
    migrate.upgrade(engine)
    with _session() as session:
        result = audit.verify_chain(session)
    if not result.ok:
        raise click.ClickException(
            f"Restored, but the audit chain does NOT verify: {result.message}"
        )
    click.echo(f"Restored {file}; audit chain verifies: {result.message}; head {result.head_hash}")


@click.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due, then exit (for cron).")
@click.option("--interval", default=30.0, show_default=True, help="Seconds between passes.")
@with_appcontext
def worker_command(once: bool, interval: float) -> None:
    """Close due rounds and deliver the mail outbox: until stopped, or once with --once."""
    if once:
        result = worker.run_pass()
        where = "" if has_smtp() else " (no SMTP server: kept at /admin/mail)"
        click.echo(
            f"{result.moved} proposal(s) moved, {result.digests} digest(s) queued, "
            f"{result.sent} mail(s) sent{where}, {result.failed} not sent."
        )
        return
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo(f"Worker running every {interval:g} s; stop it with Ctrl-C or SIGTERM.")
    worker.run_forever(stop, interval)
    click.echo("Worker stopped.")


def init_app(app: Flask) -> None:
    """Register the command groups on the app's CLI."""
    for group in (db_cli, agreements_cli, audit_cli, rounds_cli, accounts_cli):
        app.cli.add_command(group)
    for command in (demo_command, backup_command, restore_command, worker_command):
        app.cli.add_command(command)
