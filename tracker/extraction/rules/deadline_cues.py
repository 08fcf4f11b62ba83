"""Rule tables of the deadline finder (``deadlines.py``): words that make a date no deadline.

Each table replaces one regular expression of ``deadlines.py`` whose alternatives were separate
decisions; ``deadlines.py`` imports them under the old names and asks ``TABLE.matches(text)``.
The examples of a rule are its tests (``tests/extraction/test_rules_table.py``).
"""

from __future__ import annotations

import re

from tracker.extraction.rules import Rule, RuleTable

NOT_DEADLINE_BEFORE = RuleTable(
    "not_deadline_before",
    doc="Words shortly before a date (the 60 characters before it, no sentence break after them) "
        "that make it an event's, a cut-off's or a start's date rather than a deadline.",
    mode="search",
    prefix=r"(?:",
    suffix=r")[^.;:]{0,25}$",
    flags=re.IGNORECASE,
    rules=[
        Rule(
            "event_takes_place",
            r"dự\s+kiến|diễn\s+ra|khai\s+mạc|tổ\s+chức\s+(?:hội\s+nghị|cuộc\s+họp|hội\s+thảo|lễ)",
            examples=("Hội nghị dự kiến tổ chức vào ", "Lễ khai mạc ", "UBND tỉnh tổ chức hội nghị vào "),
            counter_examples=("tổ chức kiểm tra trước ",),
            why="'Hội nghị diễn ra ngày 12/5': when an event happens, not when a task is due",
        ),
        Rule(
            "data_cut_off",
            r"tính\s+đến|số\s+liệu",
            examples=("số liệu tính đến ", "báo cáo số liệu "),
            why="'số liệu tính đến ngày 30/6': the date the figures stop at",
        ),
        Rule(
            "start_or_validity",
            r"kể\s+từ|có\s+hiệu\s+lực|ban\s+hành\s+ngày|từ\s+ngày|đến\s+hết",
            examples=("có hiệu lực kể từ ", "thực hiện từ ngày ", "Quyết định ban hành ngày "),
            counter_examples=("gửi về Sở trước ",),
            why="a period's start or a document's own date ('có hiệu lực từ ngày …', 'ban hành ngày …')",
        ),
        Rule(
            "forecast",
            r"nhận\s+định|dự\s+báo",
            examples=("theo dự báo, đến ", "nhận định đến "),
            why="'dự báo đến ngày 15/10 …': a weather or market forecast",
        ),
    ],
)

PAST_PERIOD = RuleTable(
    "past_period",
    doc="Words right after 'trong 12 tháng', 'trong 5 năm' that make it a period already past, not a delay.",
    prefix=r"\s*(?:",
    suffix=r")(?![^\W\d_])",
    flags=re.IGNORECASE,
    rules=[
        Rule(
            "just_past",
            r"qua|vừa\s+qua|đã\s+qua",
            examples=(" qua, tình hình", " vừa qua", " đã qua"),
            counter_examples=(" quan trọng",),
            why="'trong 12 tháng qua': the months behind us",
        ),
        Rule(
            "recent",
            r"gần\s+(?:đây|nhất)|trở\s+lại\s+đây|liền\s+kề",
            examples=(" gần đây", " trở lại đây", " liền kề"),
            why="'trong 3 năm gần đây': the recent past",
        ),
        Rule(
            "before_now",
            r"trước\s+(?:đây|đó)",
            examples=(" trước đây", " trước đó"),
            counter_examples=(" trước ngày 12/5",),
            why="'trong 6 tháng trước đó': a period before a past event",
        ),
    ],
)


TIME_LABEL = RuleTable(
    "time_label",
    doc="A labelled time in a text ('Thời gian hoàn thành: Quý II/2024', 'Thời hạn: tháng 5/2024'), up to "
        "the end of its value (';', a line end, '.' or the end). Asked with finditer; the groups 'value' "
        "(what the label says) and 'bare' (a bare 'Thời gian:', which a clock time makes a meeting's) are "
        "read by deadlines.find_deadlines.",
    mode="search",
    prefix=r"(?<![^\W\d_])(?:",
    suffix=r")\s*:\s*(?P<value>[^;\n.:]{1,60}?)(?=\s*(?:[;\n.]|$))",
    flags=re.IGNORECASE,
    rules=[
        Rule(
            "time_of_an_action",
            r"thời\s+gian\s+(?:hoàn\s+thành|thực\s+hiện|báo\s+cáo|nộp|gửi|triển\s+khai)",
            examples=("Thời gian hoàn thành: Quý II/2024", "thời gian thực hiện: từ tháng 3 đến tháng 12/2024;"),
            counter_examples=("Thời gian hoàn thành trước ngày 30/6",),
            why="'Thời gian hoàn thành/thực hiện/báo cáo: …': when the item is due",
        ),
        Rule(
            "time_limit_or_progress",
            r"(?:thời\s+hạn|tiến\s+độ)(?:\s+(?:hoàn\s+thành|thực\s+hiện|báo\s+cáo|nộp|gửi))?",
            examples=("Thời hạn: tháng 5/2024", "Tiến độ hoàn thành: năm 2025."),
            counter_examples=("Tiến độ giải ngân: 80%",),
            why="'Thời hạn (nộp): …', 'Tiến độ (thực hiện): …': the item's deadline or schedule",
        ),
        Rule(
            "bare_time",
            r"(?P<bare>thời\s+gian)",
            examples=("Thời gian: Quý II/2021",),
            counter_examples=("Thời gian qua: tỉnh đã",),
            why="a plan's bare 'Thời gian: Quý II/2021' under an item (a meeting's clock time is set aside)",
        ),
    ],
)
