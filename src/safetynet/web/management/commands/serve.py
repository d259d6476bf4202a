"""`safetynet serve`: the production web server, gunicorn with one process per core
(`safetynet.gunicorn_conf`), in the foreground; options override the environment."""

from __future__ import annotations

import os
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "以多进程方式（gunicorn，默认每个CPU核一个进程）在前台启动网页与接口服务。"
    requires_migrations_checks = True

    def add_arguments(self, parser):
        parser.add_argument("--bind", help="地址与端口（默认 SAFETYNET_BIND 或 127.0.0.1:8000）")
        parser.add_argument("--workers", type=int, help="进程数（默认 SAFETYNET_WORKERS 或CPU核数）")
        parser.add_argument("--threads", type=int, help="每个进程的线程数（默认 SAFETYNET_THREADS 或4）")

    def handle(self, *args, **opts):
        argv = [sys.executable, "-m", "gunicorn", "-c", "python:safetynet.gunicorn_conf"]
        for option in ("bind", "workers", "threads"):
            if opts[option]:
                argv += [f"--{option}", str(opts[option])]
        argv.append("safetynet.wsgi:application")
        sys.stdout.flush()
        os.execv(sys.executable, argv)
