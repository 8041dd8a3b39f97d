"""The Reflex application: pages, the security gate, HTTP routes, background tasks."""

from __future__ import annotations

import gc
import sys

import reflex as rx
from reflex import constants
from reflex.utils import prerequisites

from app import routes
from app.api.routes import build_api
from app.api.transport import hardening
from app.logs import RequestIds, install_logging
from app.pages.account import (
    activation_page,
    confirm_email_page,
    forgot_page,
    invitation_page,
    reset_page,
    revert_email_page,
    sign_in_page,
    sign_up_confirm_page,
    sign_up_page,
    verification_page,
)
from app.pages.agenda import agenda_page
from app.pages.archives import archives_page
from app.pages.attendance import attendance_page
from app.pages.catalogue import catalogue_page, course_page, sessions_page
from app.pages.competencies import competencies_page
from app.pages.course_requests import course_requests_page
from app.pages.evaluations import evaluation_results_page
from app.pages.follow_up import follow_up_page
from app.pages.handoff import handoff_page
from app.pages.home import home_page
from app.pages.missions import missions_page, observations_page
from app.pages.profile import profile_page
from app.pages.questionnaires import question_bank_page, questionnaire_page, questionnaires_page
from app.pages.scorm import scorm_player_page
from app.pages.session import session_page
from app.pages.staff import outbox_page, settings_page, templates_page, trainers_page
from app.pages.tutoring import tutoring_centre_page, tutoring_list_page, tutoring_report_page
from app.pages.tutoring_courses import tutoring_course_page, tutoring_courses_page
from app.settings import get_settings
from app.tasks import attendance_head_publisher, cold_evaluation_sender, drain_events_on_shutdown, outbox_sender
from components import styles
from components.layout import connection_overlay
from state.agenda import AgendaState
from state.archives import ArchivesState
from state.attendance import AttendanceState
from state.auth import (
    ActivationState,
    ConfirmEmailState,
    ForgotState,
    InvitationState,
    ResetState,
    RevertEmailState,
    SignUpConfirmState,
    SignUpState,
)
from state.catalogue import CatalogueState, CourseState, SessionsListState
from state.chat import ChatState
from state.common import backend_error
from state.competencies import CompetenciesState, CourseCompetenciesState, LearnerRecordState, MyRecordState
from state.course_requests import CourseRequestsState
from state.enrolment_csv import EnrolmentCsvState
from state.evaluations import EvaluationResultsState
from state.follow_up import FollowUpState, ProgressBarState
from state.guard import PolicyGate
from state.home import HomeState
from state.live import live_dispatcher
from state.missions import MissionsDeskState, ObservationsDeskState
from state.profile import ProfileState
from state.questionnaires import QuestionBankState, QuestionnaireEditorState, QuestionnaireLibraryState
from state.scorm import ScormPlayerState
from state.session import SessionState
from state.session_page import SessionPageState
from state.staff import OutboxState, SettingsState, TemplatesState, TrainersState
from state.tutoring import TutoringCentreState, TutoringListState, TutoringReportState
from state.tutoring_courses import ReviewState, TutoringCoursesState, TutoringCourseState

get_settings().check()
# Database calls release the GIL; a shorter switch interval hands it back to them sooner while the
# event loop is busy (measured with bench/attendance_live.py).
sys.setswitchinterval(0.001)


def root_page() -> rx.Component:
    """The bare domain: sends the person to sign-in or home.

    Returns:
        A spinner while redirecting.
    """
    return rx.center(rx.spinner(size="3"), min_height="100vh")


app = rx.App(
    style=dict(styles.GLOBAL_STYLE),
    stylesheets=["/plume.css"],
    html_lang="fr",
    backend_exception_handler=backend_error,  # an outage shown in words, not Reflex's English toast
    api_transformer=[
        build_api(),
        hardening(
            base_url=get_settings().base_url,
            static_dir=lambda: prerequisites.get_web_dir() / constants.Dirs.STATIC,
        ),
        RequestIds,  # outermost: every response carries its X-Request-ID, the limits' refusals too
    ],
    head_components=[
        rx.script(src="/signature-pad.js"),
        rx.script(src="/chat.js"),
        rx.script(src="/activity-timer.js"),
        rx.script(src="/timeline.js"),
        rx.script(src="/evaluation-countdown.js"),
        rx.script(src="/scorm-player.js"),
    ],
)
# Reflex's own overlay shows an English toast ("Cannot connect to server…") and a pulsing icon: Plume's banner,
# in the person's language, takes its slot.
app.app_wraps[5, "Overlay"] = connection_overlay
app.add_middleware(PolicyGate())


async def json_logs() -> None:
    """Lifespan: one JSON line per record, with the request or event id (in the server, not in what imports it)."""
    install_logging()


app.register_lifespan_task(json_logs)
app.register_lifespan_task(outbox_sender)
app.register_lifespan_task(attendance_head_publisher)
app.register_lifespan_task(cold_evaluation_sender)
app.register_lifespan_task(live_dispatcher)
app.register_lifespan_task(drain_events_on_shutdown)

_load = SessionState.load_page
app.add_page(root_page, route=routes.ROOT, title="Plume", on_load=[_load])
app.add_page(handoff_page, route=routes.SESSION_HANDOFF, title="Connexion · Plume", on_load=[])
# Every other page loads the signed-in person first, then its own state; its title ends in "· Plume".
_PAGES = [
    (routes.SIGN_IN, sign_in_page, "Se connecter", []),
    (routes.SIGN_UP, sign_up_page, "Créer son compte", [SignUpState.load]),
    (routes.ACTIVATION, activation_page, "Activation", [ActivationState.load]),
    (routes.VERIFY, verification_page, "Vérification", []),
    (routes.FORGOT, forgot_page, "Mot de passe oublié", [ForgotState.load]),
    (routes.RESET, reset_page, "Nouveau mot de passe", [ResetState.load]),
    (routes.CONFIRM_EMAIL, confirm_email_page, "Confirmation", [ConfirmEmailState.load]),
    (routes.SIGN_UP_CONFIRM, sign_up_confirm_page, "Finaliser son compte", [SignUpConfirmState.load]),
    (routes.REVERT_EMAIL, revert_email_page, "Annuler le changement d'adresse", [RevertEmailState.load]),
    (routes.INVITATION, invitation_page, "Invitation", [InvitationState.load]),
    (routes.HOME, home_page, "Accueil", [HomeState.load]),
    (routes.AGENDA, agenda_page, "Agenda", [AgendaState.load]),
    (routes.PROFILE, profile_page, "Mon profil", [ProfileState.load]),
    (routes.TRAINERS, trainers_page, "Formateurs", [TrainersState.load]),
    (routes.TEMPLATES, templates_page, "Modèles d'e-mails", [TemplatesState.load]),
    (routes.OUTBOX, outbox_page, "Boîte d'envoi", [OutboxState.load]),
    (
        routes.SESSION,
        session_page,
        "Session",
        [
            SessionPageState.load,
            ChatState.load,
            ReviewState.load,
            ProgressBarState.load,
            EnrolmentCsvState.load,
            MyRecordState.load,
        ],
    ),
    (routes.FOLLOW_UP, follow_up_page, "Suivi des participants", [FollowUpState.load, LearnerRecordState.load]),
    (routes.EVALUATION_RESULTS, evaluation_results_page, "Résultats", [EvaluationResultsState.load]),
    (routes.SCORM_PLAYER, scorm_player_page, "E-learning", [ScormPlayerState.load]),
    (routes.SESSIONS, sessions_page, "Sessions", [SessionsListState.load]),
    (routes.CATALOGUE, catalogue_page, "Catalogue", [CatalogueState.load]),
    (routes.COURSE, course_page, "Parcours", [CourseState.load, CourseCompetenciesState.load]),
    (routes.COURSE_REQUESTS, course_requests_page, "Demandes de parcours", [CourseRequestsState.load]),
    (routes.QUESTIONNAIRES, questionnaires_page, "Bibliothèque de questionnaires", [QuestionnaireLibraryState.load]),
    (routes.COMPETENCIES, competencies_page, "Référentiel de compétences", [CompetenciesState.load]),
    (routes.QUESTIONNAIRE, questionnaire_page, "Questionnaire", [QuestionnaireEditorState.load]),
    (routes.QUESTION_BANK, question_bank_page, "Banque de questions", [QuestionBankState.load]),
    (routes.SETTINGS, settings_page, "Paramètres", [SettingsState.load]),
    (routes.TUTORING, tutoring_list_page, "Tutorat", [TutoringListState.load]),
    (routes.ARCHIVES, archives_page, "Archives", [ArchivesState.load]),
    (routes.TUTORING_CENTRE, tutoring_centre_page, "Centre de tutorat", [TutoringCentreState.load]),
    (routes.TUTORING_REPORT, tutoring_report_page, "Rapport de suivi", [TutoringReportState.load]),
    (routes.TUTORING_MISSIONS, missions_page, "Missions à corriger", [MissionsDeskState.load]),
    (routes.TUTORING_OBSERVATIONS, observations_page, "Observations à faire", [ObservationsDeskState.load]),
    (routes.TUTORING_COURSES, tutoring_courses_page, "Formations tutorées", [TutoringCoursesState.load]),
    (routes.TUTORING_COURSE, tutoring_course_page, "Formation", [TutoringCourseState.load]),
    (routes.TUTORING_COURSE_CENTRE, tutoring_centre_page, "Centre de tutorat", [TutoringCentreState.load]),
    (routes.ATTENDANCE, attendance_page, "Émargement", [AttendanceState.load]),
]
for route, component, title, on_load in _PAGES:
    app.add_page(component, route=route, title=f"{title} · Plume", on_load=[_load, *on_load])

# What the import built (pages, states, components, mappers) lives as long as the process: out of the
# collector's scans, a full collection under load costs milliseconds instead of ~200 ms of stalled
# events (measured with bench/signin_home.py).
gc.freeze()
