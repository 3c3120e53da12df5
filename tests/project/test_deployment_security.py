"""Running behind TLS: typed settings for HTTPS (off for `make run`, on in
docker/compose.yaml behind its proxy), `check --deploy` clean with the
production settings, a Content-Security-Policy on every response, and login
throttling per account and per address (django-axes)."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from surge.env import env_proxy_ssl_header

ROOT = Path(__file__).resolve().parents[2]
TLS_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
]


def compose_environment() -> dict[str, str]:
    """The environment docker/compose.yaml gives web, worker and beat, with
    its ${VAR:-default} defaults filled in and a fresh secret key."""
    compose = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
    resolved = {}
    for name, value in compose["x-surge"]["environment"].items():
        value = re.sub(r"\$\{SECRET_KEY:\?[^}]*\}", secrets.token_urlsafe(50), str(value))
        resolved[name] = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)
    return resolved


def run_manage(tmp_path, *arguments: str, **environment: str) -> subprocess.CompletedProcess:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never has it.
    left_out = {"DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in TLS_SETTINGS and k not in left_out}
    env.update(SURGE_VAR_DIR=str(tmp_path), **environment)
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_compose_files_production_settings(tmp_path):
    result = run_manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **compose_environment())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_compose_turns_every_tls_setting_on():
    environment = compose_environment()
    for name in TLS_SETTINGS:
        assert environment.get(name) not in (None, "", "0"), name


def test_tls_settings_are_off_by_default_for_make_run(tmp_path):
    printed = "; ".join(f"print('{name}', repr(settings.{name}))" for name in TLS_SETTINGS)
    result = run_manage(
        tmp_path, "shell", "-c", f"from django.conf import settings; {printed}", SECRET_KEY="k"
    )
    assert result.returncode == 0, result.stderr
    values = dict(
        line.split(" ", 1)
        for line in result.stdout.strip().splitlines()
        if line.startswith("S") or line.startswith("C")
    )
    assert values == {
        "SECURE_SSL_REDIRECT": "False",
        "SECURE_PROXY_SSL_HEADER": "None",
        "SECURE_HSTS_SECONDS": "0",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "False",
        "SECURE_HSTS_PRELOAD": "False",
        "SESSION_COOKIE_SECURE": "False",
        "CSRF_COOKIE_SECURE": "False",
    }


def test_proxy_ssl_header_is_read_as_django_wants_it(monkeypatch):
    monkeypatch.setenv("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto")
    assert env_proxy_ssl_header("SECURE_PROXY_SSL_HEADER") == ("HTTP_X_FORWARDED_PROTO", "https")
    monkeypatch.setenv("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto: https")
    with pytest.raises(ImproperlyConfigured, match="SECURE_PROXY_SSL_HEADER"):
        env_proxy_ssl_header("SECURE_PROXY_SSL_HEADER")


@pytest.mark.django_db
def test_behind_the_proxy_http_redirects_and_https_gets_hsts(settings, monkeypatch):
    monkeypatch.setenv("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto")
    settings.SECURE_PROXY_SSL_HEADER = env_proxy_ssl_header("SECURE_PROXY_SSL_HEADER")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    client = Client()
    plain = client.get("/how-it-works/", HTTP_X_FORWARDED_PROTO="http")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    secure = client.get("/how-it-works/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


# --- Content-Security-Policy ---------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/how-it-works/", "/api/trends/", "/feeds/top.rss", "/admin/login/"])
def test_every_response_carries_a_content_security_policy(client, path):
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy


# --- login throttling ----------------------------------------------------------------

PASSWORD = "a long and correct password"


@pytest.fixture
def throttled(settings, db):
    settings.AXES_FAILURE_LIMIT = 3
    User.objects.create_user("edna", password=PASSWORD, is_staff=True)
    User.objects.create_user("otto", password=PASSWORD, is_staff=True)


def log_in(username: str, password: str, address: str, **headers):
    return Client(REMOTE_ADDR=address, **headers).post(
        reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"}
    )


def test_wrong_passwords_for_one_account_lock_it_from_every_address(throttled):
    assert [log_in("edna", "wrong", f"198.51.100.{n}").status_code for n in range(3)] == [200, 200, 429]
    locked = log_in("edna", PASSWORD, "203.0.113.9")  # the right password, from a new address
    assert locked.status_code == 429
    assert log_in("otto", PASSWORD, "203.0.113.9").status_code == 302  # other accounts still log in


def test_wrong_passwords_from_one_address_lock_that_address_for_every_account(throttled):
    for name in ("a", "b", "c"):
        log_in(name, "wrong", "198.51.100.7")
    assert log_in("otto", PASSWORD, "198.51.100.7").status_code == 429
    assert log_in("otto", PASSWORD, "198.51.100.8").status_code == 302


def test_behind_a_proxy_the_forwarded_address_is_throttled_not_the_proxy(throttled, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for n in range(3):
        # The attacker forges an X-Forwarded-For entry; the proxy appends the real address.
        log_in(f"user{n}", "wrong", proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7")
    assert log_in("otto", PASSWORD, proxy, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    assert log_in("otto", PASSWORD, proxy, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 302
