"""R-NO-SPLIT on real Chinese proposal texts (jieba segmentation, TF-IDF cosine)."""
from govit.domain.similarity import close_matches, scores, words

MEDICAL_FUND = (
    "全省医保基金智能监控系统。建设目标：利用大数据对定点医药机构的医保结算数据进行实时监控，"
    "识别欺诈骗保、过度诊疗等违规行为，保障医保基金安全。建设内容：建设规则引擎、知识库、"
    "事前提醒、事中审核和事后监管三个子系统，接入全省定点医疗机构。技术路线：基于省政务云，采用大数据平台和规则引擎。")
REWORDED = (
    "医疗保障基金使用智能审核监管平台。目标是依托大数据技术，对全省定点医疗机构和药店的医保结算数据开展实时监测，"
    "发现欺诈骗保和过度医疗等违规问题，守护医保基金安全。内容包括规则库、知识库建设，以及事前提醒、事中审核、"
    "事后监管子系统，接入全部定点医药机构。技术路线：部署于省级政务云，使用大数据平台与规则引擎。")
SAME_FIELD = (
    "医保电子凭证应用推广项目。建设目标：推动医保电子凭证在全省定点医药机构全面应用，实现扫码就医、"
    "移动支付。建设内容：改造医院和药店收费系统接口，建设电子凭证受理终端管理模块。技术路线：对接国家医保信息平台。")
EDUCATION = (
    "全省教育数据中台建设项目。建设目标：汇聚全省学前教育到高等教育各阶段数据，形成教育数据资源体系，"
    "支撑教育决策。建设内容：数据采集、数据治理、数据服务和可视化分析。技术路线：基于省政务云大数据平台。")
THRESHOLD = 0.45  # the default GOVIT_SIMILARITY_THRESHOLD


def test_words_are_segmented_chinese_without_stopwords():
    found = words("建设全省统一的电子证照共享平台，实现跨部门数据共享")
    assert "电子" in found and "证照" in found and "的" not in found and "建设" not in found


def test_r_no_split_reworded_duplicate_flagged_same_field_project_not():
    """R-NO-SPLIT: the same goal reworded is a close match; another 医保 project is not."""
    near, unrelated, other_field = scores(MEDICAL_FUND, [REWORDED, SAME_FIELD, EDUCATION])
    print(f"\nR-NO-SPLIT scores: reworded duplicate {near:.4f}; same-field unrelated {unrelated:.4f}; "
          f"other field {other_field:.4f}; threshold {THRESHOLD}")
    assert near >= THRESHOLD > unrelated
    assert near > 2 * unrelated
    assert close_matches(MEDICAL_FUND, [(1, REWORDED), (2, SAME_FIELD), (3, EDUCATION)], THRESHOLD) == [(1, near)]


def test_r_no_split_empty_and_stopword_texts_score_zero():
    assert scores("建设", ["项目"]) == [0.0]
    assert scores(MEDICAL_FUND, []) == []
