"""R-NO-SPLIT (第八条, 第十四条): how close two proposals' goal, content and technical route are.

Chinese has no spaces, so texts are segmented with jieba; the measure is TF-IDF cosine similarity
(scikit-learn), fitted over the texts being compared so that words every proposal uses
("建设", "平台", "系统") weigh little and distinctive ones weigh much.
"""
import logging
import re

import jieba
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

jieba.setLogLevel(logging.WARNING)
STOPWORDS = frozenset("的 和 与 及 等 对 在 为 了 是 将 按 由 以 并 或 其 中 个 项 年 月 上 下 内 后 前 "
                      "进行 实现 开展 通过 相关 有关 主要 工作 建设 项目 系统 平台".split())
_KEEP = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


def words(text: str) -> list[str]:
    """Segmented words without punctuation, single characters or stopwords."""
    return [w for w in jieba.lcut(text or "") if len(w) > 1 and _KEEP.search(w) and w not in STOPWORDS]


def scores(target: str, others: list[str]) -> list[float]:
    """Cosine similarity (0..1) of `target` with each of `others`."""
    if not others:
        return []
    vectorizer = TfidfVectorizer(tokenizer=words, lowercase=False, token_pattern=None, sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform([target, *others])
    except ValueError:  # nothing but stopwords anywhere
        return [0.0] * len(others)
    return [round(float(s), 4) for s in cosine_similarity(matrix[0], matrix[1:])[0]]


def close_matches(target: str, candidates: list[tuple[int, str]], threshold: float) -> list[tuple[int, float]]:
    """(id, score) of the candidates at or above the threshold, best first."""
    found = zip([c[0] for c in candidates], scores(target, [c[1] for c in candidates]))
    return sorted(((i, s) for i, s in found if s >= threshold), key=lambda m: -m[1])
