"""Issue 19, finding 6 and Build 4: departments named the way people name them; search words."""
import pytest

from govit.domain.departments import match_departments, resolve_department
from govit.domain.errors import InvalidInput
from govit.domain.search import MAX_WORDS, WEIGHTS, WORD_LENGTH, query_words, weighted_words, words

DEPARTMENTS = {"RST": "省人力资源和社会保障厅", "JTT": "省交通运输厅", "JYT": "省教育厅", "CZT": "省财政厅"}


@pytest.mark.parametrize("typed, code", [
    ("RST", "RST"), ("rst", "RST"), (" RST ", "RST"), ("省人力资源和社会保障厅", "RST"),  # code, exact name
    ("人力资源", "RST"), ("人社厅", "RST"), ("人 社 厅", "RST"), ("交通", "JTT"), ("交通厅", "JTT"),
    ("教育", "JYT")])
def test_a_department_is_found_by_code_name_part_or_short_name(typed, code):
    assert resolve_department(typed, DEPARTMENTS) == code


@pytest.mark.parametrize("typed", ["省气象局", "社人厅", "人", "X", ""])
def test_an_unknown_or_too_short_name_finds_nothing(typed):
    """Out of order (社人厅) is not a short name; one character other than a code is too little."""
    assert match_departments(typed, DEPARTMENTS) == []


def test_an_unknown_department_is_refused_saying_what_to_type():
    with pytest.raises(InvalidInput) as refused:
        resolve_department("省气象局", DEPARTMENTS, "co_departments")
    assert "没有名为“省气象局”的部门" in refused.value.fields["co_departments"]


def test_an_ambiguous_name_is_refused_naming_the_candidates():
    """省 …厅 is in every name: the answer lists them and asks for the full name."""
    with pytest.raises(InvalidInput) as refused:
        resolve_department("省厅", DEPARTMENTS)
    assert "可指多个部门" in refused.value.fields["department"] and "省交通运输厅" in refused.value.fields["department"]


def test_the_best_kind_of_match_wins_over_weaker_ones():
    """A contained name beats a short-name match: 教育 is 教育厅, though 省…厅 would hold it in order too."""
    both = {"A": "省教育厅", "B": "省教学仪器育苗厅"}
    assert match_departments("教育", both) == ["A"]
    assert match_departments("教育厅", both) == ["A"]


def test_search_words_are_fine_grained_lower_case_and_each_once():
    found = words("人力资源和社会保障 人力资源 GIS平台，的")
    assert "人力资源" in found and "人力" in found and "资源" in found and "gis" in found
    assert found.count("人力资源") == 1 and "的" not in found and "，" not in found


def test_a_word_weighs_by_where_it_stands_the_name_above_the_content():
    found = weighted_words("社会保障卡平台", "社会保障卡在乘车场景通用", "群众满意率提升")
    assert found["社会保障"] == WEIGHTS["title"] + WEIGHTS["body"]  # in both
    assert found["乘车"] == WEIGHTS["body"] and found["满意率"] == WEIGHTS["body"]
    assert found["平台"] == WEIGHTS["title"]
    assert weighted_words("", "，。") == {}
    assert weighted_words("a" * WORD_LENGTH) == {"a" * WORD_LENGTH: WEIGHTS["title"]}
    assert weighted_words("a" * (WORD_LENGTH + 1)) == {}


def test_a_query_keeps_at_most_max_words_and_a_lone_character():
    assert len(query_words("交通 教育 卫生 财政 公安 审计 环境 农业 水利 林业")) == MAX_WORDS
    assert query_words("卡") == ["卡"] and query_words("   ") == []
