"""Planted mistakes and unusual inputs: a demo that validates perfectly shows
nothing, so typical slips go into one branch per college and valid-but-unusual
inputs (dates as text, 微信, full-width IDs) into another, each recorded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from dj_addin.demo.people import Generator
from dj_addin.demo.units import FIRST_DATA_ROW, PlantedMistake, UnitBook, University
from dj_addin.demo.values import CLOSED, ONLINE


_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


class _Planter:
    """Changes rows of one branch's sheets and records each change."""

    def __init__(self, g: Generator, uni: University, book: UnitBook) -> None:
        self.g, self.uni, self.book = g, uni, book
        self.used: set[tuple[str, int]] = set()

    def pick(self, sheet: str, test: Callable[[dict[str, Any]], bool] = lambda r: True) -> int | None:
        rows = self.book.rows[sheet]
        candidates = [i for i, r in enumerate(rows) if (sheet, i) not in self.used and test(r)]
        if not candidates:
            return None
        i = self.g.rng.choice(candidates)
        self.used.add((sheet, i))
        return i

    def put(self, sheet: str, i: int, column: str, value: Any, what: str, rule: str | None = None,
            expected: Any = None) -> None:
        self.book.rows[sheet][i][column] = value
        self.uni.planted.append(PlantedMistake(self.book.code, sheet, i + FIRST_DATA_ROW, column, value, what,
                                               rule, expected))

    # ---- slips validation must report ------------------------------------

    def typo_member_id(self) -> None:
        roster = self.g.ids  # every ID in the university: the typo must match nobody, even after merging
        i = self.pick("contact_log", lambda r: len(r["member_id"]) >= 6)
        if i is None:
            return
        good = self.book.rows["contact_log"][i]["member_id"]
        digits = list(good)
        for k in range(len(digits) - 2, 0, -1):  # swap two neighbouring digits that differ
            if digits[k] != digits[k + 1]:
                digits[k], digits[k + 1] = digits[k + 1], digits[k]
                if "".join(digits) not in roster:
                    break
                digits = list(good)
        typo = "".join(digits)
        if typo == good or typo in roster:
            typo = good[:-1] + ("9" if good[-1] != "9" else "8") + "0"
        self.put("contact_log", i, "member_id", typo, f"党员编号输错（应为 {good}），名册中没有这个编号", "R002")

    def bad_date(self, text: str) -> None:
        i = self.pick("contact_log")
        if i is not None:
            self.put("contact_log", i, "date", text, f"联系日期写成不存在的日期「{text}」", "C002")

    def closed_without_date(self) -> None:
        i = self.pick("contact_log", lambda r: r["handling"] == CLOSED)
        if i is None:
            i = self.pick("contact_log", lambda r: r["request"] is not None)
            if i is None:
                return
            self.book.rows["contact_log"][i]["handling"] = CLOSED
        self.put("contact_log", i, "closed_date", None, "办理情况为“已办结”，但没有填办结日期", "R007")

    def outside_list(self, value: str) -> None:
        i = self.pick("contact_log")
        if i is not None:
            self.put("contact_log", i, "method", value, f"联系方式填了下拉列表以外的「{value}」", "C005")

    # ---- unusual inputs a good reader accepts -----------------------------

    def date_as_text(self, form: str) -> None:
        i = self.pick("contact_log")
        if i is None:
            return
        d: dt.date = self.book.rows["contact_log"][i]["date"]
        text = {"slash": f"{d.year}/{d.month}/{d.day}", "dot": f"{d.year}.{d.month}.{d.day}",
                "chinese": f"{d.year}年{d.month}月{d.day}日", "compact": d.strftime("%Y%m%d")}[form]
        self.put("contact_log", i, "date", text, f"联系日期以文本「{text}」录入（可接受的写法）", expected=d)

    def wechat(self) -> None:
        i = self.pick("contact_log", lambda r: r["method"] == ONLINE)
        if i is not None:
            self.put("contact_log", i, "method", "微信", "联系方式写成“微信”（同义词，读作 电话/网络）",
                     expected=ONLINE)

    def resolved_synonym(self) -> None:
        i = self.pick("contact_log", lambda r: r["handling"] == CLOSED and r["closed_date"] is not None)
        if i is not None:
            self.put("contact_log", i, "handling", "已解决", "办理情况写成“已解决”（同义词，读作 已办结）",
                     expected=CLOSED)

    def fullwidth_id(self) -> None:
        i = self.pick("contact_log", lambda r: r["member_id"].isdigit())
        if i is not None:
            good = self.book.rows["contact_log"][i]["member_id"]
            wide = good.translate(_FULLWIDTH)
            self.put("contact_log", i, "member_id", wide, "党员编号用全角数字录入（读作半角）", expected=good)

    def mixed_separators(self) -> None:
        i = self.pick("activities", lambda r: len(r["member_ids"]) >= 3)
        if i is not None:
            ids = self.book.rows["activities"][i]["member_ids"]
            text = f"{ids[0]}，{ids[1]} " + "；".join(ids[2:])
            self.put("activities", i, "member_ids", text, "参与党员编号用逗号、空格和分号混合分隔（可接受）",
                     expected=ids)


def plant(g: Generator, uni: University) -> None:
    """Slips in one branch per college; unusual but valid inputs in another."""
    year = uni.year
    for n, college in enumerate(uni.colleges):
        flawed, unusual = g.rng.sample(college.branches, 2)
        p = _Planter(g, uni, flawed)
        if n % 2 == 0:
            p.typo_member_id()
            p.bad_date(f"{year}-13-05")
            p.closed_without_date()
        else:
            p.bad_date(f"{year}年2月30日")
            p.outside_list("当面交流")
            p.typo_member_id()
        q = _Planter(g, uni, unusual)
        for form in ("slash", "chinese", "compact") if n % 2 == 0 else ("dot", "slash"):
            q.date_as_text(form)
        q.wechat()
        q.fullwidth_id()
        q.resolved_synonym()
        q.mixed_separators()
