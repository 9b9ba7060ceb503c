"""SQLAlchemy models: typed, small, no transitions and no commits (STYLE.md habit 6)."""
from .approval import ApprovalDecision, ApprovalRecord, Baseline, BudgetChange, GovFund, Settlement
from .accounts import ApiToken, Department, LoginSession, LoginThrottle, User
from .finance import Contract, ContractMilestone, Payment, Procurement
from .calendar import CalendarDay, CalendarYear
from .files import SealedFile
from .construction import (AcceptanceOpinion, Evaluation, ExtensionRequest, Incident, PerformanceReport,
                           ProgressReport)
from .ledger import LedgerBatch, LedgerEntry
from .history import Alert, AuditCheck, ChainHead, Event, Notification, PendingMail, ScanLock
from .letters import Letter, LetterCounter
from .requests import RequestKey
from .search import SearchWord
from .plan import BlockOverride, DepartmentFlag, Plan, PlanItem, SimilarityMatch, UrgentInsertion
from .project import (AnnualInvestment, Document, ExpertReview, Opinion, Project,
                      ProjectParticipant, RongqueItem, Round, SubmissionBatch, SupplementConsent,
                      SupplementRequest)

__all__ = [
    "AcceptanceOpinion", "SupplementConsent",
    "Alert", "AuditCheck", "AnnualInvestment", "ApprovalDecision", "ApiToken", "ApprovalRecord", "Baseline", "BudgetChange", "GovFund", "Settlement", "BlockOverride", "DepartmentFlag", "Plan", "PlanItem",
    "SimilarityMatch", "UrgentInsertion", "CalendarDay", "CalendarYear", "ChainHead", "Department",
    "Document", "Evaluation", "Event", "ExtensionRequest", "Incident", "PerformanceReport",
    "ProgressReport", "ExpertReview", "Notification", "Opinion", "Project",
    "LoginSession", "LoginThrottle",
    "ProjectParticipant", "RequestKey", "RongqueItem", "Round", "ScanLock", "SearchWord", "SubmissionBatch", "SupplementRequest", "User",
    "PendingMail", "Letter", "LetterCounter",
    "Procurement", "Contract", "ContractMilestone", "Payment",
    "LedgerBatch", "LedgerEntry", "SealedFile",
]
from .. import search_index  # noqa: E402,F401  (keeps each project's search words current)
