"""ingest.http.fetch refuses private addresses: the address table, blocked
URLs and schemes, DNS answers and rebinding, redirects to private addresses,
and HTTPS to a pinned address (see tests/httpcheck.py for the fake network)."""

import shutil
import ssl
import subprocess

import pytest

from ingest import http
from ingest.http import BlockedAddress, ConnectionFailed, fetch, is_public_address
from tests import httpcheck
from tests.fakeweb import FakeWeb, redirect
from tests.httpcheck import PUBLIC_IP, public_url

net = httpcheck.net  # the fixtures, taken by name
allow_private = httpcheck.allow_private
block_private = httpcheck.block_private

# --- address checks ----------------------------------------------------------


@pytest.mark.parametrize(
    "ip, public",
    [
        ("93.184.216.34", True),
        ("8.8.8.8", True),
        ("2606:4700::1", True),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("127.0.0.1", False),
        ("127.255.0.9", False),
        ("0.0.0.0", False),
        ("169.254.169.254", False),  # cloud metadata
        ("224.0.0.1", False),
        ("239.255.255.250", False),
        ("240.0.0.1", False),
        ("255.255.255.255", False),
        ("192.0.2.1", False),  # documentation
        ("::1", False),
        ("::", False),
        ("fc00::1", False),
        ("fd12:3456::1", False),
        ("fe80::1", False),
        ("fec0::1", False),
        ("ff02::1", False),
        ("2001:db8::1", False),
        ("::ffff:10.0.0.1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:93.184.216.34", True),
        ("2002:a00:1::", False),  # 6to4 wrapping 10.0.0.1
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 wrapping 169.254.169.254
        ("not an ip", False),
        ("", False),
    ],
)
def test_is_public_address(ip, public):
    assert is_public_address(ip) is public


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/ok",
        "http://localhost:{port}/ok",
        "http://127.1:{port}/ok",
        "http://2130706433:{port}/ok",  # 127.0.0.1 as one number
        "http://[::1]:{port}/ok",
        "http://0.0.0.0:{port}/ok",
    ],
)
def test_direct_url_to_loopback_refused_by_default(url, fakeweb, net, block_private):
    fakeweb.route("/ok", b"secret")
    with pytest.raises(BlockedAddress):
        fetch(url.format(port=fakeweb.port))
    assert net.connected == []
    assert fakeweb.requests == []


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.com/feed", "gopher://example.com/", "javascript:alert(1)", "//x/"],
)
def test_non_http_scheme_refused(url, net, allow_private):
    with pytest.raises(BlockedAddress):
        fetch(url)
    assert net.connected == []


@pytest.mark.parametrize("answer", [["10.0.0.5"], [PUBLIC_IP, "10.0.0.5"], ["fd00::5"]])
def test_hostname_resolving_to_private_address_refused(answer, net, block_private):
    net.resolve("evil.example", answer)
    with pytest.raises(BlockedAddress) as caught:
        fetch("http://evil.example/feed")
    assert "evil.example" in caught.value.reason
    assert net.connected == []


def test_dns_rebinding_connects_to_the_validated_address(fakeweb, net, block_private):
    # First answer public, every later one loopback: a client that resolves the
    # name again to connect would end up on 127.0.0.1.
    net.resolve("rebind.example", [PUBLIC_IP], ["127.0.0.1"])
    fakeweb.route("/feed", b"<rss/>")
    response = fetch(public_url(fakeweb, "/feed", host="rebind.example"))
    assert response.body == b"<rss/>"
    assert net.lookups.count("rebind.example") == 1
    assert net.connected == [PUBLIC_IP]
    assert fakeweb.requests[0].headers["Host"] == f"rebind.example:{fakeweb.port}"


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{port}/admin",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://evil.example/",
    ],
)
def test_redirect_to_private_address_refused_before_connecting(target, fakeweb, net, block_private):
    net.resolve("public.example", [PUBLIC_IP])
    net.resolve("evil.example", ["10.0.0.5"])
    fakeweb.route("/go", handler=redirect(target.format(port=fakeweb.port)))
    with pytest.raises(BlockedAddress):
        fetch(public_url(fakeweb, "/go"))
    assert net.connected == [PUBLIC_IP]  # the first hop only
    assert [r.path for r in fakeweb.requests] == ["/go"]


# --- https ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def certificate(tmp_path_factory):
    """A self-signed certificate for surge.test (made with the openssl command)."""
    if not shutil.which("openssl"):
        pytest.skip("no openssl command to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        + ["-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=surge.test"]
        + ["-addext", "subjectAltName=DNS:surge.test"],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_server(certificate, monkeypatch):
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = FakeWeb(tls=context)
    server.sni = []
    context.sni_callback = lambda sock, name, ctx: server.sni.append(name)
    # The client trusts exactly this certificate, with its usual checks.
    monkeypatch.setattr(http, "_tls_context", lambda: ssl.create_default_context(cafile=str(cert)))
    yield server
    server.stop()


@pytest.mark.parametrize("host, ok", [("surge.test", True), ("other.test", False)])
def test_https_to_pinned_ip_verifies_certificate_against_hostname(host, ok, tls_server, net, block_private):
    # The host resolves to a "public" IP (really the local TLS server): the client
    # connects to that IP, yet SNI and the certificate check must use the name.
    net.public_port = tls_server.port
    net.resolve(host, [PUBLIC_IP])
    tls_server.route("/feed", b"<rss/>")
    if ok:
        response = fetch(public_url(tls_server, "/feed", host=host))
        assert response.body == b"<rss/>"
        assert tls_server.sni == ["surge.test"]
        assert tls_server.requests[0].headers["Host"] == f"surge.test:{tls_server.port}"
    else:
        with pytest.raises(ConnectionFailed) as caught:
            fetch(public_url(tls_server, "/feed", host=host))
        assert "other.test" in caught.value.reason
        assert tls_server.requests == []
    assert net.connected == [PUBLIC_IP]
