"""Fixtures of the reminder tests: a real SMTP server (aiosmtpd) on loopback and apps that send to it."""

from __future__ import annotations

import email
import email.policy
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage

import pytest

from tracker.app import create_app
from tracker.calendar.workdays import install_calendar


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    """One message as the server got it."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        """The parsed MIME message."""
        return email.message_from_bytes(self.data, policy=email.policy.default)

    @property
    def to(self) -> str:
        """The one envelope recipient."""
        assert len(self.rcpt_tos) == 1
        return self.rcpt_tos[0]

    @property
    def text(self) -> str:
        """The plain-text part."""
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str:
        """The HTML part."""
        return self.message.get_body(preferencelist=("html",)).get_content()

    @property
    def ics(self) -> str | None:
        """The .ics attachment, if any."""
        for part in self.message.iter_attachments():
            if part.get_content_type() == "text/calendar":
                return part.get_content() if isinstance(part.get_content(), str) else part.get_content().decode()
        return None


class Recorder:
    """aiosmtpd handler: keeps what arrives; can refuse some addresses (5xx) or answer 4xx."""

    def __init__(self):
        self.received: list[Received] = []
        self.reject: set[str] = set()
        self.tempfail: set[str] = set()
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd API)
        if address.lower() in self.reject:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if address.lower() in self.tempfail:
            return "451 4.3.0 Mailbox temporarily unavailable, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self._lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        """Messages that went to ``address``."""
        return [r for r in self.received if address in r.rcpt_tos]


class SmtpServer:
    """A running aiosmtpd server on loopback."""

    def __init__(self, port: int | None = None, **kwargs):
        from aiosmtpd.controller import Controller

        self.recorder = Recorder()
        self.port = port or free_port()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, **kwargs)

    @property
    def url(self) -> str:
        """TRACKER_SMTP_URL of this server."""
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def received(self) -> list[Received]:
        """Everything that arrived."""
        return self.recorder.received

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def wait_for(self, count: int, timeout: float = 20) -> list[Received]:
        """Wait until ``count`` messages arrived (for other processes' sending)."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free loopback port, stopped after the test."""
    server = SmtpServer().start()
    yield server
    server.stop()


BASE_URL = "https://theodoi.ubnd.example.gov.vn"


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build apps on the test's database and instance folder with mail settings: ``make_app(smtp_url=...)``."""
    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    made = []

    def build(**overrides):
        config = {"instance_path": instance, "database_url": database_url, "secret_key": secrets.token_hex(16),
                  "TESTING": True, "WTF_CSRF_ENABLED": False, "base_url": BASE_URL,
                  "mail_from": "Văn phòng UBND tỉnh <theodoi@ubnd.example.gov.vn>", **overrides}
        application = create_app(config)
        made.append(application)
        return application

    yield build
    for application in made:
        application.extensions["tracker.engine"].dispose()


@pytest.fixture(autouse=True)
def _shipped_calendar_after_test():
    """Tests that edit the calendar table must not leave their calendar installed for the next test."""
    yield
    install_calendar(None)

