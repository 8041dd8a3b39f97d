"""Route constants."""

ROOT = "/"
SIGN_IN = "/connexion"
SESSION_HANDOFF = "/connexion/suite"
SIGN_UP = "/inscription"
ACTIVATION = "/activation"
VERIFY = "/verification"
FORGOT = "/mot-de-passe-oublie"
RESET = "/reinitialiser"
CONFIRM_EMAIL = "/confirmer-email"
SIGN_UP_CONFIRM = "/inscription/confirmer"
REVERT_EMAIL = "/annuler-changement-email"
INVITATION = "/invitation"
HOME = "/accueil"
AGENDA = "/agenda"
PROFILE = "/profil"
TRAINERS = "/formateurs"
TEMPLATES = "/modeles-emails"
OUTBOX = "/boite-envoi"
SESSION = "/sessions/[session_id]"
FOLLOW_UP = "/sessions/[session_id]/suivi"
EVALUATION_RESULTS = "/sessions/[session_id]/resultats/[activity_id]"
SCORM_PLAYER = "/sessions/[session_id]/elearning/[activity_id]"
SESSIONS = "/sessions"
CATALOGUE = "/catalogue"
COURSE = "/catalogue/[course_id]"
COURSE_REQUESTS = "/demandes-de-parcours"
QUESTIONNAIRES = "/questionnaires"
QUESTIONNAIRE = "/questionnaires/[questionnaire_id]"
QUESTION_BANKS = "/questionnaires/banques"
QUESTION_BANK = "/questionnaires/banques/[bank_id]"
COMPETENCIES = "/competences"
ATTENDANCE = "/emargement/[slot_id]"
SETTINGS = "/parametres"
ARCHIVES = "/archives"
TUTORING = "/tutorat"
TUTORING_CENTRE = "/tutorat/[session_id]"
TUTORING_REPORT = "/tutorat/[session_id]/[user_id]"
TUTORING_MISSIONS = "/tutorat/[session_id]/missions"
TUTORING_OBSERVATIONS = "/tutorat/[session_id]/observations"
TUTORING_COURSES = "/tutorat/formations"
TUTORING_COURSE = "/tutorat/formations/[course_id]"
TUTORING_COURSE_CENTRE = "/tutorat/formations/[course_id]/centre"


def session_path(session_id: int | str) -> str:
    """The page of one session.

    Args:
        session_id: The session.

    Returns:
        The path.
    """
    return f"/sessions/{session_id}"


def attendance_path(slot_id: int | str) -> str:
    """The attendance page of one slot.

    Args:
        slot_id: The slot.

    Returns:
        The path.
    """
    return f"/emargement/{slot_id}"
