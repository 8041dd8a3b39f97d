"""Typed errors: services raise a code, the UI turns it into words."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Every reason a service refuses; each has a message in `app/i18n`."""

    NOT_FOUND = "not_found"
    FORBIDDEN = "not_found"  # a forbidden object looks exactly like a missing one
    SIGN_IN_REQUIRED = "sign_in_required"
    INVALID_INPUT = "invalid_input"
    EMAIL_INVALID = "email_invalid"
    EMAIL_TAKEN = "email_taken"
    EMAIL_REQUIRED = "email_required"
    NAME_REQUIRED = "name_required"
    PASSWORD_TOO_SHORT = "password_too_short"  # noqa: S105  # an error code, not a password
    PASSWORD_TOO_LONG = "password_too_long"  # noqa: S105  # an error code, not a password
    PASSWORD_COMMON = "password_common"  # noqa: S105  # an error code, not a password
    PASSWORD_MISMATCH = "password_mismatch"  # noqa: S105  # an error code, not a password
    PASSWORD_WRONG = "password_wrong"  # noqa: S105  # an error code, not a password
    CURRENT_PASSWORD_REQUIRED = "current_password_required"  # noqa: S105  # an error code, not a password
    TOTP_CODE_REQUIRED = "totp_code_required"
    PHONE_INVALID = "phone_invalid"
    PHONE_CHANGE_LIMIT = "phone_change_limit"
    CODE_WRONG = "code_wrong"
    CODE_EXHAUSTED = "code_exhausted"
    CODE_EXPIRED = "code_expired"
    BAD_CREDENTIALS = "bad_credentials"
    THROTTLED = "throttled"
    ACCOUNT_NOT_ACTIVATED = "account_not_activated"
    TOTP_WRONG = "totp_wrong"
    LINK_INVALID = "link_invalid"
    INVITATION_INVALID = "invitation_invalid"
    INVITATION_EMAIL_MISMATCH = "invitation_email_mismatch"
    ALREADY_MEMBER = "already_member"
    TEMPLATE_UNKNOWN_TAG = "template_unknown_tag"
    TEMPLATE_EMPTY = "template_empty"
    TITLE_REQUIRED = "title_required"
    DATES_ORDER = "dates_order"
    DATE_INVALID = "date_invalid"
    NUMBER_INVALID = "number_invalid"
    NUMBER_RANGE = "number_range"
    HOURS_RANGE = "hours_range"
    MODULE_OPENS_BEFORE_SESSION = "module_opens_before_session"
    STATUS_CHANGE = "status_change"
    NO_SLOTS = "no_slots"
    SLOT_OUTSIDE_SESSION = "slot_outside_session"
    SLOT_OUTSIDE_ACCESS = "slot_outside_access"
    TIME_ORDER = "time_order"
    TIME_INVALID = "time_invalid"
    LINK_INVALID_URL = "link_invalid_url"
    SESSION_FULL = "session_full"
    DOCUMENT_TOO_LARGE = "document_too_large"
    DOCUMENT_EMPTY = "document_empty"
    DOCUMENT_TYPE = "document_type"
    VIDEO_TYPE = "video_type"
    DOCUMENT_NAME_INVALID = "document_name_invalid"
    ACTIVITY_TOO_MANY_FILES = "activity_too_many_files"
    SIGNATURE_EMPTY = "signature_empty"
    SIGNING_NOT_ALLOWED = "signing_not_allowed"
    SIGNING_NOT_OPEN = "signing_not_open"
    SIGNING_CLOSED = "signing_closed"
    SHEET_CERTIFIED = "sheet_certified"
    NOT_CERTIFIED = "not_certified"
    REASON_REQUIRED = "reason_required"
    LEAD_REQUIRED = "lead_required"
    ALREADY_SIGNED = "already_signed"
    TRAINER_SIGNATURE_REQUIRED = "trainer_signature_required"
    CERTIFY_TOO_EARLY = "certify_too_early"
    MESSAGE_EMPTY = "message_empty"
    MESSAGE_TOO_LONG = "message_too_long"
    MESSAGE_REMOVED = "message_removed"
    EDIT_WINDOW_PASSED = "edit_window_passed"
    CHAT_SLOW_DOWN = "chat_slow_down"
    STATS_STATUS = "stats_status"
    STATS_SCORE_RANGE = "stats_score_range"
    STATS_TIME_INVALID = "stats_time_invalid"
    STATS_DATE_INVALID = "stats_date_invalid"
    STATS_TIME_TOO_LONG = "stats_time_too_long"
    STATS_DATE_FUTURE = "stats_date_future"
    STATS_DATE_BEFORE_ENROLMENT = "stats_date_before_enrolment"
    STATS_LOCATION_TOO_LONG = "stats_location_too_long"
    STATS_SUSPEND_TOO_LONG = "stats_suspend_too_long"
    MISSION_EMPTY = "mission_empty"
    MISSION_SCORE = "mission_score"
    TEXT_TOO_LONG = "text_too_long"
    OBSERVATION_INCOMPLETE = "observation_incomplete"
    REVIEW_LEARNERS_ONLY = "review_learners_only"
    SUBJECT_REQUIRED = "subject_required"
    REVIEW_STARS = "review_stars"
    REVIEW_TOO_LONG = "review_too_long"
    ATTESTATION_TOO_EARLY = "attestation_too_early"
    ATTESTATION_NOT_ATTENDED = "attestation_not_attended"
    ATTESTATION_NOT_STARTED = "attestation_not_started"
    CSV_NOT_TEXT = "csv_not_text"
    CSV_EMPTY = "csv_empty"
    CSV_TOO_LARGE = "csv_too_large"
    CSV_TOO_MANY_LINES = "csv_too_many_lines"
    CSV_NO_ADDRESS_COLUMN = "csv_no_address_column"
    CSV_JUNK = "csv_junk"
    ATTESTATION_NOT_FINISHED = "attestation_not_finished"
    ARCHIVE_CATEGORY = "archive_category"
    ARCHIVE_CATEGORY_NAME = "archive_category_name"
    ARCHIVE_CATEGORY_TAKEN = "archive_category_taken"
    ARCHIVE_CATEGORY_LAST = "archive_category_last"
    QUESTION_TEXT_REQUIRED = "question_text_required"
    QUESTION_KIND = "question_kind"
    QUESTION_CHOICES = "question_choices"
    QUESTION_CORRECT = "question_correct"
    QUESTION_SCALE = "question_scale"
    QUESTION_ROWS = "question_rows"
    QUESTIONNAIRE_KIND = "questionnaire_kind"
    QUESTIONNAIRE_IN_USE = "questionnaire_in_use"
    QUESTIONNAIRE_EMPTY = "questionnaire_empty"
    QUESTIONNAIRE_MISSING = "questionnaire_missing"
    BANK_TOO_SMALL = "bank_too_small"
    BANK_IN_USE = "bank_in_use"
    BANK_ANSWERED = "bank_answered"
    IMPORT_INVALID = "import_invalid"
    IMPORT_VERSION = "import_version"
    EVALUATION_DEADLINE = "evaluation_deadline"
    EVALUATION_ATTEMPTS = "evaluation_attempts"
    EVALUATION_SUBMITTED = "evaluation_submitted"
    ANSWER_INVALID = "answer_invalid"
    EVALUATION_TOO_FEW_ANSWERS = "evaluation_too_few_answers"
    GRID_LEVEL = "grid_level"
    COMPETENCY_REQUIRED = "competency_required"
    COMPETENCY_CODE_TAKEN = "competency_code_taken"
    COMPETENCY_IN_USE = "competency_in_use"
    PLANNING_WARNING = "planning_warning"
    ROOM_NAME_TAKEN = "room_name_taken"
    ROOM_BOOKED = "room_booked"


class PlumeError(Exception):
    """A refusal a person can read, identified by its code."""

    def __init__(self, code: ErrorCode, *, field: str = "", **params: str) -> None:
        """Create the error.

        Args:
            code: Why the service refused.
            field: The form field the message belongs next to, if any.
            **params: Values the message mentions (e.g. minutes to wait).
        """
        super().__init__(code.value)
        self.code = code
        self.field = field
        self.params = params
