"""SQLModel tables, one module per aggregate. Importing this registers them all."""

from app.models.audit import AuditRecord
from app.models.auth import AuthSession, LoginAttempt
from app.models.membership import Invitation, Membership
from app.models.organisation import EmailTemplate, Organisation
from app.models.outbox import OutboxEmail
from app.models.training import (
    Activity,
    ActivityCompletion,
    Document,
    Notification,
    Course,
    Enrolment,
    Module,
    Slot,
    TrainerAssignment,
    TrainingSession,
)
from app.models.user import PhoneActivation, User, UserToken

__all__ = [
    "Activity",
    "ActivityCompletion",
    "Document",
    "Notification",
    "AuditRecord",
    "AuthSession",
    "Course",
    "EmailTemplate",
    "Enrolment",
    "Invitation",
    "LoginAttempt",
    "Membership",
    "Module",
    "Organisation",
    "OutboxEmail",
    "PhoneActivation",
    "Slot",
    "TrainerAssignment",
    "TrainingSession",
    "User",
    "UserToken",
]
