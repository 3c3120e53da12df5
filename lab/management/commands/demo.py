"""`make demo`: the site on a local port while a recorded stream replays
(manage.py replay), then the site stays up on the replay's last moment.

The web port is checked before anything starts: a busy one is replaced by
the next free port, and said so. If the web server or the replay fails, the
command stops the server and exits non-zero; "Replay done" is only printed
over a site that is up and a replay that finished."""

import os
import socket
import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from lab.management.commands.replay import Command as ReplayCommand

PORTS_TRIED = 20
START_TIMEOUT_SECONDS = 60


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_from(port: int) -> int | None:
    """`port` if free, else the next free one of the following few."""
    for candidate in range(port, min(port + PORTS_TRIED, 65536)):
        if port_is_free(candidate):
            return candidate
    return None


class Command(BaseCommand):
    help = "Serve the site on a free local port while a recorded stream replays; keep it up afterwards."

    def add_arguments(self, parser):
        ReplayCommand().add_arguments(parser)  # the replay's own options, passed on as they are
        parser.add_argument(
            "--web-port", type=int, default=8001, help="port of the demo site (or the next free)"
        )

    def handle(self, *args, web_port, **options):
        if not os.path.exists(options["path"]):
            raise CommandError(f"no such file: {options['path']}")
        port = free_port_from(web_port)
        if port is None:
            raise CommandError(
                f"ports {web_port}-{web_port + PORTS_TRIED - 1} are all in use: pass --web-port"
            )
        if port != web_port:
            self.stdout.write(f"Port {web_port} is in use; the demo site uses port {port} instead.")
        web = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "surge.wsgi", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", "2", "--log-level", "warning"],
            env=os.environ.copy(),
        )
        try:
            self._wait_until_listening(web, port)
            self.stdout.write(f"Demo site on http://127.0.0.1:{port}/")
            replay_parser = ReplayCommand().create_parser("manage.py", "replay")
            known = {action.dest for action in replay_parser._actions} - {"path", "help"}
            replay_options = {k: v for k, v in options.items() if k in known}
            call_command("replay", options["path"], stdout=self.stdout, stderr=self.stderr, **replay_options)
            if web.poll() is not None:
                raise CommandError(f"the demo site stopped during the replay (exit {web.returncode})")
            self.stdout.write(f"Replay done; the site stays up on http://127.0.0.1:{port}/ (Ctrl-C to stop)")
            web.wait()
        finally:
            if web.poll() is None:
                web.terminate()
                try:
                    web.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    web.kill()

    def _wait_until_listening(self, web: subprocess.Popen, port: int) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if web.poll() is not None:
                raise CommandError(f"the demo site could not start on port {port} (exit {web.returncode})")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.2)
        raise CommandError(f"the demo site did not answer on port {port} within {START_TIMEOUT_SECONDS} s")
