"""Base form with WTForms' built-in messages in Vietnamese (WTForms ships no Vietnamese catalogue)."""

from __future__ import annotations

from flask_wtf import FlaskForm

MESSAGES = {
    "This field is required.": "Trường này là bắt buộc.",
    "Not a valid choice.": "Lựa chọn không hợp lệ.",
    "Not a valid date value.": "Ngày không hợp lệ (ví dụ: 30/09/2019).",
    "Not a valid datetime value.": "Thời điểm không hợp lệ.",
    "Not a valid integer value.": "Phải là một số nguyên.",
    "Not a valid decimal value.": "Phải là một số.",
    "Not a valid float value.": "Phải là một số.",
    "Invalid input.": "Giá trị không hợp lệ.",
    "Invalid email address.": "Địa chỉ thư không hợp lệ.",
    "Invalid Choice: could not coerce.": "Lựa chọn không hợp lệ.",
    "Invalid value, must be one of: %(values)s.": "Giá trị phải là một trong: %(values)s.",
    "Field must be at least %(min)d character long.": "Cần ít nhất %(min)d ký tự.",
    "Field cannot be longer than %(max)d character.": "Không được dài quá %(max)d ký tự.",
    "Field must be between %(min)d and %(max)d characters long.": "Độ dài phải từ %(min)d đến %(max)d ký tự.",
    "Number must be at least %(min)s.": "Số phải ít nhất là %(min)s.",
    "Number must be at most %(max)s.": "Số không được lớn hơn %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Số phải từ %(min)s đến %(max)s.",
    "The CSRF token is missing.": "Biểu mẫu thiếu mã bảo vệ; vui lòng tải lại trang.",
    "The CSRF token has expired.": "Biểu mẫu đã hết hạn; vui lòng tải lại trang.",
    "The CSRF token is invalid.": "Biểu mẫu không hợp lệ; vui lòng tải lại trang.",
    "File does not have an approved extension: {extensions}": "Loại tệp không được chấp nhận: {extensions}",
}


class VietnameseTranslations:
    """A gettext-like object for WTForms' own messages; unknown messages pass through."""

    def gettext(self, message: str) -> str:
        """The Vietnamese text of a WTForms message."""
        return MESSAGES.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Vietnamese has no plural forms: one text serves both."""
        return MESSAGES.get(singular, MESSAGES.get(plural, singular if n == 1 else plural))


VIETNAMESE = VietnameseTranslations()


class Form(FlaskForm):
    """Every form of the site: CSRF from Flask-WTF, messages in Vietnamese."""

    class Meta:
        def get_translations(self, form):
            """WTForms' messages in Vietnamese."""
            return VIETNAMESE
