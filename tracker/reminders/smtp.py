"""How outbox messages leave: an SMTP server named by ``TRACKER_SMTP_URL``, or .eml files in ``instance/outbox/``.

``TRACKER_SMTP_URL`` forms:

* ``smtp://host:25`` — plain SMTP (a relay on the office network);
* ``smtp://user:password@host:587?starttls=1`` or ``smtp+starttls://user:password@host:587`` — STARTTLS
  (required: the connection fails rather than sending the password in clear);
* ``smtps://user:password@host:465`` — TLS from the first byte;
* query options: ``timeout=30`` (seconds), ``verify=0`` (accept a self-signed certificate of an internal
  relay). User and password are URL-encoded (``%40`` for ``@``).

Each message goes to one address, so a 5xx answer for that address fails that message only. Failures are
sorted into three outcomes: **sent**; **retry** (4xx, a timeout, a dropped connection: try again later);
**failed** (5xx for this message: retrying would not help, an admin must look). A server that cannot be
reached at all raises :class:`TransportUnavailable` and the whole batch waits for the next attempt.
"""

from __future__ import annotations

import base64
import os
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_TIMEOUT = 30.0


class TransportUnavailable(Exception):
    """The server cannot be reached or refused the session: nothing can be sent now."""


@dataclass(frozen=True)
class SendResult:
    """What happened to one message: outcome "sent", "retry" or "failed", and the server's words."""

    outcome: str
    detail: str


def _text(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _by_code(code: int, message, what: str) -> SendResult:
    """Temporary (4xx) or permanent (5xx) failure from an SMTP reply."""
    detail = f"{what}: {code} {_text(message)}".strip()
    return SendResult("failed" if 500 <= code < 600 else "retry", detail)


@dataclass(frozen=True)
class SmtpSettings:
    """A parsed ``TRACKER_SMTP_URL``."""

    host: str
    port: int
    implicit_tls: bool
    starttls: bool
    username: str | None
    password: str | None
    timeout: float
    verify: bool

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        """Parse ``smtp://``, ``smtp+starttls://`` or ``smtps://`` URLs."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in {"smtp", "smtps", "smtp+starttls"}:
            raise ValueError(f"TRACKER_SMTP_URL: unknown scheme {parts.scheme!r} (smtp, smtp+starttls, smtps)")
        if not parts.hostname:
            raise ValueError("TRACKER_SMTP_URL: no host")
        query = {k.lower(): v[-1].lower() for k, v in parse_qs(parts.query).items()}
        truthy = {"1", "true", "yes", "on", "required"}
        implicit = scheme == "smtps"
        starttls = scheme == "smtp+starttls" or query.get("starttls") in truthy
        try:
            timeout = float(query.get("timeout", DEFAULT_TIMEOUT))
        except ValueError:
            raise ValueError("TRACKER_SMTP_URL: timeout must be a number of seconds") from None
        return cls(host=parts.hostname, port=parts.port or (465 if implicit else 25), implicit_tls=implicit,
                   starttls=starttls and not implicit,
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None,
                   timeout=timeout, verify=query.get("verify", "1") not in {"0", "false", "no", "off"})

    def describe(self) -> str:
        """The server without the password, for messages."""
        mode = "smtps" if self.implicit_tls else ("smtp+starttls" if self.starttls else "smtp")
        user = f"{self.username}@" if self.username else ""
        return f"{mode}://{user}{self.host}:{self.port}"


def _login(smtp: smtplib.SMTP, username: str, password: str) -> None:
    """Log in; a user name or password with diacritics goes as UTF-8 over AUTH PLAIN (RFC 4616).

    smtplib encodes credentials as ASCII and fails on "mật-khẩu"; Vietnamese passwords are common enough.
    """
    if username.isascii() and password.isascii():
        smtp.login(username, password)
        return
    if "plain" not in smtp.esmtp_features.get("auth", "").lower().split():
        raise smtplib.SMTPException("the server offers no AUTH PLAIN for a user name or password with diacritics")
    token = base64.b64encode(b"\0" + username.encode("utf-8") + b"\0" + password.encode("utf-8")).decode("ascii")
    code, response = smtp.docmd("AUTH", "PLAIN " + token)
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, response)


class SmtpTransport:
    """One SMTP session: ``open()``, ``send()`` per message, ``close()``."""

    def __init__(self, url: str):
        """Parse the URL; nothing is connected yet."""
        self.settings = SmtpSettings.from_url(url)
        self._smtp: smtplib.SMTP | None = None

    def describe(self) -> str:
        """Where mail goes, for people."""
        return self.settings.describe()

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if not self.settings.verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def open(self) -> None:
        """Connect, say EHLO, upgrade to TLS and log in as configured."""
        s = self.settings
        try:
            if s.implicit_tls:
                smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self._context())
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            try:
                smtp.ehlo()
                if s.starttls:
                    smtp.starttls(context=self._context())
                    smtp.ehlo()
                if s.username:
                    _login(smtp, s.username, s.password or "")
            except BaseException:
                smtp.close()
                raise
        except smtplib.SMTPResponseException as exc:
            raise TransportUnavailable(f"{s.describe()}: {exc.smtp_code} {_text(exc.smtp_error)}") from exc
        except (smtplib.SMTPException, OSError, UnicodeError) as exc:
            raise TransportUnavailable(f"{s.describe()}: {exc or type(exc).__name__}") from exc
        self._smtp = smtp

    def send(self, sender: str, recipient: str, data: bytes, name: str = "") -> SendResult:
        """Send one message to one address. Raises TransportUnavailable when the session is lost."""
        if self._smtp is None:
            raise TransportUnavailable("not connected")
        try:
            self._smtp.sendmail(sender, [recipient], data)
        except smtplib.SMTPRecipientsRefused as exc:
            code, message = exc.recipients.get(recipient, (550, b"refused"))
            return _by_code(code, message, f"Địa chỉ {recipient} bị từ chối")
        except smtplib.SMTPSenderRefused as exc:
            return _by_code(exc.smtp_code, exc.smtp_error, f"Địa chỉ gửi {sender} bị từ chối")
        except smtplib.SMTPDataError as exc:
            return _by_code(exc.smtp_code, exc.smtp_error, "Máy chủ không nhận nội dung thư")
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == 421:  # the server is closing the session: come back later
                self.close()
                raise TransportUnavailable(f"{exc.smtp_code} {_text(exc.smtp_error)}") from exc
            return _by_code(exc.smtp_code, exc.smtp_error, "Máy chủ trả lời lỗi")
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise TransportUnavailable(f"{self.describe()}: {exc or type(exc).__name__}") from exc
        return SendResult("sent", f"Máy chủ {self.settings.host} đã nhận thư")

    def close(self) -> None:
        """QUIT politely; never raises."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError, socket.timeout):
            smtp.close()


class FileTransport:
    """Writes each message as an .eml file (no SMTP server configured: the demo works offline).

    The file name is fixed by the outbox row, and written atomically, so a retry after a crash
    replaces the same file instead of adding a second one.
    """

    def __init__(self, folder: Path):
        """Files go to ``folder`` (created when needed)."""
        self.folder = Path(folder)

    def describe(self) -> str:
        """Where mail goes, for people."""
        return f"tệp .eml trong {self.folder}"

    def open(self) -> None:
        """Create the folder."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TransportUnavailable(f"{self.folder}: {exc}") from exc

    @staticmethod
    def file_name(outbox_id: int, recipient: str, day) -> str:
        """e.g. 20190925-0000012-canbo.ldtbxh@example.gov.vn.eml"""
        safe = re.sub(r"[^A-Za-z0-9@._-]", "_", recipient)[:120]
        return f"{day:%Y%m%d}-{outbox_id:07d}-{safe}.eml"

    def send(self, sender: str, recipient: str, data: bytes, name: str = "") -> SendResult:
        """Write the file (``name`` from :meth:`file_name`)."""
        path = self.folder / name
        temporary = path.with_suffix(".tmp")
        try:
            with open(temporary, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except OSError as exc:
            return SendResult("retry", f"Không ghi được tệp {path}: {exc}")
        return SendResult("sent", f"Đã ghi tệp {path.name}")

    def close(self) -> None:
        """Nothing to close."""


def make_transport(smtp_url: str | None, instance_path: Path):
    """The SMTP transport for ``smtp_url``, or the .eml folder ``instance/outbox/`` when there is none."""
    if smtp_url:
        return SmtpTransport(smtp_url)
    return FileTransport(Path(instance_path) / "outbox")
