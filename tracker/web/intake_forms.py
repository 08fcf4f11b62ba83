"""Forms of the registration pages: the upload or paste form, and the proposal the clerk corrects."""

from __future__ import annotations

from tracker.web.forms import Form as FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, FieldList, Form, FormField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from tracker.web.params import date_in_range

INVALID_DATE = "Ngày không hợp lệ (ví dụ: 30/09/2019)."
OUT_OF_RANGE_DATE = "Ngày không hợp lệ: chỉ nhận ngày từ năm 1900 đến năm 2100."
#: shown and typed as dd/mm/yyyy whatever the browser's locale; ISO accepted too
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATE_INPUT = {"type": "text", "inputmode": "numeric", "placeholder": "dd/mm/yyyy", "autocomplete": "off",
              "class": "date"}
URGENCIES = ["", "Khẩn", "Thượng khẩn", "Hỏa tốc"]


def check_dates(fields) -> bool:
    """Give the date fields of a form Vietnamese messages: a date that does not exist, or one outside the
    years people may enter (01/01/0001 or 31/12/9999 are typing mistakes, and no working day can be counted
    to them). Returns whether every date is fine."""
    fine = True
    for field in fields:
        field.errors = [INVALID_DATE if "Not a valid date" in str(e) else e for e in field.errors]
        typed = " ".join(field.raw_data or [])
        if field.data is not None and not field.errors:
            if not typed.isascii():  # strptime's %d and %Y take any Unicode digit too
                field.errors = [INVALID_DATE]
            elif not date_in_range(field.data):
                field.errors = [OUT_OF_RANGE_DATE]
        fine = fine and not field.errors
    return fine


class UploadForm(FlaskForm):
    """A letter file, or its text pasted."""

    file = FileField("Tệp văn bản (.docx, .pdf, .txt, .xml, bản quét .png, .jpg, .tif)")
    text = TextAreaField("Hoặc dán nội dung văn bản", validators=[Optional(), Length(max=400_000)])


class TaskRowForm(Form):
    """One proposed task."""

    agency = StringField("Cơ quan", validators=[Optional(), Length(max=255)])
    role = SelectField("Vai trò", choices=[SelectChoice("lead", "Chủ trì"), SelectChoice("cooperate", "Phối hợp")])
    summary = TextAreaField("Nội dung", validators=[Optional(), Length(max=4000)])
    deadline = DateField("Hạn xử lý", validators=[Optional()], format=DATE_FORMATS, render_kw=DATE_INPUT)
    deadline_text = HiddenField()
    recurrence = HiddenField()
    create_agency = BooleanField("Thêm vào danh mục")
    remove = BooleanField("Bỏ dòng này")
    #: the position of the proposed row this row shows (see tracker.intake.proposal_record); blank on an added row
    proposed = HiddenField()


class ConfirmForm(FlaskForm):
    """The header and the task table, as proposed and then corrected."""

    submission_key = HiddenField()
    #: names the clerk's pending upload kept on the server; never a path or a hash (see PendingUpload)
    upload_token = HiddenField()
    full_text = HiddenField()
    extras = HiddenField()  # JSON: references, enclosed letters, printed stamp — carried unchanged
    #: the proposal as shown (tracker.intake.proposal_record.snapshot), signed so that its figures are the reader's
    proposal = HiddenField()
    received_on = DateField("Ngày đến", validators=[DataRequired(INVALID_DATE)], format=DATE_FORMATS, render_kw=DATE_INPUT)
    number = StringField("Số, ký hiệu", validators=[Optional(), Length(max=120)])
    doc_type = StringField("Loại văn bản", validators=[Optional(), Length(max=60)])
    issuer = StringField("Cơ quan ban hành", validators=[DataRequired("Nhập cơ quan ban hành."), Length(max=255)])
    place = StringField("Nơi ban hành", validators=[Optional(), Length(max=120)])
    issued_on = DateField("Ngày văn bản", validators=[Optional()], format=DATE_FORMATS, render_kw=DATE_INPUT)
    subject = TextAreaField("Trích yếu", validators=[DataRequired("Nhập trích yếu."), Length(max=4000)])
    recipients = TextAreaField("Kính gửi (mỗi dòng một nơi)", validators=[Optional(), Length(max=4000)])
    signer = StringField("Người ký", validators=[Optional(), Length(max=160)])
    signer_title = StringField("Chức vụ người ký", validators=[Optional(), Length(max=160)])
    urgency = SelectField("Độ khẩn", choices=[SelectChoice(u, u or "Thường") for u in URGENCIES])
    tasks = FieldList(FormField(TaskRowForm), min_entries=0, max_entries=300)

    def validate(self, extra_validators=None):
        """Standard checks, with Vietnamese messages for dates that do not exist."""
        valid = super().validate(extra_validators)
        return check_dates((self.received_on, self.issued_on, *(row.form.deadline for row in self.tasks))) and valid
