"""Sensitive columns are masked for the level above, and nothing else changes."""

from __future__ import annotations

from hypothesis import given, strategies as st

from builders import clean_rows, memory_book
from dj_addin import schema
from dj_addin.masking import mask_book, mask_value


def test_phone_keeps_first_three_and_last_four_digits():
    assert mask_value("13812345678") == "138****5678"
    assert mask_value(" 010-62751234 ") == "010****1234"
    assert mask_value("5678") == "****"
    assert mask_value(None) is None
    assert mask_value("") == ""


def test_masking_twice_changes_nothing():
    assert mask_value(mask_value("13812345678")) == "138****5678"


@given(st.text(max_size=30))
def test_no_run_of_digits_longer_than_four_survives(text):
    masked = str(mask_value(text) or "")
    digits_in_a_row = max((len(run) for run in "".join(c if c.isdigit() else " " for c in masked).split()), default=0)
    assert digits_in_a_row <= 4 or "*" in text


def test_book_is_masked_in_a_copy_and_the_original_is_unchanged():
    rows = clean_rows()
    rows["roster"][0]["phone"] = "13812345678"
    book = memory_book(rows=rows, meta={"phone": "13900001111"})
    masked = mask_book(book)
    roster = masked.frame(schema.ROSTER.key)
    first = roster.index[0]
    assert roster.at[first, "phone"] == "138****5678"
    assert masked.meta.get("phone") == "139****1111"
    # the input book is untouched, and columns that are not sensitive are equal
    assert book.frame(schema.ROSTER.key).at[first, "phone"] == "13812345678"
    assert book.meta.get("phone") == "13900001111"
    other = [c for c in roster.columns if c != "phone"]
    assert roster[other].equals(book.frame(schema.ROSTER.key)[other])
