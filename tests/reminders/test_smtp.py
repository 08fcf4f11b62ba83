"""TRACKER_SMTP_URL: plain, STARTTLS with a password, TLS from the first byte — against real aiosmtpd servers."""

from __future__ import annotations

import shutil
import ssl
import subprocess

import pytest

from tests.reminders.conftest import SmtpServer
from tracker.reminders.smtp import SmtpSettings, SmtpTransport, TransportUnavailable

MESSAGE = b"From: a@example.gov.vn\r\nTo: b@example.gov.vn\r\nSubject: test\r\n\r\nHello\r\n"


def test_url_forms():
    plain = SmtpSettings.from_url("smtp://mail.tinh.gov.vn")
    assert (plain.host, plain.port, plain.starttls, plain.implicit_tls, plain.username) == (
        "mail.tinh.gov.vn", 25, False, False, None)
    tls = SmtpSettings.from_url("smtp://van.thu%40tinh.gov.vn:m%E1%BA%ADt@mail.tinh.gov.vn:587?starttls=1&timeout=5")
    assert (tls.port, tls.starttls, tls.username, tls.password, tls.timeout) == (
        587, True, "van.thu@tinh.gov.vn", "mật", 5.0)
    assert SmtpSettings.from_url("smtp+starttls://u:p@h:2525").starttls
    implicit = SmtpSettings.from_url("smtps://u:p@h?verify=0")
    assert (implicit.port, implicit.implicit_tls, implicit.verify) == (465, True, False)
    assert "p@" not in implicit.describe() and implicit.describe() == "smtps://u@h:465"
    with pytest.raises(ValueError):
        SmtpSettings.from_url("http://h")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 (openssl), like an internal relay's."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem"),
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


class Authenticator:
    """Accepts one user and password."""

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        good = (auth_data.login, auth_data.password) == (b"van.thu", "mật-khẩu".encode())
        return AuthResult(success=good, handled=False)  # handled=False: the server answers 235 or 535 itself


def test_starttls_with_password(certificate):
    server = SmtpServer(tls_context=certificate, require_starttls=True, authenticator=Authenticator(),
                        auth_require_tls=True).start()
    try:
        good = SmtpTransport(f"smtp://van.thu:m%E1%BA%ADt-kh%E1%BA%A9u@127.0.0.1:{server.port}?starttls=1&verify=0")
        good.open()
        assert good.send("a@example.gov.vn", "b@example.gov.vn", MESSAGE).outcome == "sent"
        good.close()
        assert [r.to for r in server.received] == ["b@example.gov.vn"]

        wrong = SmtpTransport(f"smtp://van.thu:sai@127.0.0.1:{server.port}?starttls=1&verify=0&timeout=5")
        with pytest.raises(TransportUnavailable, match="535"):
            wrong.open()
        unverified = SmtpTransport(f"smtp://van.thu:x@127.0.0.1:{server.port}?starttls=1&timeout=5")  # self-signed: refused
        with pytest.raises(TransportUnavailable, match="CERTIFICATE_VERIFY_FAILED"):
            unverified.open()
    finally:
        server.stop()


def test_nobody_listening_is_unavailable():
    from tests.reminders.conftest import free_port

    transport = SmtpTransport(f"smtp://127.0.0.1:{free_port()}?timeout=3")
    with pytest.raises(TransportUnavailable, match="127.0.0.1"):
        transport.open()


def test_tls_from_the_first_byte(certificate):
    server = SmtpServer(ssl_context=certificate).start()
    try:
        transport = SmtpTransport(f"smtps://127.0.0.1:{server.port}?verify=0&timeout=5")
        transport.open()
        assert transport.send("a@example.gov.vn", "b@example.gov.vn", MESSAGE).outcome == "sent"
        transport.close()
        assert [r.to for r in server.received] == ["b@example.gov.vn"]
    finally:
        server.stop()
