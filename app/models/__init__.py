"""SQLModel tables, one module per aggregate. Importing this registers them all."""

from app.models.attendance import AttendanceChain, AttendanceRecord
from app.models.audit import AuditRecord
from app.models.auth import AuthSession, LoginAttempt
from app.models.chat import ChatMessage, ChatRead
from app.models.membership import Invitation, Membership
from app.models.organisation import EmailTemplate, Organisation
from app.models.outbox import OutboxEmail
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
    TrainerAssignment,
    TrainingSession,
)
from app.models.tutoring import Reminder, TutorAssignment
from app.models.user import PhoneActivation, User, UserToken

__all__ = [
    "Activity",
    "ActivityCompletion",
    "ActivityResponse",
    "AttendanceChain",
    "AttendanceRecord",
    "AuditRecord",
    "AuthSession",
    "ChatMessage",
    "ChatRead",
    "Course",
    "Document",
    "EmailTemplate",
    "Enrolment",
    "Invitation",
    "LoginAttempt",
    "Membership",
    "Module",
    "Notification",
    "Organisation",
    "OutboxEmail",
    "PhoneActivation",
    "Reminder",
    "Slot",
    "TrainerAssignment",
    "TrainingSession",
    "TutorAssignment",
    "User",
    "UserToken",
]
