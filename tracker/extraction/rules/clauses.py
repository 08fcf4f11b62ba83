"""Rule tables of the clause reader (``tasks.py``): what follows an agency, closing formulas, meetings.

Each table replaces one regular expression of ``tasks.py`` whose alternatives were separate
decisions; ``tasks.py`` imports the tables under the old names and asks ``TABLE.matches(text)``.
The examples of a rule are its tests (``tests/extraction/test_rules_table.py``): when you add a
rule, give the phrases it is for, and the near misses it must leave alone as counter-examples.

Texts are as the reader sees them at that point: ``SUBJECT_EXCLUDE_AFTER`` and ``SPEAKER_VERBS``
get what follows the agency that opens a clause (adverbs removed), ``CLOSING`` gets the folded
action (no marks, lower case), the others a clause as written.
"""

from __future__ import annotations

import re

from tracker.extraction.rules import Rule, RuleTable

# a whole word ends here: no letter follows (digits and punctuation may)
WORD_END = r"(?![^\W\d_])"

# -- what follows the agency that opens a clause ------------------------------------------------------

SUBJECT_EXCLUDE_AFTER = RuleTable(
    "subject_exclude_after",
    doc="The agency opening a clause is not given a task when what follows it is one of these.",
    prefix=r"^(?:",
    suffix=r")" + WORD_END,
    flags=re.IGNORECASE,
    rules=[
        Rule(
            "cited_letter_told",
            r"(?:có|ban\s+hành|gửi|trình)\s+(?:văn\s+bản|công\s+văn|tờ\s+trình|báo\s+cáo|thông\s+báo|kế\s+hoạch|quyết\s+định|công\s+điện)\s+số"
            r"|có\s+văn\s+bản\s+số|báo\s+cáo\s+(?:tại|số)",
            examples=("có Công văn số 1234/STC-QLNS đề nghị", "ban hành Văn bản số 45/UBND", "báo cáo tại Văn bản số 12"),
            counter_examples=("có văn bản hướng dẫn", "báo cáo kết quả"),
            why="'Sở X có Công văn số … đề nghị …': what a cited letter said, told, not asked now",
        ),
        Rule(
            "past_or_future",
            r"đã|sẽ|đang|vừa|cũng\s+đã|chưa|nhận\s+được|đã\s+nhận",
            examples=("đã ban hành Kế hoạch", "sẽ tổ chức kiểm tra", "nhận được Công văn số 12"),
            counter_examples=("đãi ngộ",),
            why="a statement of what was, is being or will be done is no assignment",
        ),
        Rule(
            "passive",
            r"được|bị",
            examples=("được giao chủ trì", "bị xử phạt"),
            why="the agency undergoes the verb ('được giao', 'bị xử lý'): it is not asked to act",
        ),
        Rule(
            "identity",
            r"là(?!\s+(?:cơ\s+quan|đơn\s+vị|đầu\s+mối))",
            examples=("là thành viên Ban Chỉ đạo",),
            counter_examples=("là cơ quan đầu mối", "là đơn vị chủ trì"),
            why="'X là …' describes X; 'X là cơ quan đầu mối' is an assignment and stays",
        ),
        Rule(
            "speaker_courtesy",
            r"rất\s+mong|mong|trân\s+trọng|xin",
            examples=("rất mong Quý cơ quan quan tâm", "trân trọng cảm ơn", "xin gửi"),
            why="wishes and thanks are the speaker's, no one's task",
        ),
        Rule(
            "negation",
            r"không\s+(?!để)",
            examples=("không  thực hiện", "không 2 lần"),
            counter_examples=("không để xảy ra", "không thực hiện"),
            why="a denial; as written it fires only when 'không' is followed by a non-letter (kept as it was)",
        ),
        Rule(
            "gave_an_opinion",
            r"có\s+ý\s+kiến",
            examples=("có ý kiến về dự thảo",),
            why="'Sở X có ý kiến …': an opinion given, told",
        ),
        Rule(
            "background_about_others",
            r"có\s+(?:đơn|thư|bài\s+viết|bài|kiến\s+nghị|phản\s+ánh)|đưa\s+tin|phản\s+ánh\s+(?:rằng|về|việc)"
            r"|(?:[^\W\d_]+\s+){0,2}ngày\s+\d{1,2}(?:\s*[/.\-]|\s+tháng)",
            examples=("có đơn gửi Thủ tướng Chính phủ", "đưa tin về việc chậm giao đất",
                      "ngày 12 tháng 5 năm 2016 đưa tin"),
            counter_examples=("có trách nhiệm hướng dẫn", "phản ánh kịp thời"),
            why="what someone outside did, told as background ('Công ty X có đơn gửi …', 'Báo Y ngày 26/3 đưa tin …')",
        ),
        Rule(
            "preposition_makes_it_an_object",
            r"tại|theo(?!\s+dõi)|về|của|và\s+các|trên\s+địa\s+bàn|với|cho|trong|do|qua|để",
            examples=("theo Công văn số 12", "về việc triển khai", "của Bộ Tài chính"),
            counter_examples=("theo dõi, đôn đốc",),
            why="the agency is inside a phrase ('… của Sở X', '… với Sở Y'), not the subject of a verb",
        ),
        Rule(
            "subordinate_clause",
            r"thì|mà|nếu|như",
            examples=("thì báo cáo", "nếu không thực hiện"),
            counter_examples=("nhưng",),
            why="a condition or a relative clause follows, not the agency's own task",
        ),
    ],
)

SPEAKER_VERBS = RuleTable(
    "speaker_verbs",
    doc="Verbs by which the agency opening a clause speaks (asks, concludes, informs) rather than acts.",
    # "kính đề nghị", "trân trọng đề nghị", "thống nhất giao": a courtesy word before the verb
    prefix=r"^(?:(?:kính|trân\s+trọng|xin|thống\s+nhất)\s+(?=đề\s+nghị|yêu\s+cầu|giao|thông\s+báo))?(?:",
    suffix=r")" + WORD_END,
    flags=re.IGNORECASE,
    rules=[
        Rule(
            "concludes_or_informs",
            r"có\s+ý\s+kiến(?:\s+chỉ\s+đạo)?|kết\s+luận|thông\s+báo|ghi\s+nhận|đánh\s+giá",
            examples=("có ý kiến chỉ đạo như sau", "kết luận như sau", "thông báo đến các cơ quan"),
            why="the speaker tells its conclusion or its opinion; the assignments are read in what follows",
        ),
        Rule(
            "received",
            r"nhận\s+được|đã\s+nhận",
            examples=("nhận được Công văn số 12", "đã nhận Tờ trình"),
            why="the speaker acknowledges a letter before answering it",
        ),
        Rule(
            "directs_by_instrument",
            r"chỉ\s+thị|quyết\s+định",
            examples=("chỉ thị:", "quyết định:"),
            why="the speaker issues a directive or a decision; its items are the tasks",
        ),
        Rule(
            "asks",
            r"yêu\s+cầu|đề\s+nghị|giao|chỉ\s+đạo",
            examples=("yêu cầu các sở", "kính đề nghị Quý cơ quan", "giao Sở Tài chính chủ trì"),
            why="the speaker asks; who is asked comes after the verb",
        ),
        Rule(
            "courtesy_or_telegram",
            r"trân\s+trọng|điện",
            examples=("trân trọng cảm ơn", "điện:"),
            why="'UBND tỉnh trân trọng …', 'Thủ tướng Chính phủ điện: …' (a telegram's opening)",
        ),
    ],
)

# -- closing formulas -----------------------------------------------------------------------------------

# (folded) manner words before "thực hiện" in a closing: "nghiêm túc, khẩn trương thực hiện"
_MANNER = r"(?:nghiem tuc|khan truong|to chuc|trien khai|chiu trach nhiem|phoi hop|quan tam|kip thoi|chu dong|thuc hien|tap trung|can cu)"
_MANNER_MORE = r"(?: (?:nghiem tuc|khan truong|to chuc|trien khai|chiu trach nhiem|phoi hop|quan tam|chi dao|va))*"
_THIS_DOCUMENT = (
    r"(?: (?:quyet dinh|nghi quyet|chi thi|cong van|van ban|thong bao|ket luan|ke hoach|cong dien|huong dan|quy dinh|quy che|de an|chuong trinh|y kien chi dao|noi dung)"
    r"(?: nay| tren| neu tren)?)?"
)

CLOSING = RuleTable(
    "closing",
    doc="Closing formulas of a letter (on the folded action): '… nghiêm túc thực hiện', '… biết, thực hiện'. "
        "tasks._is_closing also limits them to 16 words.",
    mode="search",
    rules=[
        Rule(
            "carry_out_this_document",
            r"(?:^|\s)" + _MANNER + _MANNER_MORE + r" (?:thuc hien|thi hanh|trien khai)(?: nghiem(?: tuc)?)?" + _THIS_DOCUMENT
            + r"(?: (?:theo dung quy dinh|theo quy dinh|dam bao hieu qua))?$",
            examples=("nghiem tuc thuc hien", "to chuc trien khai thuc hien quyet dinh nay",
                      "khan truong trien khai thuc hien cong van nay theo dung quy dinh"),
            counter_examples=("nghiem tuc thuc hien viec kiem tra cac co so",),
            why="an exhortation to carry out this letter, ending the clause, asks nothing new",
        ),
        Rule(
            "bare_carry_out",
            r"^(?:thuc hien|trien khai thuc hien|to chuc thuc hien|thi hanh)$",
            examples=("thuc hien", "thi hanh"),
            counter_examples=("thuc hien kiem tra",),
            why="the action is only 'thực hiện': nothing to do but the letter itself",
        ),
        Rule(
            "for_information",
            r"(?:^|\s)biet(?: va| de)?(?: (?:thuc hien|phoi hop|trien khai|chi dao|thuc hien nghiem tuc))*$",
            examples=("biet", "biet va thuc hien", "de cac co quan biet thuc hien"),
            counter_examples=("biet cach phong tranh",),
            why="'… biết, thực hiện': the distribution formula",
        ),
        Rule(
            "high_sense_of_duty",
            r"neu cao tinh than trach nhiem",
            examples=("neu cao tinh than trach nhiem",),
            why="an exhortation, no task of its own",
        ),
        Rule(
            "answers_for_execution",
            r"chiu trach nhiem thi hanh|to chuc thuc hien (?:quyet dinh|nghi quyet) nay|thi hanh (?:quyet dinh|nghi quyet|chi thi) nay",
            examples=("chiu trach nhiem thi hanh quyet dinh nay ke tu ngay ky", "to chuc thuc hien nghi quyet nay cac cap"),
            why="the last article of a decision: who executes it, not a task read from the letter",
        ),
        Rule(
            "supervise_this_resolution",
            r"giam sat (?:viec )?(?:to chuc )?(?:trien khai )?thuc hien nghi quyet nay",
            examples=("giam sat viec thuc hien nghi quyet nay",),
            why="a council resolution's closing article: its bodies supervise 'việc thực hiện Nghị quyết này'",
        ),
    ],
)

CLOSING_START = RuleTable(
    "closing_start",
    doc="A clause opening the letter's closing paragraph, which assigns nothing.",
    prefix=r"^(?:",
    suffix=r")",
    flags=re.IGNORECASE,
    rules=[
        Rule(
            "summary",
            r"trên\s+đây\s+là",
            examples=("Trên đây là ý kiến của Sở Tài chính",),
            why="'Trên đây là …' sums up what was said",
        ),
        Rule(
            "courtesy",
            r"trân\s+trọng",
            examples=("Trân trọng đề nghị các đơn vị quan tâm./.",),
            why="the courtesy closing",
        ),
        Rule(
            "received_letter",
            r"nhận\s+được\s+(?:công\s+văn|văn\s+bản)",
            examples=("Nhận được Công văn này, đề nghị các đơn vị thực hiện",),
            counter_examples=("Nhận được kết quả",),
            why="'Nhận được Công văn này, …' repeats the request already read",
        ),
        Rule(
            "in_the_course_of",
            r"trong\s+quá\s+trình|quá\s+trình\s+(?:thực\s+hiện|triển\s+khai)",
            examples=("Trong quá trình thực hiện, nếu có khó khăn, vướng mắc", "Quá trình triển khai có vướng mắc"),
            why="'Trong quá trình thực hiện, nếu có vướng mắc, báo cáo …': the standard closing, no new task",
        ),
        Rule(
            "entry_into_force",
            r"(?:chỉ\s+thị|quyết\s+định|thông\s+báo|công\s+văn)\s+này\s+có\s+hiệu\s+lực",
            examples=("Quyết định này có hiệu lực kể từ ngày ký",),
            why="the article that says when the document takes effect",
        ),
        Rule(
            "based_on_the_above",
            r"căn\s+cứ\s+(?:ý\s+kiến\s+chỉ\s+đạo|nội\s+dung|chỉ\s+đạo)\s+(?:trên|nêu\s+trên|của)",
            examples=("Căn cứ ý kiến chỉ đạo trên, đề nghị", "Căn cứ nội dung nêu trên"),
            counter_examples=("Căn cứ Quyết định số 12",),
            why="'Căn cứ ý kiến chỉ đạo trên, …' closes by repeating the request",
        ),
    ],
)

# -- narration, meetings ------------------------------------------------------------------------------

NARRATIVE_START = RuleTable(
    "narrative_start",
    doc="A sentence that opens by citing another letter: its assignments are that letter's, told.",
    prefix=r"^(?:",
    suffix=r")",
    flags=re.IGNORECASE,
    rules=[
        Rule(
            "cites_a_letter",
            r"(?:tại|theo)\s+(?:công\s+văn|văn\s+bản|quyết\s+định|kế\s+hoạch|thông\s+báo|chỉ\s+thị|tờ\s+trình|báo\s+cáo|nghị\s+quyết|công\s+điện)",
            examples=("Tại Công văn số 12/UBND ngày 3/4/2026, UBND tỉnh giao", "Theo Kế hoạch số 5, Sở Y tế chủ trì"),
            counter_examples=("Theo đề nghị của Sở Tài chính", "Thực hiện Công văn số 12"),
            why="'Tại Công văn số …, UBND tỉnh giao …' narrates what a cited letter assigned",
        ),
    ],
)

ATTEND = RuleTable(
    "attend",
    doc="An action that is only attending a meeting (tasks._attends also limits it to 15 words).",
    mode="search",
    prefix=r"(?:^|\s)(?:trực\s+tiếp\s+|cùng\s+)?(?:tham\s+dự|dự\s+họp|dự)(?=",
    suffix=r")",
    flags=re.IGNORECASE,
    rules=[
        Rule(
            "attend_and_report",
            r"\s+và\s+báo\s+cáo",
            examples=("trực tiếp dự và báo cáo",),
            why="'dự và báo cáo': attend and speak at the meeting",
        ),
        Rule(
            "attend_fully_on_time",
            r"\s+(?:đầy\s+đủ|đúng\s+giờ)",
            examples=("tham dự đầy đủ", "dự họp đúng giờ"),
            why="'tham dự đầy đủ, đúng giờ': attendance",
        ),
        Rule(
            "attend_the_meeting",
            r"\s+(?:họp|hội\s+nghị|buổi|cuộc|phiên)",
            examples=("dự hội nghị", "tham dự buổi làm việc", "cùng dự cuộc họp"),
            counter_examples=("dự thảo văn bản", "dự toán ngân sách"),
            why="'dự hội nghị', 'dự buổi làm việc': the object is the meeting",
        ),
        Rule(
            "attend_at_clause_end",
            r"\s*[.;,]|\s*$",
            examples=("tham dự.", "cùng dự"),
            counter_examples=("dự kiến",),
            why="'tham dự' with nothing after it",
        ),
    ],
)

PARTICIPANTS = RuleTable(
    "participants",
    doc="A clause that lists who attends a meeting ('Thành phần mời: …', '- Tham dự: …'): no task.",
    prefix=r"^\s*(?:[-+•]\s*)?(?:cùng\s+)?(?:",
    suffix=r")(?:\s+(?:có|gồm))?" + WORD_END,
    flags=re.IGNORECASE,
    rules=[
        Rule(
            "attends",
            r"tham\s+dự|dự\s+họp|dự\s+buổi\s+làm\s+việc|cùng\s+dự",
            examples=("- Tham dự: Lãnh đạo Sở Y tế", "Cùng dự có đại diện Sở Tài chính"),
            counter_examples=("Dự án đầu tư",),
            why="'Tham dự: …' lists the participants of a meeting",
        ),
        Rule(
            "participants_label",
            r"thành\s+phần\s+(?:tham\s+dự|dự\s+họp|mời)",
            examples=("Thành phần mời: Giám đốc Sở Nội vụ", "- Thành phần tham dự gồm Sở Y tế"),
            counter_examples=("Thành phần hồ sơ",),
            why="the invitation's list of participants",
        ),
    ],
)

# -- what a partner named in a later clause does -------------------------------------------------------

PARTNER_JOINS_THE_JOB = RuleTable(
    "partner_joins_the_job",
    doc="What follows a partner named in a clause after the one that states the deadline (the partner's "
        "names, and a 'phối hợp với <lead>', already removed). A match: the partner only joins the lead's "
        "job and shares its deadline ('; Sở B phối hợp thực hiện.'); anything else is an action of its own "
        "('; phối hợp với Công an tỉnh xử lý vi phạm'), which the date of another clause does not bind.",
    prefix=r"^[\s,]*(?:",
    suffix=r")[\s.;,]*$",
    flags=re.IGNORECASE,
    rules=[
        Rule(
            "only_cooperates",
            r"(?:cùng\s+)?(?:phối\s+hợp|tham\s+gia)(?:\s+(?:chặt\s+chẽ|thực\s+hiện|triển\s+khai(?:\s+thực\s+hiện)?))?"
            r"(?:\s+(?:nhiệm\s+vụ|nội\s+dung|công\s+việc|việc)\s+(?:này|trên|nêu\s+trên))?",
            examples=("phối hợp.", " phối hợp thực hiện.", "cùng phối hợp triển khai thực hiện nhiệm vụ này;", "tham gia"),
            counter_examples=("phối hợp xử lý theo quy định.", "phối hợp kiểm tra các cửa hàng"),
            why="'Sở B, Sở C phối hợp (thực hiện)': the partners of the job named after it",
        ),
        Rule(
            "only_carries_out",
            r"(?:cùng\s+)?(?:thực\s+hiện|triển\s+khai(?:\s+thực\s+hiện)?)"
            r"(?:\s+(?:nhiệm\s+vụ|nội\s+dung|công\s+việc|việc)\s+(?:này|trên|nêu\s+trên))?",
            examples=("cùng thực hiện.", "thực hiện nội dung trên"),
            counter_examples=("thực hiện kiểm tra các cơ sở",),
            why="'; phối hợp với Sở B thực hiện.' (the names removed): the same job, nothing of its own",
        ),
    ],
)


# -- is "giao"/"đề nghị"/"yêu cầu"/"chỉ đạo" here a request to an agency? -----------------------------

NOT_SPEECH_AFTER = RuleTable(
    "not_speech_after",
    doc="What follows a request verb ('giao', 'đề nghị', 'yêu cầu', 'chỉ đạo', 'phân công') found in a "
        "clause (its ':' and spaces taken). A match: the word is a noun or cites a request, it asks no "
        "agency here ('theo đề nghị của Sở Y tế', 'yêu cầu nêu trên'). The words are matched as "
        "beginnings, not whole words ('như' also takes 'những').",
    prefix=r"^(?:",
    suffix=r")",
    flags=re.IGNORECASE,
    rules=[
        Rule(
            "whose_or_where",
            r"của|tại",
            examples=("của Sở Y tế tại Văn bản số 12", "tại Công văn số 45/UBND"),
            counter_examples=("Sở Y tế chủ trì",),
            why="'đề nghị của Sở Y tế', 'yêu cầu tại Công văn số …': the request as a noun, owned or cited",
        ),
        Rule(
            "referred_back",
            r"nêu|trên|này|như",
            examples=("nêu trên", "trên đây", "này, đề nghị các đơn vị", "như sau:"),
            counter_examples=("Sở Nội vụ nghiên cứu",),
            why="'yêu cầu nêu trên', 'đề nghị này', 'chỉ đạo như sau': the request named again, not addressed",
        ),
        Rule(
            "about_or_numbered",
            r"về|số",
            examples=("về việc bố trí kinh phí", "số 123/STC-NS ngày 12/5/2025"),
            counter_examples=("Ủy ban nhân dân các xã",),
            why="'đề nghị về việc …', 'Yêu cầu số 12': the subject or number of a request, a noun",
        ),
        Rule(
            "work_not_agency",
            r"thực\s+hiện\s+(?:các|những)",
            examples=("thực hiện các nội dung sau", "thực hiện những nhiệm vụ trọng tâm"),
            counter_examples=("thực hiện nghiêm", "Công an tỉnh thực hiện các nội dung"),
            why="'yêu cầu thực hiện các nội dung …': the work asked for follows, no agency is named",
        ),
        Rule(
            "passive_or_done",
            r"được|đã",
            examples=("được hỗ trợ kinh phí", "đã nêu tại mục 2"),
            counter_examples=("Sở Tài chính", "để nghị"),
            why="'đề nghị được hỗ trợ', 'yêu cầu đã nêu': what is asked for oneself, or told as done",
        ),
        Rule(
            "according_to",
            r"theo",
            examples=("theo quy định",),
            counter_examples=("thẩm định",),
            why="'giao theo Quyết định số …': how something was assigned, no addressee",
        ),
        Rule(
            "said_before",
            r"nói",
            examples=("nói trên",),
            counter_examples=("Sở Nông nghiệp",),
            why="'đề nghị nói trên': the request named again",
        ),
        Rule(
            "noun_in_a_list",
            r"và\s+|,|thì",
            examples=("và kiến nghị của cử tri", ", kiến nghị của các địa phương", "thì báo cáo"),
            counter_examples=("vào ngày 15/6",),
            why="'đề nghị và kiến nghị', 'yêu cầu, đề nghị', '(nếu có) yêu cầu thì …': nouns, or a condition",
        ),
        Rule(
            "province_request",
            r"tỉnh\s+(?:về|tại)",
            examples=("tỉnh về việc hỗ trợ", "tỉnh tại Văn bản số 12"),
            counter_examples=("tỉnh chỉ đạo",),
            why="'đề nghị của UBND tỉnh về …' written short ('đề nghị tỉnh về …'): the province's request, a noun",
        ),
    ],
)

NOT_SPEECH_BEFORE = RuleTable(
    "not_speech_before",
    doc="What precedes a request verb in its clause (the text up to the verb, which ends it). A match: "
        "the verb is a noun there, the request cited or discussed ('Theo đề nghị …', 'các yêu cầu …'), "
        "not made now. The last words are matched as endings, not whole words.",
    mode="search",
    prefix=r"(?:",
    suffix=r")\s*$",
    flags=re.IGNORECASE,
    rules=[
        Rule(
            "cited_request",
            r"theo|xét|trên\s+cơ\s+sở",
            examples=("Theo ", "Xét ", "Trên cơ sở "),
            counter_examples=("Sở Y tế ",),
            why="'Theo đề nghị của …', 'Xét đề nghị …', 'Trên cơ sở đề nghị …': the request cited as grounds",
        ),
        Rule(
            "carrying_out_an_instruction",
            r"thực\s+hiện(?:\s+ý\s+kiến)?|ý\s+kiến",
            examples=("Thực hiện ", "Thực hiện ý kiến ", "Ý kiến "),
            counter_examples=("thực hiện nghiêm túc ",),
            why="'Thực hiện chỉ đạo của …', 'ý kiến chỉ đạo': the instruction carried out, cited",
        ),
        Rule(
            "paired_with_a_proposal",
            r"kiến\s+nghị\s*,?|đề\s+xuất\s*,?",
            examples=("tổng hợp kiến nghị, ", "các đề xuất, "),
            counter_examples=("đề xuất phương án bố trí ",),
            why="'kiến nghị, đề nghị của …', 'đề xuất, đề nghị': nouns listed together",
        ),
        Rule(
            "plural_noun",
            r"các|những",
            examples=("giải quyết các ", "đáp ứng những "),
            counter_examples=("Sở Tài chính ",),
            why="'các yêu cầu', 'những đề nghị': requests as a noun",
        ),
        Rule(
            "document_noun",
            r"văn\s+bản|nội\s+dung",
            examples=("văn bản ", "theo đúng nội dung "),
            counter_examples=("ban hành văn bản hướng dẫn, ",),
            why="'văn bản đề nghị', 'nội dung yêu cầu': a letter or a content, not a request now",
        ),
        Rule(
            "received_or_agreed",
            r"tiếp\s+thu|có|thống\s+nhất\s+với",
            examples=("tiếp thu ", "khi có ", "thống nhất với "),
            counter_examples=("thống nhất ", "UBND tỉnh "),
            why="'tiếp thu đề nghị', 'khi có yêu cầu', 'thống nhất với đề nghị': a request taken in or arising",
        ),
    ],
)

# "…: ", ":" or nothing at the end of a clause that announces items
_INTRO_TAIL = r"\s*:?\s*$"

INTRO_END = RuleTable(
    "intro_end",
    doc="The end of a clause that introduces the items below it (the clause stripped): the request "
        "applies to each of them ('đề nghị các đơn vị thực hiện các nội dung sau:').",
    mode="search",
    prefix=r"(?:",
    suffix=r")",
    flags=re.IGNORECASE,
    rules=[
        Rule(
            "the_following",
            r"(?:như|các|những|một\s+số)\s+(?:nội\s+dung|nhiệm\s+vụ|việc|công\s+việc|biện\s+pháp|giải\s+pháp|yêu\s+cầu)?"
            r"\s*(?:sau|như\s+sau)" + _INTRO_TAIL,
            examples=("thực hiện các nội dung sau:", "triển khai một số nhiệm vụ như sau", "như sau:"),
            counter_examples=("các nội dung sau khi kiểm tra", "như sau khi"),
            why="'các nội dung sau:', 'một số nhiệm vụ như sau', 'như sau:': items follow",
        ),
        Rule(
            "hereafter",
            r"sau\s+đây" + _INTRO_TAIL,
            examples=("thực hiện những việc sau đây:",),
            counter_examples=("sau đây gọi tắt là",),
            why="'… sau đây:': items follow",
        ),
        Rule(
            "specifically",
            r"cụ\s+thể(?:\s+như\s+sau)?" + _INTRO_TAIL,
            examples=("thực hiện, cụ thể:", "Cụ thể"),
            counter_examples=("cụ thể hóa các nội dung",),
            why="'…, cụ thể:': the details follow as items ('cụ thể như sau' is the_following's already)",
        ),
        Rule(
            "verb_then_colon",
            r"(?<![^\W\d_])(?:thực\s+hiện|triển\s+khai(?:\s+thực\s+hiện)?|quan\s+tâm\s+thực\s+hiện)\s*:\s*$",
            examples=("đề nghị các đơn vị khẩn trương thực hiện:", "triển khai thực hiện :"),
            counter_examples=("thực hiện", "tổ chức thực hiện."),
            why="a request that ends with a colon after its verb: what to do is listed below",
        ),
    ],
)


# -- a line that labels a part of the item above it --------------------------------------------------

LABEL_LINE = RuleTable(
    "label_line",
    doc="A line that labels a part of the item above it: its time, its lead or its partners "
        "('Thời gian hoàn thành: Quý II/2020', '- Cơ quan chủ trì: Sở Tài chính', 'Phối hợp: …'). The "
        "table's groups 'label' and 'value' carry the label and what it says (RuleTable.match_object).",
    prefix=r"^(?:[-+•]\s*)?(?P<label>(?:",
    suffix=r"))\s*:\s*(?P<value>\S.*)$",
    flags=re.IGNORECASE,
    rules=[
        Rule(
            "time_of_an_action",
            r"thời\s+gian\s+(?:hoàn\s+thành|thực\s+hiện|báo\s+cáo|nộp|gửi|triển\s+khai)",
            examples=("Thời gian hoàn thành: Quý II/2020", "- Thời gian thực hiện: năm 2025"),
            counter_examples=("Thời gian hoàn thành trước ngày 30/6/2025",),
            why="'Thời gian hoàn thành: …': when the item is due",
        ),
        Rule(
            "time_limit",
            r"thời\s+hạn(?:\s+(?:hoàn\s+thành|thực\s+hiện|báo\s+cáo))?",
            examples=("Thời hạn: trước ngày 30/6/2025", "+ Thời hạn báo cáo: hằng quý"),
            counter_examples=("Thời hạn:",),
            why="'Thời hạn (hoàn thành): …': the item's deadline",
        ),
        Rule(
            "progress",
            r"tiến\s+độ(?:\s+(?:hoàn\s+thành|thực\s+hiện))?",
            examples=("Tiến độ: tháng 9/2025", "Tiến độ thực hiện: Quý III/2025"),
            counter_examples=("Tiến độ giải ngân: 80%",),
            why="'Tiến độ (thực hiện): …': the item's schedule",
        ),
        Rule(
            "body_in_charge",
            r"(?:cơ\s+quan|đơn\s+vị)\s+(?:chủ\s+trì|phối\s+hợp|thực\s+hiện|chịu\s+trách\s+nhiệm)(?:\s+thực\s+hiện)?",
            examples=("- Cơ quan chủ trì: Sở Tài chính", "Đơn vị phối hợp: Công an tỉnh",
                      "Cơ quan chịu trách nhiệm thực hiện: Sở Y tế"),
            counter_examples=("Cơ quan thường trực: Sở Nội vụ",),
            why="'Cơ quan chủ trì: …', 'Đơn vị phối hợp: …': who leads or cooperates",
        ),
        Rule(
            "bare_role",
            r"chủ\s+trì(?:\s+thực\s+hiện)?|phối\s+hợp(?:\s+thực\s+hiện)?",
            examples=("Chủ trì: Sở Y tế", "• Phối hợp thực hiện: các sở, ngành liên quan"),
            counter_examples=("Chủ trì, phối hợp với Sở Y tế: rà soát",),
            why="'Chủ trì: …', 'Phối hợp: …': who leads or cooperates, the word 'cơ quan' left out",
        ),
        Rule(
            "bare_time",
            r"thời\s+gian",
            examples=("Thời gian: trong tháng 6/2025",),
            counter_examples=("Thời gian qua: tỉnh đã triển khai",),
            why="'Thời gian: …': when; a meeting's or an event's time is set aside by the reader (tasks._paragraphs)",
        ),
    ],
)


# -- partners and directed agencies ------------------------------------------------------------------

COOP_PHRASE = RuleTable(
    "coop_phrase",
    doc="Where partners are named: the words after which the reader looks for the agencies that "
        "cooperate ('phối hợp với X', 'chủ trì, phối hợp X', a clause opening 'Phối hợp X …'). Asked "
        "with finditer on a clause as written (the case of the word after 'phối hợp' counts).",
    mode="search",
    rules=[
        Rule(
            "cooperate_with",
            r"(?<![^\W\d_])(?i:phối\s+hợp)(?:\s+(?i:chặt\s+chẽ|thường\s+xuyên|đồng\s+bộ|tốt))?(?:\s*,\s*|\s+)(?i:với|cùng)\s+",
            examples=("chủ trì, phối hợp với Sở Y tế", "phối hợp chặt chẽ với Công an tỉnh", "phối hợp, cùng các sở"),
            counter_examples=("phối hợp thực hiện", "tổ chức phối hợp tốt"),
            why="'phối hợp (chặt chẽ) với X': X cooperates",
        ),
        Rule(
            "after_leading",
            r"(?i:chủ\s+trì)\s*(?:,|và)?\s*(?i:phối\s+hợp)\s+(?=[A-ZĐÀ-Ỹ]|các\s)",
            examples=("Sở Tài chính chủ trì, phối hợp Sở Y tế thực hiện", "chủ trì và phối hợp các sở"),
            counter_examples=("chủ trì, phối hợp thực hiện",),
            why="'chủ trì, phối hợp X' (without 'với'): X, named with a capital or as 'các …', cooperates",
        ),
        Rule(
            "clause_opening",
            r"^\s*(?:[-+•]\s*)?(?:(?i:tiếp\s+tục|chủ\s+động|thường\s+xuyên)\s+)?(?i:phối\s+hợp)\s+(?=[A-ZĐÀ-Ỹ]|các\s)",
            examples=("Phối hợp Công an tỉnh kiểm tra", "- Chủ động phối hợp các địa phương"),
            counter_examples=("Phối hợp thực hiện", "Sở Y tế phối hợp Công an tỉnh"),
            why="a clause opening 'Phối hợp X …': X cooperates with the clause's doer",
        ),
    ],
)

OBJECT_VERB = RuleTable(
    "object_verb",
    doc="Verbs whose object is another agency's doer: 'chỉ đạo Trung tâm X phối hợp với Y' makes Y the "
        "partner of Trung tâm X (the object), not of the assignment's lead. Asked with finditer.",
    mode="search",
    prefix=r"(?<![^\W\d_])(?:",
    suffix=r")\s+",
    flags=re.IGNORECASE,
    rules=[
        Rule(
            "directs",
            r"chỉ\s+đạo|hướng\s+dẫn|đôn\s+đốc",
            examples=("chỉ đạo Trung tâm Y tế", "hướng dẫn các xã", "đôn đốc các đơn vị"),
            counter_examples=("chỉ đạo:", "sự lãnh đạo"),
            why="'chỉ đạo/hướng dẫn/đôn đốc X …': X does what follows",
        ),
        Rule(
            "asks",
            r"yêu\s+cầu|giao(?:\s+cho)?|đề\s+nghị",
            examples=("yêu cầu Công an xã", "giao cho Phòng Kinh tế", "đề nghị Sở Y tế"),
            counter_examples=("đề nghị:", "được giao."),
            why="'yêu cầu/giao (cho)/đề nghị X …': X does what follows",
        ),
        Rule(
            "invites",
            r"mời",
            examples=("mời đại diện Sở Y tế",),
            counter_examples=("mới đây",),
            why="'mời X …': X attends or does what follows",
        ),
    ],
)

NOT_A_BODY = RuleTable(
    "not_a_body",
    doc="The words that open a subject the lexicon does not know ('Tổ công tác có nhiệm vụ …' names a "
        "body of the letter's own): a match says the subject is no body ('Cán bộ … có trách nhiệm').",
    prefix=r"^(?:",
    suffix=r")" + WORD_END,
    flags=re.IGNORECASE,
    rules=[
        Rule(
            "persons",
            r"người|cán\s+bộ|công\s+chức|viên\s+chức|ông|bà|tập\s+thể|cá\s+nhân",
            examples=("Cán bộ được giao", "Người đứng đầu", "Tập thể, cá nhân"),
            counter_examples=("Ban chỉ đạo",),
            why="people, not a body: 'Người đứng đầu … có trách nhiệm', 'Cán bộ … có nhiệm vụ'",
        ),
        Rule(
            "a_whole_class",
            r"mọi|tất\s+cả|các|những|mỗi|từng",
            examples=("Mọi tổ chức", "Các thành viên", "Từng thành viên"),
            counter_examples=("Cácbon",),
            why="'Các thành viên …', 'Mỗi tổ chức …': a class, no one body to follow up",
        ),
        Rule(
            "the_public",
            r"hộ|nhân\s+dân|học\s+sinh|doanh\s+nghiệp",
            examples=("Hộ gia đình", "Doanh nghiệp kinh doanh"),
            counter_examples=("Hội đồng thẩm định",),
            why="households, citizens, pupils, businesses: not offices the tracker follows up",
        ),
        Rule(
            "unnamed_unit",
            r"đơn\s+vị|cơ\s+quan|địa\s+phương",
            examples=("Đơn vị thi công", "Cơ quan được giao"),
            counter_examples=("Tổ công tác",),
            why="'Đơn vị …', 'Cơ quan …' without a name: the lexicon's generic groups, not a body",
        ),
        Rule(
            "a_thing_or_pronoun",
            r"ai|đây|việc|nội\s+dung|kết\s+quả|điều",
            examples=("Việc kiểm tra", "Nội dung này", "Điều này"),
            counter_examples=("Đoàn kiểm tra",),
            why="'Việc …', 'Điều này …': the subject is a thing or a pronoun",
        ),
    ],
)


# -- words before the subject of a clause ------------------------------------------------------------

CLAUSE_LEAD_IN = RuleTable(
    "clause_lead_in",
    doc="Words that may open a clause before its subject (after a bullet): the subject is looked for "
        "after them ('Đồng thời, Sở Y tế …', 'Để bảo đảm tiến độ, Sở Tài chính …'). The reader takes "
        "the end of the table's match (RuleTable.match_object), else the end of the bullet.",
    prefix=r"^\s*(?:[-+•]\s*)?(?:",
    suffix=r")",
    flags=re.IGNORECASE,
    rules=[
        Rule(
            "connective",
            r"(?:đồng\s+thời|ngoài\s+ra|riêng|trong\s+đó|sau\s+đó|tiếp\s+đó)\s*,?\s+",
            examples=("Đồng thời, Sở Y tế", "- Riêng Sở Tài chính", "trong đó Công an tỉnh"),
            counter_examples=("Đồng thời:", "Riêng"),
            why="'Đồng thời, …', 'Riêng …', 'Trong đó …': a link to what came before; the subject follows",
        ),
        Rule(
            "purpose_or_grounds",
            r"(?:căn\s+cứ|trên\s+cơ\s+sở|để|nhằm)[^,;:]{0,160},\s*",
            examples=("Để bảo đảm tiến độ, Sở Tài chính", "Căn cứ kết quả kiểm tra, Sở Xây dựng",
                      "Trên cơ sở đề xuất của các xã, Sở Nội vụ"),
            counter_examples=("Để bảo đảm tiến độ; Sở Tài chính", "Căn cứ Luật Ngân sách nhà nước:"),
            why="'Để …, ', 'Căn cứ …, ': the purpose or the grounds, up to the comma; the subject follows",
        ),
        Rule(
            "time_frame",
            r"(?:trong\s+thời\s+gian|trong\s+quá\s+trình)[^,;:]{0,160},\s*",
            examples=("Trong thời gian chờ hướng dẫn, Sở Y tế", "Trong quá trình thực hiện, các đơn vị"),
            counter_examples=("Trong thời gian tới Sở Y tế tiếp tục",),
            why="'Trong thời gian …, ', 'Trong quá trình …, ': when, up to the comma; the subject follows",
        ),
    ],
)


# -- a whole class of agencies -----------------------------------------------------------------------

GROUP_NAME = RuleTable(
    "group_name",
    doc="An agency name (folded: no marks, lower case) that names a whole class of agencies ('UBND các "
        "huyện', 'Công an các xã', 'các sở, ngành'), not one body whose name has 'các' in it ('Ban Quản lý "
        "các khu công nghiệp tỉnh').",
    mode="search",
    rules=[
        Rule(
            "opens_with_a_plural",
            r"^(?:cac |uy ban nhan dan cac |uy ban nhan dan cap )",
            examples=("cac so, nganh", "uy ban nhan dan cac huyen", "uy ban nhan dan cap xa"),
            counter_examples=("uy ban nhan dan tinh", "cac"),
            why="'các sở …', 'UBND các huyện', 'UBND cấp xã': the name opens with a plural or a level",
        ),
        Rule(
            "plural_kind_inside",
            r" cac (?:tinh|thanh pho|huyen|quan|thi xa|xa|phuong|thi tran|dia phuong|don vi|co quan|so|ban|nganh|"
            r"bo|truong|benh vien|vien|cuc|chi cuc|trung tam|doanh nghiep|hoi|to chuc|cap)\b",
            examples=("cong an cac xa", "phong giao duc cac huyen", "giam doc cac so"),
            counter_examples=("ban quan ly cac khu cong nghiep tinh", "hiep hoi cac nha san xuat"),
            why="'Công an các xã', 'Giám đốc các sở': a kind of unit made plural inside the name",
        ),
    ],
)
