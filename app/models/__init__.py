"""SQLModel tables, one module per aggregate. Importing this registers them all."""

from app.models import evaluations as _evaluations  # noqa: F401  # registers the questionnaire tables
from app.models import events as _events  # noqa: F401  # registers the ORM listeners
from app.models.attendance import AttendanceChain, AttendanceHeadPublication, AttendanceRecord
from app.models.audit import AuditRecord
from app.models.auth import AuthSession, LoginAttempt
from app.models.calendar import AppointmentBooking, AppointmentOffer, CalendarFeed, CancelledSlot, Unavailability
from app.models.chat import ChatMessage, ChatRead
from app.models.enrolment_import import EnrolmentImport
from app.models.finishing import ArchiveCategory, TrainingCompletion
from app.models.follow_up import MonitoredActivity
from app.models.membership import Invitation, Membership
from app.models.offer import CourseRequest
from app.models.organisation import EmailTemplate, Organisation, Room
from app.models.outbox import OutboxEmail
from app.models.progress import (
    Attestation,
    CourseReview,
    LessonAttempt,
    LessonProgress,
    Observation,
    Submission,
)
from app.models.scorm import ScormAttempt, ScormPackage
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
    "AppointmentBooking",
    "AppointmentOffer",
    "ArchiveCategory",
    "AttendanceChain",
    "AttendanceHeadPublication",
    "AttendanceRecord",
    "Attestation",
    "AuditRecord",
    "AuthSession",
    "CalendarFeed",
    "CancelledSlot",
    "ChatMessage",
    "ChatRead",
    "Course",
    "CourseRequest",
    "CourseReview",
    "Document",
    "EmailTemplate",
    "Enrolment",
    "EnrolmentImport",
    "Invitation",
    "LessonAttempt",
    "LessonProgress",
    "LoginAttempt",
    "Membership",
    "Module",
    "MonitoredActivity",
    "Notification",
    "Observation",
    "Organisation",
    "OutboxEmail",
    "PhoneActivation",
    "Reminder",
    "Room",
    "ScormAttempt",
    "ScormPackage",
    "SignUpRequest",
    "Slot",
    "Submission",
    "TrainerPosition",
    "TrainingCompletion",
    "TrainingSession",
    "TutorPosition",
    "Unavailability",
    "User",
    "UserToken",
]
