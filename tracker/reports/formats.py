"""What the web and the scheduler need to know about report files without loading the builders.

The builders import python-docx and openpyxl (about 30 MB per process); reports are compiled in a worker process
of their own (tracker.reports.runs), so the serving processes only name the template and the formats.
"""

from __future__ import annotations

#: the Word template of every report, under templates/ (an instance's own copy overrides the shipped one)
TEMPLATE_NAME = "reports/bao-cao.docx"
#: the reports that also come as a spreadsheet
XLSX_KINDS = ("summary", "register", "followup")


class TemplateError(Exception):
    """The template cannot be used; the message (Vietnamese) names the file."""
