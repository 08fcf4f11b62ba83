"""Whole-letter extraction: header, enclosed letters and tasks as one JSON-ready dict."""

from __future__ import annotations


def extract_text(text: str) -> dict:
    """Return the extraction of one letter (and what it encloses) from its text.

    The result has the keys of ``tracker extract --json``: number, doc_type, issuer,
    place, issued_on, subject, recipients, signer, signer_title, received,
    references, enclosed, tasks. Unknown values are None, never guessed.
    """
    raise NotImplementedError
