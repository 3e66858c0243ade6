"""Backups of the database and the media files, and their restore.

A backup is one folder ``<PASSERELLE_BACKUP_DIR>/passerelle-<date>-<time>/`` holding:

- ``database.sqlite3``: SQLite's online backup API (a consistent copy while the site runs), or
  ``database.dump``: ``pg_dump --format=custom`` on PostgreSQL (restored with ``pg_restore``);
- ``media.tar.gz``: everything under ``MEDIA_ROOT`` (documents, images, attachments);
- ``manifest.json``: when, which database, and the row counts of the main tables, which
  ``restore`` checks after restoring.
"""

import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

# What a person would count after a restore: pages, notices, forum, people, emails, search.
COUNTED = {
    "pages": ("wagtailcore", "Page"),
    "revisions": ("wagtailcore", "Revision"),
    "documents": ("wagtaildocs", "Document"),
    "users": ("auth", "User"),
    "topics": ("forum_conversation", "Topic"),
    "posts": ("forum_conversation", "Post"),
    "feed_entries": ("notices", "FeedEntry"),
    "emails": ("outbox", "Message"),
    "search_documents": ("search", "SearchDocument"),
}


class BackupError(Exception):
    pass


def row_counts():
    from django.apps import apps

    counts = {}
    for name, (app_label, model_name) in COUNTED.items():
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        counts[name] = model._base_manager.count()
    return counts


def _pg_command(program, *args):
    db = connection.settings_dict
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    command = [
        program,
        "--host",
        db.get("HOST") or "127.0.0.1",
        "--port",
        str(db.get("PORT") or 5432),
    ]
    if db.get("USER"):
        command += ["--username", db["USER"]]
    if shutil.which(program) is None:
        raise BackupError(f"{program} est introuvable : installez postgresql-client.")
    return [*command, *args], env


def _run(command, env):
    # A list of arguments from the settings, no shell.
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{command[0]} : {done.stderr.strip()[-500:]}")


def backup(directory=None, now=None):
    """Write one backup; return its folder."""
    now = now or timezone.now()
    root = Path(directory or settings.PASSERELLE_BACKUP_DIR)
    target = root / f"passerelle-{timezone.localtime(now):%Y%m%d-%H%M%S}"
    target.mkdir(parents=True, exist_ok=False)
    counts = row_counts()
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        destination = sqlite3.connect(target / "database.sqlite3")
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        database_file = "database.sqlite3"
    elif connection.vendor == "postgresql":
        command, env = _pg_command(
            "pg_dump", "--format=custom", "--no-owner", "--file", str(target / "database.dump"),
            connection.settings_dict["NAME"],
        )  # fmt: skip
        _run(command, env)
        database_file = "database.dump"
    else:  # pragma: no cover - settings refuse other databases
        raise BackupError(f"base de données non prise en charge : {connection.vendor}")
    media_root = Path(settings.MEDIA_ROOT)
    with tarfile.open(target / "media.tar.gz", "w:gz") as archive:
        if media_root.exists():
            archive.add(media_root, arcname="media")
    manifest = {
        "created_at": now.isoformat(),
        "vendor": connection.vendor,
        "database": database_file,
        "counts": counts,
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    return target


def prune(directory=None, keep=14):
    """Keep the ``keep`` most recent backups; return the folders removed."""
    root = Path(directory or settings.PASSERELLE_BACKUP_DIR)
    found = sorted(p for p in root.glob("passerelle-*") if (p / "manifest.json").exists())
    removed = found[:-keep] if keep else found
    for path in removed:
        shutil.rmtree(path)
    return removed


def restore(path):
    """Replace the database and the media files with those of the backup at ``path``; return
    (counts in the backup, counts after restoring)."""
    path = Path(path)
    manifest = json.loads((path / "manifest.json").read_text())
    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            f"Sauvegarde {manifest['vendor']}, base actuelle {connection.vendor} : "
            "restaurez sur le même type de base."
        )
    if connection.vendor == "sqlite":
        source = sqlite3.connect(path / manifest["database"])
        try:
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        for alias in connections:
            connections[alias].close()
        command, env = _pg_command(
            "pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
            "--dbname", connection.settings_dict["NAME"], str(path / manifest["database"]),
        )  # fmt: skip
        _run(command, env)
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists():
        shutil.rmtree(media_root)
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path / "media.tar.gz", "r:gz") as archive:
        for member in archive.getmembers():
            if not member.name.startswith("media/") or member.issym() or member.islnk():
                continue
            member.name = member.name.removeprefix("media/")
            archive.extract(member, media_root, filter="data")
    return manifest["counts"], row_counts()


def backup_age(directory=None):
    """Age of the newest backup (a timedelta), or None."""
    root = Path(directory or settings.PASSERELLE_BACKUP_DIR)
    manifests = sorted(root.glob("passerelle-*/manifest.json"))
    if not manifests:
        return None
    created = datetime.datetime.fromisoformat(json.loads(manifests[-1].read_text())["created_at"])
    return timezone.now() - created
