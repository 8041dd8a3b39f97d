"""E-mail and SMS templates: defaults per language, organisation overrides, tags."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, select

from app.models import EmailTemplate
from app.models.base import utcnow
from app.services.errors import ErrorCode, PlumeError

COMMON_TAGS = ("prenom", "nom", "organisation", "lien")
KIND_TAGS: dict[str, tuple[str, ...]] = {
    "invitation": COMMON_TAGS,
    "reset": COMMON_TAGS,
    "activation": (*COMMON_TAGS, "code"),
    "session_confirmation": (*COMMON_TAGS, "session", "dates"),
    "email_change": COMMON_TAGS,
    "email_changed": (*COMMON_TAGS, "adresse"),
    "sign_up_confirm": COMMON_TAGS,
    "sign_up_existing": (*COMMON_TAGS, "lien_oubli"),
    "reminder": (*COMMON_TAGS, "session", "progression"),
    "virtual_class_invitation": (*COMMON_TAGS, "session", "titre", "date", "debut", "fin"),
    "reminder_deadline": (*COMMON_TAGS, "session", "progression", "echeance"),
    "cold_evaluation": (*COMMON_TAGS, "session", "titre"),
    "slot_changed": (*COMMON_TAGS, "session", "titre", "date", "debut", "fin"),
    "slot_cancelled": (*COMMON_TAGS, "session", "titre", "date", "debut", "fin"),
    "appointment_confirmed": (*COMMON_TAGS, "session", "titre", "date", "debut", "fin", "avec"),
    "appointment_cancelled": (*COMMON_TAGS, "session", "titre", "date", "debut", "fin", "avec"),
}
# Personal messages carrying one-time secrets (reset, activation, e-mail change) always use
# Plume's wording: an organisation must not decide what such a message says or where it points.
EDITABLE_KINDS = (
    "invitation",
    "session_confirmation",
    "reminder",
    "reminder_deadline",
    "virtual_class_invitation",
    "cold_evaluation",
    "slot_changed",
    "slot_cancelled",
    "appointment_confirmed",
    "appointment_cancelled",
)
_TAG = re.compile(r"\{([^{}]*)\}")
# The longest subject stored (templates, outbox rows, reminders): PostgreSQL refuses a longer one.
SUBJECT_MAX = 300


@dataclass(frozen=True)
class Template:
    """A subject and a body with `{tags}`."""

    subject: str
    body: str


DEFAULTS: dict[str, dict[str, Template]] = {
    "fr": {
        "invitation": Template(
            "{organisation} vous invite sur Plume",
            "Bonjour {prenom},\n\n{organisation} vous invite à rejoindre son espace Plume "
            "en tant que formateur.\n\nAcceptez l'invitation ici : {lien}\n\n"
            "Ce lien est valable 14 jours.\n\nL'équipe {organisation}",
        ),
        "reset": Template(
            "Réinitialisation de votre mot de passe Plume",
            "Bonjour {prenom},\n\nPour choisir un nouveau mot de passe, ouvrez ce lien "
            "(valable 1 heure, une seule fois) : {lien}\n\nSi vous n'êtes pas à l'origine "
            "de cette demande, ignorez ce message : votre mot de passe reste inchangé.",
        ),
        "activation": Template(
            "Code d'activation Plume",
            "Plume : votre code d'activation est {code}. Il est valable 15 minutes.",
        ),
        "session_confirmation": Template(
            "Confirmation de la session {session}",
            "Bonjour {prenom},\n\nLa session « {session} » ({dates}) organisée par "
            "{organisation} est confirmée.\n\nOuvrir : {lien}",
        ),
        "reminder": Template(
            "{session} : où en êtes-vous ?",
            "Bonjour {prenom},\n\nVous avez réalisé {progression} % du parcours « {session} ». "
            "Pensez à avancer sur les activités qui vous attendent : {lien}\n\nÀ bientôt,\nL'équipe {organisation}",
        ),
        "reminder_deadline": Template(
            "{session} : votre parcours se termine le {echeance}",
            "Bonjour {prenom},\n\nVotre parcours « {session} » est accessible jusqu'au {echeance} "
            "et vous en avez réalisé {progression} %. Il est encore temps de le terminer : {lien}\n\n"
            "Bon courage,\nL'équipe {organisation}",
        ),
        "slot_changed": Template(
            "{session} : créneau du {date} modifié",
            "Bonjour {prenom},\n\nUn créneau de la session « {session} » a changé : « {titre} » a lieu "
            "le {date} de {debut} à {fin} (heure de Paris).\n\nLa mise à jour pour votre agenda est jointe.\n"
            "{lien}\n\nL'équipe {organisation}",
        ),
        "slot_cancelled": Template(
            "{session} : créneau du {date} annulé",
            "Bonjour {prenom},\n\nLe créneau « {titre} » de la session « {session} », prévu le {date} de "
            "{debut} à {fin} (heure de Paris), est annulé.\n\nL'annulation pour votre agenda est jointe.\n"
            "{lien}\n\nL'équipe {organisation}",
        ),
        "appointment_confirmed": Template(
            "Rendez-vous « {titre} » confirmé le {date}",
            "Bonjour {prenom},\n\nVotre rendez-vous « {titre} » avec {avec} (session « {session} ») est confirmé "
            "le {date} de {debut} à {fin} (heure de Paris).\n\nL'invitation pour votre agenda est jointe.\n"
            "{lien}\n\nL'équipe {organisation}",
        ),
        "appointment_cancelled": Template(
            "Rendez-vous « {titre} » du {date} annulé",
            "Bonjour {prenom},\n\nLe rendez-vous « {titre} » avec {avec} (session « {session} »), prévu le {date} "
            "de {debut} à {fin} (heure de Paris), est annulé.\n\nL'annulation pour votre agenda est jointe.\n"
            "{lien}\n\nL'équipe {organisation}",
        ),
        "virtual_class_invitation": Template(
            "Classe virtuelle « {titre} » le {date}",
            "Bonjour {prenom},\n\nDans le cadre de la session « {session} », vous êtes invité(e) à la classe "
            "virtuelle « {titre} » le {date} de {debut} à {fin} (heure de Paris).\n\nLe jour venu, signez la "
            "feuille d'émargement : le lien de la classe s'affiche ensuite.\n{lien}\n\n"
            "L'invitation pour votre agenda est jointe.\n\nL'équipe {organisation}",
        ),
        "cold_evaluation": Template(
            "{session} : votre avis quelques semaines après",
            "Bonjour {prenom},\n\nQuelques semaines après la formation « {session} », {organisation} "
            "aimerait savoir ce que vous en retenez. Répondez au questionnaire « {titre} » (quelques minutes, "
            "réponses anonymes) : {lien}\n\nMerci,\nL'équipe {organisation}",
        ),
        "email_change": Template(
            "Confirmez votre nouvelle adresse e-mail",
            "Bonjour {prenom},\n\nPour utiliser cette adresse pour vous connecter à Plume, "
            "ouvrez ce lien (valable 1 heure) : {lien}",
        ),
        "email_changed": Template(
            "Votre adresse de connexion Plume a changé",
            "Bonjour {prenom},\n\nL'adresse de connexion de votre compte Plume est désormais {adresse}.\n\n"
            "Si vous n'êtes pas à l'origine de ce changement, ouvrez ce lien (valable 7 jours, une seule fois) : "
            "{lien}\nIl rétablit cette adresse-ci, déconnecte tous les appareils et vous envoie un lien pour "
            "choisir un nouveau mot de passe.",
        ),
        "sign_up_confirm": Template(
            "Confirmez votre adresse pour créer votre compte Plume",
            "Bonjour {prenom},\n\nPour finir de créer votre compte Plume, ouvrez ce lien (valable 24 heures) : "
            "{lien}\n\nSi vous n'avez rien demandé, ignorez ce message : aucun compte ne sera créé.",
        ),
        "sign_up_existing": Template(
            "Tentative de création de compte Plume",
            "Bonjour {prenom},\n\nQuelqu'un a essayé de créer un compte Plume avec votre adresse e-mail, "
            "qui a déjà un compte. Aucun autre compte n'a été créé.\n\nSi c'était vous, connectez-vous : {lien}\n"
            "Mot de passe oublié ? Choisissez-en un nouveau : {lien_oubli}\n\n"
            "Sinon, ignorez ce message : votre compte n'a pas changé.",
        ),
    },
    "en": {
        "invitation": Template(
            "{organisation} invites you to Plume",
            "Hello {prenom},\n\n{organisation} invites you to join its Plume workspace as a "
            "trainer.\n\nAccept the invitation here: {lien}\n\nThis link is valid for 14 days.",
        ),
        "reset": Template(
            "Reset your Plume password",
            "Hello {prenom},\n\nTo choose a new password, open this link (valid for 1 hour, "
            "once): {lien}\n\nIf you did not ask for this, ignore this message.",
        ),
        "activation": Template(
            "Plume activation code",
            "Plume: your activation code is {code}. It is valid for 15 minutes.",
        ),
        "session_confirmation": Template(
            "Session {session} confirmed",
            'Hello {prenom},\n\nThe session "{session}" ({dates}) run by {organisation} is confirmed.\n\nOpen: {lien}',
        ),
        "reminder": Template(
            "{session}: how are you getting on?",
            'Hello {prenom},\n\nYou have completed {progression}% of "{session}". '
            "Remember to move on with the activities waiting for you: {lien}\n\nThe {organisation} team",
        ),
        "reminder_deadline": Template(
            "{session}: your course ends on {echeance}",
            'Hello {prenom},\n\n"{session}" is open until {echeance} and you have completed {progression}% of it. '
            "There is still time to finish: {lien}\n\nThe {organisation} team",
        ),
        "appointment_confirmed": Template(
            'Appointment "{titre}" confirmed on {date}',
            'Hello {prenom},\n\nYour appointment "{titre}" with {avec} (session "{session}") is confirmed on '
            "{date} from {debut} to {fin} (Paris time).\n\nThe invitation for your calendar is attached.\n"
            "{lien}\n\nThe {organisation} team",
        ),
        "appointment_cancelled": Template(
            'Appointment "{titre}" of {date} cancelled',
            'Hello {prenom},\n\nThe appointment "{titre}" with {avec} (session "{session}"), planned on {date} '
            "from {debut} to {fin} (Paris time), is cancelled.\n\nThe cancellation for your calendar is "
            "attached.\n{lien}\n\nThe {organisation} team",
        ),
        "slot_changed": Template(
            "{session}: slot of {date} changed",
            'Hello {prenom},\n\nA slot of the session "{session}" changed: "{titre}" now takes place on {date} '
            "from {debut} to {fin} (Paris time).\n\nThe update for your calendar is attached.\n{lien}\n\n"
            "The {organisation} team",
        ),
        "slot_cancelled": Template(
            "{session}: slot of {date} cancelled",
            'Hello {prenom},\n\nThe slot "{titre}" of the session "{session}", planned on {date} from {debut} '
            "to {fin} (Paris time), is cancelled.\n\nThe cancellation for your calendar is attached.\n{lien}\n\n"
            "The {organisation} team",
        ),
        "virtual_class_invitation": Template(
            'Virtual class "{titre}" on {date}',
            'Hello {prenom},\n\nAs part of the session "{session}", you are invited to the virtual class '
            '"{titre}" on {date} from {debut} to {fin} (Paris time).\n\nOn the day, sign the attendance sheet: '
            "the class link appears then.\n{lien}\n\nThe calendar invitation is attached.\n\nThe {organisation} team",
        ),
        "cold_evaluation": Template(
            "{session}: your feedback a few weeks on",
            'Hello {prenom},\n\nA few weeks after the course "{session}", {organisation} would like to know '
            'what you have kept from it. Please answer the questionnaire "{titre}" (a few minutes, anonymous '
            "answers): {lien}\n\nThank you,\nThe {organisation} team",
        ),
        "email_change": Template(
            "Confirm your new e-mail address",
            "Hello {prenom},\n\nTo sign in to Plume with this address, open this link (valid for 1 hour): {lien}",
        ),
        "email_changed": Template(
            "Your Plume sign-in address has changed",
            "Hello {prenom},\n\nYour Plume account now signs in with {adresse}.\n\n"
            "If you did not make this change, open this link (valid for 7 days, once): {lien}\n"
            "It restores this address, signs out every device and sends you a link to choose a new password.",
        ),
        "sign_up_confirm": Template(
            "Confirm your address to create your Plume account",
            "Hello {prenom},\n\nTo finish creating your Plume account, open this link (valid for 24 hours): "
            "{lien}\n\nIf you did not ask for this, ignore this message: no account will be created.",
        ),
        "sign_up_existing": Template(
            "Attempt to create a Plume account",
            "Hello {prenom},\n\nSomeone tried to create a Plume account with your e-mail address, which "
            "already has one. No other account was created.\n\nIf it was you, sign in: {lien}\n"
            "Forgot your password? Choose a new one: {lien_oubli}\n\n"
            "Otherwise, ignore this message: your account has not changed.",
        ),
    },
}


def unknown_tags(kind: str, text: str) -> list[str]:
    """The tags in a text that the kind does not know.

    Args:
        kind: Template kind.
        text: Subject or body.

    Returns:
        Unknown tag names, in order of appearance, without duplicates.
    """
    valid = KIND_TAGS[kind]
    seen: list[str] = []
    for name in _TAG.findall(text):
        if name not in valid and name not in seen:
            seen.append(name)
    return seen


def render(template: Template, values: dict[str, str]) -> Template:
    """Fill the tags of a template.

    Args:
        template: The template.
        values: Tag values.

    Returns:
        The filled subject (cut at `SUBJECT_MAX`: a long course title may fill a tag) and body.
    """

    def fill(text: str) -> str:
        return _TAG.sub(lambda m: values.get(m.group(1), m.group(0)), text)

    return Template(fill(template.subject)[:SUBJECT_MAX], fill(template.body))


def get_template(db: Session, organisation_id: int | None, kind: str, language: str) -> Template:
    """The organisation's template for a kind, else the default.

    Args:
        db: Database session.
        organisation_id: The organisation sending, if any.
        kind: Template kind.
        language: "fr" or "en".

    Returns:
        The template.
    """
    lang = language if language in DEFAULTS else "fr"
    if organisation_id is not None:
        row = db.exec(
            select(EmailTemplate).where(
                EmailTemplate.organisation_id == organisation_id,
                EmailTemplate.kind == kind,
                EmailTemplate.language == lang,
            )
        ).first()
        if row is not None:
            return Template(row.subject, row.body)
    return DEFAULTS[lang][kind]


def save_template(
    db: Session,
    *,
    organisation_id: int,
    user_id: int,
    kind: str,
    language: str,
    subject: str,
    body: str,
) -> None:
    """Store an organisation's wording after checking its tags.

    Args:
        db: Database session.
        organisation_id: The organisation.
        user_id: The staff member saving.
        kind: One of EDITABLE_KINDS.
        language: "fr" or "en".
        subject: New subject.
        body: New body.

    Raises:
        PlumeError: INVALID_INPUT, TEMPLATE_EMPTY or TEMPLATE_UNKNOWN_TAG (with the valid tags).
    """
    if kind not in EDITABLE_KINDS or language not in DEFAULTS:
        raise PlumeError(ErrorCode.INVALID_INPUT)
    subject, body = subject.strip(), body.strip()
    if not subject:
        raise PlumeError(ErrorCode.TEMPLATE_EMPTY, field="subject")
    if not body:
        raise PlumeError(ErrorCode.TEMPLATE_EMPTY, field="body")
    if len(subject) > SUBJECT_MAX or len(body) > 20_000:
        raise PlumeError(ErrorCode.INVALID_INPUT)
    for field_name, text in (("subject", subject), ("body", body)):
        unknown = unknown_tags(kind, text)
        if unknown:
            raise PlumeError(
                ErrorCode.TEMPLATE_UNKNOWN_TAG,
                field=field_name,
                unknown=", ".join("{" + t + "}" for t in unknown),
                valid=", ".join("{" + t + "}" for t in KIND_TAGS[kind]),
            )
    row = db.exec(
        select(EmailTemplate).where(
            EmailTemplate.organisation_id == organisation_id,
            EmailTemplate.kind == kind,
            EmailTemplate.language == language,
        )
    ).first()
    if row is None:
        row = EmailTemplate(organisation_id=organisation_id, kind=kind, language=language, subject=subject, body=body)
    row.subject, row.body, row.updated_at, row.updated_by_id = subject, body, utcnow(), user_id
    db.add(row)


def reset_template(db: Session, *, organisation_id: int, kind: str, language: str) -> None:
    """Go back to the default wording.

    Args:
        db: Database session.
        organisation_id: The organisation.
        kind: Template kind.
        language: Template language.
    """
    row = db.exec(
        select(EmailTemplate).where(
            EmailTemplate.organisation_id == organisation_id,
            EmailTemplate.kind == kind,
            EmailTemplate.language == language,
        )
    ).first()
    if row is not None:
        db.delete(row)
