"""``manage.py tasks_worker``: the background tasks worker of the configured backend.

With the database backend it is django-tasks-db's ``db_worker``, named ``<host>:<pid>`` and
preceded by a pass of ``ops.reclaim`` (tasks of dead workers go back in the queue); with RQ it is
django-rq's ``rqworker`` on every queue. systemd runs it
(``deploy/systemd/passerelle-worker.service``); ``make run`` starts it beside the server.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from ops.reclaim import reclaim_abandoned, worker_id


class Command(BaseCommand):
    help = "Exécute les tâches d'arrière-plan (courriels, index de recherche, notifications, flux)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="S'arrête quand la file est vide.")
        parser.add_argument(
            "--interval", type=float, default=0.5, help="Secondes entre deux relevés."
        )
        parser.add_argument(
            "--reload", action="store_true", help="Redémarre quand le code change (développement)."
        )

    def handle(self, *args, batch=False, interval=0.5, reload=False, **options):
        backend = settings.PASSERELLE_TASKS_BACKEND
        if backend == "immediate":
            self.stdout.write("PASSERELLE_TASKS_BACKEND=immediate : aucune file à traiter.")
            return
        if backend == "rq":
            call_command(
                "rqworker",
                *settings.RQ_QUEUES,
                burst=batch,
                with_scheduler=True,
                job_class="django_tasks_rq.backend.Job",
            )
            return
        requeued, failed = reclaim_abandoned()
        if requeued or failed:
            self.stdout.write(f"Tâches reprises : {requeued}, abandonnées : {failed}.")
        worker_args = [
            "--worker-id",
            worker_id(),
            "--interval",
            str(interval),
            "--no-startup-delay",
            "--reload" if reload else "--no-reload",
        ]
        if batch:
            worker_args.append("--batch")
        call_command("db_worker", *worker_args, verbosity=options.get("verbosity", 1))
