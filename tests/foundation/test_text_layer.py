"""The one Vietnamese text layer (tracker.text) that search, name matching and the reader share."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from tracker.extraction import names
from tracker.extraction import text as reader_text
from tracker.text import fold, fold_keep_length, fold_words, words


def test_the_three_folds_say_what_each_is_for():
    assert fold("Ủy ban  nhân dân, TỈNH Đắk Lắk") == "uy ban nhan dan, tinh dak lak"  # search keeps punctuation
    assert fold_words("Sở Lao động - TB&XH") == "so lao dong tb xh"  # names compare word by word
    printed = "Giao Sở Y tế chủ trì"
    folded = fold_keep_length(printed)
    at = folded.index("so y te")
    assert printed[at:at + len("so y te")] == "Sở Y tế"  # a place in the folded text is a place in the print


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80))
def test_folding_with_positions_keeps_the_length(text):
    assert len(fold_keep_length(text)) == len(text)


@given(st.text(max_size=60))
def test_name_folding_does_not_depend_on_how_the_text_is_encoded(text):
    assert fold_words(unicodedata.normalize("NFD", text)) == fold_words(unicodedata.normalize("NFC", text))


def test_the_reader_uses_the_shared_layer():
    """One implementation: the reader's fold functions are the shared ones, not copies."""
    assert names.fold is fold_words
    assert names.fold_keep_length is fold_keep_length
    assert reader_text.fold is fold_keep_length


def test_words_carry_their_offsets():
    text = "Sở Tài chính (Phòng Ngân sách) báo cáo."
    found = words(text)
    assert [w.printed for w in found][:3] == ["Sở", "Tài", "chính"]
    assert all(text[w.start:w.end] == w.printed for w in found)
    assert found[0].folded == "so"
