"""The real database worker, in a process of its own, on the suite's database: it runs the tasks
a reply causes (notification fan-out, then email delivery), and a worker killed in the middle of
a task loses nothing: the next worker runs it again."""

import json
import os
import signal
import subprocess
import tempfile
from pathlib import Path

import pytest
from machina.core.db.models import get_model

from accounts import roles
from forum.community import notifications
from tests import factories
from tests.ops.servers import BIN, ROOT, database_url, environment, shell, stop, wait_for

Post = get_model("forum_conversation", "Post")

pytestmark = pytest.mark.django_db(transaction=True)


def task_rows(env):
    done = shell(
        env,
        "import json; from django_tasks_db.models import DBTaskResult as R; "
        "print(json.dumps([[r.task_path, r.status, r.worker_ids] for r in "
        "R.objects.order_by('enqueued_at')]))",
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_reply_emails_are_fanned_out_and_sent_by_the_worker(site_tree):
    _category, forum = factories.make_category_with_forum("Travail", "Forum du travail")
    author = factories.make_user(roles.STAFF, email="auteur@example.fr")
    reader = factories.make_user(roles.STAFF, email="lectrice@example.fr")
    topic = factories.make_topic(forum, author, subject="Sauvegardes nocturnes")
    notifications.subscribe(reader, topic=topic)
    with tempfile.TemporaryDirectory() as tmp_dir:
        env = environment(tmp_dir, database_url(tmp_dir), EMAIL_URL="console://")
        # The reply is saved in one process, with the database backend: nothing is sent yet.
        enqueue = shell(
            env,
            "from machina.core.db.models import get_model; "
            "from forum.community import notifications; "
            "Post = get_model('forum_conversation', 'Post'); "
            f"post = Post.objects.create(topic_id={topic.pk}, poster_id={author.pk}, "
            "subject='Re', content='Le script de sauvegarde tourne à 2 h.'); "
            "notifications.post_published(post)",
        )
        assert enqueue.returncode == 0, enqueue.stderr
        waiting = task_rows(env)
        assert "ops.tasks.notify_post" in {row[0] for row in waiting}
        assert {row[1] for row in waiting} == {"READY"}
        worker = subprocess.run(
            [str(BIN / "python"), "manage.py", "tasks_worker", "--batch"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert worker.returncode == 0, worker.stderr
        rows = task_rows(env)
        assert {row[0] for row in rows} == {
            "ops.tasks.notify_post",
            "ops.tasks.deliver_outbox",
            "ops.tasks.update_search_index",
        }
        assert {row[1] for row in rows} == {"SUCCESSFUL"}
        # The fan-out queued one email, to the subscriber (never to the author), and the
        # delivery task sent it.
        messages = shell(
            env,
            "from outbox.models import Message; "
            "print(list(Message.objects.values_list('to', 'status')))",
        )
        assert messages.stdout.strip().splitlines()[-1] == "[('lectrice@example.fr', 'sent')]"


def test_a_task_whose_worker_is_killed_is_run_again():
    with tempfile.TemporaryDirectory() as tmp_dir:
        env = environment(tmp_dir, database_url(tmp_dir))
        marker = Path(tmp_dir) / "result.txt"
        enqueue = shell(
            env, f"from tests.ops.tasks import slow_write; slow_write.enqueue({str(marker)!r})"
        )
        assert enqueue.returncode == 0, enqueue.stderr

        def start_worker():
            return subprocess.Popen(
                [str(BIN / "python"), "manage.py", "tasks_worker", "--interval", "0.2"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )

        first = start_worker()
        try:
            started = Path(f"{marker}.started")
            wait_for(started.exists, timeout=90, message="the first attempt to start")
            # Killed in the middle of the task: no chance to record anything.
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(10)
        finally:
            stop(first)
        assert not marker.exists()
        [(path, status, workers)] = task_rows(env)
        assert status == "RUNNING" and len(workers) == 1

        second = start_worker()
        try:
            wait_for(marker.exists, timeout=90, message="the task to be run again")
            wait_for(lambda: task_rows(env)[0][1] == "SUCCESSFUL", timeout=60, message="success")
        finally:
            os.killpg(second.pid, signal.SIGTERM)
            stop(second)
        assert marker.read_text() == "done\n"
        [(path, status, workers)] = task_rows(env)
        assert path == "tests.ops.tasks.slow_write"
        assert len(workers) == 2 and workers[0] != workers[1]
