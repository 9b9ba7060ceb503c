"""SQLAlchemy models: typed, small, no transitions and no commits (STYLE.md habit 6)."""
from .approval import ApprovalRecord, Baseline, BudgetChange, GovFund, Settlement
from .accounts import ApiToken, Department, User
from .calendar import CalendarDay, CalendarYear
from .construction import (Evaluation, ExtensionRequest, Incident, PerformanceReport,
                           ProgressReport)
from .history import Alert, ChainHead, Event, Notification, ScanLock
from .requests import RequestKey
from .plan import BlockOverride, DepartmentFlag, Plan, PlanItem, SimilarityMatch, UrgentInsertion
from .project import (AnnualInvestment, Document, ExpertReview, Opinion, Project,
                      ProjectParticipant, RongqueItem, Round, SubmissionBatch, SupplementRequest)

__all__ = [
    "Alert", "AnnualInvestment", "ApiToken", "ApprovalRecord", "Baseline", "BudgetChange", "GovFund", "Settlement", "BlockOverride", "DepartmentFlag", "Plan", "PlanItem",
    "SimilarityMatch", "UrgentInsertion", "CalendarDay", "CalendarYear", "ChainHead", "Department",
    "Document", "Evaluation", "Event", "ExtensionRequest", "Incident", "PerformanceReport",
    "ProgressReport", "ExpertReview", "Notification", "Opinion", "Project",
    "ProjectParticipant", "RequestKey", "RongqueItem", "Round", "ScanLock", "SubmissionBatch", "SupplementRequest", "User",
]
