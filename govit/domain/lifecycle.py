"""Project states and the transition table (API.md 'States' and 'Actions')."""
from .errors import InvalidTransition

DRAFT = "draft"
JOINT_REVIEW = "joint_review"
SUPPLEMENT_REQUESTED = "supplement_requested"
REVIEW_PASSED = "review_passed"
REVIEW_FAILED = "review_failed"
TERMINATED = "terminated"

STATES = [
    DRAFT, JOINT_REVIEW, SUPPLEMENT_REQUESTED, REVIEW_PASSED, REVIEW_FAILED, "planned",
    "feasibility_review", "feasibility_approved", "design_review", "design_approved",
    "in_construction", "suspended", "completed", "acceptance_review", "in_operation",
    "self_evaluated", "closed", TERMINATED,
]

STATE_LABELS = {
    DRAFT: "草稿", JOINT_REVIEW: "联合审核中", SUPPLEMENT_REQUESTED: "待陈述和补正",
    REVIEW_PASSED: "联合审核通过", REVIEW_FAILED: "联合审核未通过", "planned": "已列入年度计划",
    "feasibility_review": "可研审批中", "feasibility_approved": "可研已批复",
    "design_review": "初设审批中", "design_approved": "初设已批复",
    "in_construction": "建设中", "suspended": "已暂停", "completed": "已完工",
    "acceptance_review": "验收中", "in_operation": "运行中", "self_evaluated": "已自评价",
    "closed": "已关闭", TERMINATED: "已终止",
}

# R-RETURN: the states that wait for an approver (feasibility_approved only on the merged path)
RETURNABLE = frozenset({"feasibility_review", "design_review", "design_approved", "feasibility_approved"})

# action -> (states it may start from, state it leads to); None keeps the state.
# The review result (R-REVIEW-RESULT) is decided in review.py, so `record_opinion` keeps the state
# and `conclude_review` moves it.
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "edit": (frozenset({DRAFT, SUPPLEMENT_REQUESTED}), None),
    "submit": (frozenset({DRAFT}), JOINT_REVIEW),
    "record_opinion": (frozenset({JOINT_REVIEW, SUPPLEMENT_REQUESTED}), None),
    "request_supplement": (frozenset({JOINT_REVIEW, SUPPLEMENT_REQUESTED}), SUPPLEMENT_REQUESTED),
    "answer_supplement": (frozenset({SUPPLEMENT_REQUESTED}), JOINT_REVIEW),
    "call_expert_review": (frozenset({JOINT_REVIEW, SUPPLEMENT_REQUESTED}), None),
    # R-REVIEW-EXPERT: an open expert evaluation can always be finished, whatever came since
    "finish_expert_review": (frozenset(STATES), None),
    "conclude_review": (frozenset({JOINT_REVIEW}), None),
    "enter_plan": (frozenset({REVIEW_PASSED}), "planned"),  # R-PLAN-OCT31 / R-PLAN-URGENT
    # approval (第十五–十九条)
    "submit_feasibility": (frozenset({"planned"}), "feasibility_review"),
    "approve_feasibility": (frozenset({"feasibility_review"}), "feasibility_approved"),
    "submit_design": (frozenset({"feasibility_approved"}), "design_review"),
    "return_to_feasibility": (frozenset({"design_review"}), "feasibility_review"),  # deprecated name of ↓
    "send_back_to_feasibility": (frozenset({"design_review"}), "feasibility_review"),  # R-DESIGN-DEVIATION
    "decide_deviation": (frozenset({"design_review"}), None),  # ndrc; refeasibility moves it as ↑
    "approve_design": (frozenset({"design_review"}), "design_approved"),
    "record_gov_approval": (frozenset({"design_approved", "feasibility_approved"}), "in_construction"),
    # R-RETURN: the approvers' other answers; `return` goes back to where the department resubmits
    # (RETURN_TARGETS), a refusal ends the approval unless an appeal is upheld (back to that review)
    "return": (RETURNABLE, None),
    "refuse": (RETURNABLE, TERMINATED),
    "appeal": (frozenset({TERMINATED}), None),
    "decide_appeal": (frozenset({TERMINATED}), None),
    # construction to post-evaluation (第二十五–三十三条); a suspension stops every construction action
    "file_budget_change": (frozenset({"in_construction"}), None),
    "report_progress": (frozenset({"in_construction"}), None),
    "file_performance_report": (frozenset({"in_construction"}), None),
    "report_incident": (frozenset({"in_construction", "suspended"}), None),
    "order_rectification": (frozenset({"in_construction", "suspended"}), None),
    "suspend": (frozenset({"in_construction"}), "suspended"),
    "resume": (frozenset({"suspended"}), "in_construction"),
    "complete": (frozenset({"in_construction"}), "completed"),
    "request_extension": (frozenset({"completed"}), None),
    "decide_extension": (frozenset({"completed"}), None),
    "apply_acceptance": (frozenset({"completed"}), "acceptance_review"),
    "accept": (frozenset({"acceptance_review"}), "in_operation"),
    # R-JOINT-ACCEPT: opinions in parallel; a refusal returns the project to apply again
    "record_acceptance_opinion": (frozenset({"acceptance_review"}), None),
    "reject_acceptance": (frozenset({"acceptance_review"}), "completed"),
    "confirm_classification": (frozenset(s for s in STATES if s not in (TERMINATED, "closed")), None),
    "consent_supplement": (frozenset({JOINT_REVIEW, SUPPLEMENT_REQUESTED}), None),  # R-SUPPLEMENT-ONCE
    "self_evaluate": (frozenset({"in_operation"}), "self_evaluated"),
    "post_evaluate": (frozenset({"self_evaluated"}), "closed"),
    "close": (frozenset({"self_evaluated"}), "closed"),
    "terminate": (frozenset(s for s in STATES if s not in (TERMINATED, "closed")), TERMINATED),
}

RETURN_TARGETS = {"feasibility_review": "planned", "design_review": "feasibility_approved",
                  "design_approved": "feasibility_approved", "feasibility_approved": "planned"}

ACTION_LABELS = {
    "create": "创建项目草稿", "edit": "修改申报内容", "submit": "统一申报",
    "upload_document": "上传材料", "opinion": "出具审核意见",
    "request_supplement": "要求陈述和补正", "answer_supplement": "陈述和补正",
    "call_expert_review": "组织专家评估论证", "finish_expert_review": "专家评估论证完成",
    "conclude_review": "联合审核结论", "terminate": "终止项目", "fulfil_rongque": "补齐容缺材料",
    "add_to_plan": "列入年度计划（编制）", "remove_from_plan": "移出年度计划（编制）",
    "enter_plan": "年度计划经省政府批准", "insert_urgent": "申请紧急增补",
    "approve_insertion": "同意紧急增补", "record_insertion": "登记紧急增补批复",
    "plan_item_comment": "财政厅审核意见",
    "submit_feasibility": "报送可行性研究报告", "approve_feasibility": "批复可行性研究报告",
    "submit_design": "报送初步设计和概算", "return_to_feasibility": "重大变更，退回可研审批",
    "send_back_to_feasibility": "退回重新报批可研", "decide_deviation": "发改委决定是否重新报批可研",
    "return": "退回修改", "refuse": "不予批准", "appeal": "申诉", "decide_appeal": "申诉决定",
    "approve_design": "批复初步设计和概算", "record_gov_approval": "登记省政府审定",
    "file_budget_change": "预算调整", "approve_budget_change": "审批预算调整",
    "record_settlement": "登记结算", "record_surplus_return": "登记结余资金上缴",
    "report_progress": "报告建设进度", "file_performance_report": "报送年度绩效评价报告",
    "report_incident": "报告严重延误或重大损失", "order_rectification": "责令整改", "suspend": "暂停项目",
    "resume": "恢复建设", "complete": "完工", "request_extension": "申请延期验收",
    "decide_extension": "延期验收决定", "apply_acceptance": "申请竣工验收", "accept": "竣工验收",
    "acceptance_opinion": "出具验收意见", "reject_acceptance": "验收未通过，退回建设单位",
    "confirm_classification": "保密办确认涉密属性", "consent_supplement": "同意再次要求补正",
    "self_evaluate": "提交自评价", "post_evaluate": "第三方后评价", "close": "关闭项目",
    "deadline_recomputed": "期限重新计算（导入节假日安排）",  # R-CAL-CONFIRM
}


def next_state(action: str, state: str) -> str:
    """The state after `action`, or InvalidTransition when the table forbids it."""
    allowed, target = TRANSITIONS.get(action, (frozenset(), None))
    if state not in allowed:
        raise InvalidTransition(action, STATE_LABELS.get(state, state))
    if action == "return":
        return RETURN_TARGETS[state]  # R-RETURN
    return target or state
