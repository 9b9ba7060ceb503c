"""Search across projects (issue 19, Build 4): Chinese has no spaces, so a project's text is cut
into words with jieba once, when it is written, and each word kept with its weight (an inverted
index); a query is cut the same way and each of its words is looked up whole. Plain data only."""
import logging
import re

import jieba

jieba.setLogLevel(logging.WARNING)
_KEEP = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
# words every project says: matching them ranks nothing
COMMON = frozenset("的 和 与 及 等 对 在 为 了 是 将 按 由 以 并 或 其 中 个 项 年 月 上 下 内 后 前 "
                   "进行 实现 开展 通过 相关 有关 主要 工作 建设 项目".split())
# what a hit in each place is worth: the name and 项目代码 say most, the department next, content least
WEIGHTS = {"code": 8, "name_phrase": 6, "title": 3, "department": 2, "body": 1}
MAX_WORDS = 8  # a pasted paragraph is cut to its first words: each one is a pass over the projects


def words(text: str) -> list[str]:
    """The text's search words, fine-grained (cut_for_search: 人力资源 also gives 人力, 资源), lower
    case, in order, each once; punctuation and COMMON words left out."""
    seen: dict[str, None] = {}
    for word in jieba.cut_for_search((text or "").lower()):
        word = word.strip()
        if word and _KEEP.search(word) and word not in COMMON and (len(word) > 1 or not word.isascii()):
            seen.setdefault(word, None)
    return list(seen)


WORD_LENGTH = 64  # longer "words" (a pasted URL) are left out of the index


def weighted_words(title: str, *body: str) -> dict[str, int]:
    """{word: weight} of a project: a word of the name weighs WEIGHTS["title"], of the content or
    goals WEIGHTS["body"], a word in both the sum."""
    in_title, in_body = set(words(title)), {w for text in body for w in words(text)}
    return {word: WEIGHTS["title"] * (word in in_title) + WEIGHTS["body"] * (word in in_body)
            for word in in_title | in_body if len(word) <= WORD_LENGTH}


def query_words(query: str) -> list[str]:
    """The words of what was typed, at most MAX_WORDS; a single character typed alone is kept."""
    found = words(query)
    if not found and (query or "").strip():
        found = [query.strip().lower()]
    return found[:MAX_WORDS]
