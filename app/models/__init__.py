"""SQLModel tables, one module per aggregate. Importing this registers them all."""

from app.models import events as _events  # noqa: F401  # registers the ORM listeners
from app.models.attendance import AttendanceChain, AttendanceHeadPublication, AttendanceRecord
from app.models.audit import AuditRecord
from app.models.auth import AuthSession, LoginAttempt
from app.models.chat import ChatMessage, ChatRead
from app.models.membership import Invitation, Membership
from app.models.organisation import EmailTemplate, Organisation
from app.models.outbox import OutboxEmail
from app.models.progress import (
    Attestation,
    CourseReview,
    LessonAttempt,
    LessonProgress,
    Observation,
    Submission,
)
from app.models.training import (
    Activity,
    ActivityCompletion,
    ActivityResponse,
    Course,
    Document,
    Enrolment,
    Module,
    Notification,
    Slot,
    TrainerPosition,
    TrainingSession,
)
from app.models.tutoring import Reminder, TutorPosition
from app.models.user import PhoneActivation, SignUpRequest, User, UserToken

__all__ = [
    "Activity",
    "ActivityCompletion",
    "ActivityResponse",
    "AttendanceChain",
    "AttendanceHeadPublication",
    "AttendanceRecord",
    "Attestation",
    "AuditRecord",
    "AuthSession",
    "ChatMessage",
    "ChatRead",
    "Course",
    "CourseReview",
    "Document",
    "EmailTemplate",
    "Enrolment",
    "Invitation",
    "LessonAttempt",
    "LessonProgress",
    "LoginAttempt",
    "Membership",
    "Module",
    "Notification",
    "Observation",
    "Organisation",
    "OutboxEmail",
    "PhoneActivation",
    "Reminder",
    "SignUpRequest",
    "Slot",
    "Submission",
    "TrainerPosition",
    "TrainingSession",
    "TutorPosition",
    "User",
    "UserToken",
]
