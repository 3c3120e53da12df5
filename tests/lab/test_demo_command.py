"""`make demo` (manage.py demo) on a busy port: the site moves to the next
free port and says so; the replay's feed server takes any free port; and when
the replay fails the command exits non-zero, stops the site, and never prints
"Replay done"."""

import socket
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lab.replay.feed_server import ReplayFeeds, start_server
from tests.realdata import NEWSRIVER

BUSY_PORT = 8142  # in this worktree's range; the next one is where the site should go


@pytest.fixture
def busy_port():
    holder = socket.socket()
    try:
        holder.bind(("127.0.0.1", BUSY_PORT))
    except OSError:
        pytest.skip(f"port {BUSY_PORT} is taken by something else")
    holder.listen(1)
    yield BUSY_PORT
    holder.close()


def port_answers(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.needs_real_data
def test_busy_web_port_moves_the_site_and_a_failed_replay_exits_without_replay_done(busy_port, capsys):
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("demo", str(NEWSRIVER), "--web-port", str(busy_port), "--start", "not a time")
    out = capsys.readouterr().out
    assert f"Port {busy_port} is in use; the demo site uses port {busy_port + 1} instead." in out
    assert f"Demo site on http://127.0.0.1:{busy_port + 1}/" in out
    assert "Replay done" not in out
    assert not port_answers(busy_port + 1)  # the site was stopped with the failed replay


def test_demo_with_a_missing_stream_fails_before_starting_anything(capsys):
    with pytest.raises(CommandError, match="no such file"):
        call_command("demo", "/nonexistent/stream.jsonl.gz", "--web-port", str(BUSY_PORT + 2))
    assert "Demo site" not in capsys.readouterr().out
    assert not port_answers(BUSY_PORT + 2)


def test_replay_feed_server_takes_a_free_port_when_its_own_is_busy(busy_port):
    feeds = ReplayFeeds([], lambda: datetime(2026, 1, 3, tzinfo=UTC))
    with pytest.raises(OSError):
        start_server(feeds, busy_port)
    server = start_server(feeds, busy_port, any_port_if_busy=True)
    try:
        assert server.server_address[1] not in (0, busy_port)
    finally:
        server.shutdown()
