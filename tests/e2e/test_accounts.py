"""Accounts in a real browser: sign-up with activation, throttling, reset links, invitations, language."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect
from sqlmodel import select

from app.models import Invitation, Membership, Organisation, OutboxEmail, User
from app.models.base import utcnow
from app.services.crypto import hash_password
from app.services.outbox import delivered
from tests.e2e.conftest import goto, ready, sign_in
from tests.server import link_in

SHOTS = "screenshots"


def _sms_code(server, phone: str) -> str:
    with server.session() as db:
        sms = db.exec(
            select(OutboxEmail)
            .where(OutboxEmail.channel == "sms", OutboxEmail.to == phone)
            .order_by(OutboxEmail.id.desc())  # type: ignore[union-attr]
        ).first()
    assert sms is not None
    return re.search(r"\b(\d{6})\b", delivered(sms).body).group(1)  # type: ignore[union-attr]


def test_wrong_password_six_times_is_throttled(server, new_context) -> None:
    page = new_context().new_page()
    goto(page, "/connexion")
    for _ in range(5):
        page.get_by_label("E-mail").fill("learner12@demo.plume.test")
        page.get_by_label("Mot de passe").fill("pas le bon mot de passe")
        page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_role("alert")).to_have_text("E-mail ou mot de passe incorrect.")
        page.get_by_label("Mot de passe").fill("")
        page.evaluate("() => 0")
    page.get_by_label("Mot de passe").fill("plume-demo-2026")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("Trop de tentatives. Réessayez dans 15 minutes.")
    page.screenshot(path=f"{SHOTS}/throttled.png")
    other = new_context().new_page()
    sign_in(other, "learner13@demo.plume.test")


def test_sign_up_activation_then_sign_in_lands_on_the_trainer_home(server, new_context) -> None:
    email = f"nouveau-{uuid.uuid4().hex[:6]}@example.test"
    token = uuid.uuid4().hex
    from app.services.crypto import hash_token

    with server.session() as db:
        org = db.exec(select(Organisation).where(Organisation.slug == "horizon-formation")).one()
        db.add(
            Invitation(
                organisation_id=org.id or 0,
                email=email,
                first_name="Yasmine",
                last_name="Benali",
                token_hash=hash_token(token),
                sent_count=1,
                last_sent_at=utcnow(),
                expires_at=utcnow().replace(year=utcnow().year + 1),
            )
        )
        db.commit()
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    goto(page, f"/inscription?invitation={token}")
    expect(page.get_by_text("Vous avez été invité par Horizon Formation")).to_be_visible()
    expect(page.get_by_label("E-mail")).to_have_value(email)
    page.get_by_label("Prénom").fill("Yasmine")
    page.get_by_label("Nom", exact=True).fill("Benali")
    page.get_by_label("Mot de passe").fill("motdepasse123")
    page.get_by_label("Téléphone mobile").fill("06 98 76 54 32")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_text("Ce mot de passe est trop courant")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/signup-error-mobile.png", full_page=True)
    page.get_by_label("Mot de passe").fill("la mer est calme ce matin")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page).to_have_url(re.compile(r"/activation/?$"))
    expect(page.get_by_text("+33698765432")).to_be_visible()
    page.get_by_label("Code d'activation").fill("000000" if _sms_code(server, "+33698765432") != "000000" else "111111")
    page.get_by_role("button", name="Activer mon compte").click()
    expect(page.get_by_text("Code incorrect. Essais restants : 4.")).to_be_visible()
    page.get_by_label("Code d'activation").fill(_sms_code(server, "+33698765432"))
    page.get_by_role("button", name="Activer mon compte").click()
    expect(page).to_have_url(re.compile(r"/accueil/?$"))
    page.get_by_role("button", name="Menu du compte").click()
    page.get_by_role("menuitem", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/connexion/?$"))
    sign_in(page, email, "la mer est calme ce matin")
    for heading in ("En cours", "Prochainement", "Terminées"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.get_by_text("Aucune session en cours.")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/trainer-home-new-mobile.png", full_page=True)


def test_demo_trainer_home_shows_sessions(server, new_context) -> None:
    page = new_context().new_page()
    sign_in(page, "trainer@demo.plume.test")
    expect(page.locator("#en-cours").get_by_text("Manager une équipe au quotidien")).to_be_visible()
    expect(
        page.locator("#prochainement").get_by_text("Excel avancé : tableaux croisés et automatisation")
    ).to_be_visible()
    expect(page.locator("#terminees").get_by_text("Gestes et postures au travail")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/trainer-home.png", full_page=True)


def test_reset_link_works_once(server, new_context) -> None:
    page = new_context().new_page()
    page.goto("/connexion")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    expect(page.get_by_role("heading", name="Mot de passe oublié")).to_be_visible()
    ready(page)
    page.get_by_label("E-mail").fill("learner9@demo.plume.test")
    page.get_by_role("button", name="Envoyer le lien").click()
    expect(page.get_by_text("Si un compte existe pour cette adresse")).to_be_visible()
    link = link_in(server.mailbox.wait_for("learner9@demo.plume.test", contains="reinitialiser"))
    goto(page, link)
    page.get_by_label("Nouveau mot de passe").fill("un jardin plein de tulipes")
    page.get_by_label("Confirmer le mot de passe").fill("un jardin plein de tulipes")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.get_by_text("Votre mot de passe a été changé")).to_be_visible()
    second = new_context().new_page()
    second.goto(link)
    expect(second.get_by_text("Ce lien n'est plus valable")).to_be_visible()
    second.screenshot(path=f"{SHOTS}/reset-used.png")
    sign_in(second, "learner9@demo.plume.test", "un jardin plein de tulipes")


def test_invitation_accepted_by_an_existing_account_adds_the_organisation(server, new_context) -> None:
    email = f"formatrice-{uuid.uuid4().hex[:6]}@example.test"
    with server.session() as db:
        atelier = db.exec(select(Organisation).where(Organisation.slug == "atelier-competences")).one()
        person = User(
            email=email,
            first_name="Odile",
            last_name="Marchand",
            phone="+33600000009",
            password_hash=hash_password("odile aime les trains"),
            phone_verified_at=utcnow(),
        )
        db.add(person)
        db.flush()
        db.add(Membership(user_id=person.id or 0, organisation_id=atelier.id or 0, is_trainer=True))
        db.commit()
    staff = new_context().new_page()
    sign_in(staff, "staff@demo.plume.test")
    staff.get_by_role("link", name="Formateurs").click()
    expect(staff.get_by_role("heading", name="Formateurs", exact=True)).to_be_visible()
    ready(staff)
    staff.get_by_role("button", name="Ajouter un formateur").click()
    staff.get_by_label("Prénom").fill("Odile")
    staff.get_by_label("Nom", exact=True).fill("Marchand")
    staff.get_by_label("E-mail (nécessaire pour inviter)").fill(email)
    staff.get_by_role("button", name="Ajouter", exact=True).click()
    row = staff.locator("[data-testid=trainer-row]", has_text=email)
    expect(row.get_by_text("Non invité")).to_be_visible()
    row.get_by_role("button", name="Inviter Odile Marchand").click()
    expect(staff.get_by_text(f"Invitation envoyée à {email}.")).to_be_visible()
    expect(row.get_by_text("Envoyée, non acceptée")).to_be_visible()
    staff.screenshot(path=f"{SHOTS}/staff-trainers.png", full_page=True)
    link = link_in(server.mailbox.wait_for(email, contains="/invitation?jeton="))

    trainer = new_context().new_page()
    sign_in(trainer, email, "odile aime les trains")
    goto(trainer, link)
    trainer.get_by_role("button", name="Rejoindre Horizon Formation").click()
    expect(trainer).to_have_url(re.compile(r"/accueil/?$"))
    switcher = trainer.get_by_role("combobox", name="Organisme")
    expect(switcher).to_be_visible()
    switcher.click()
    expect(trainer.get_by_role("option", name="Horizon Formation")).to_be_visible()
    expect(trainer.get_by_role("option", name="L'Atelier des Compétences")).to_be_visible()
    trainer.screenshot(path=f"{SHOTS}/org-switcher.png")
    trainer.get_by_role("option", name="L'Atelier des Compétences").click()
    expect(switcher).to_have_text("L'Atelier des Compétences")
    staff.reload()
    expect(staff.locator("[data-testid=trainer-row]", has_text=email).get_by_text("Acceptée")).to_be_visible()


def test_language_switch_changes_the_whole_ui_and_persists(server, new_context) -> None:
    page = new_context().new_page()
    sign_in(page, "learner15@demo.plume.test")
    expect(page.get_by_role("heading", name="Mes sessions")).to_be_visible()
    page.get_by_role("button", name="Menu du compte").click()
    page.get_by_role("menuitem", name="Mon profil").click()
    expect(page.get_by_role("heading", name="Mon profil")).to_be_visible()
    ready(page)
    page.get_by_role("radio", name="EN").click()
    expect(page.get_by_role("heading", name="My profile")).to_be_visible()
    expect(page.get_by_role("heading", name="Interface language")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/profile-en.png", full_page=True)
    goto(page, "/accueil")
    expect(page.get_by_role("heading", name="My sessions")).to_be_visible()
    expect(page.get_by_role("heading", name="In progress")).to_be_visible()
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="My profile").click()
    page.get_by_role("radio", name="FR").click()
    expect(page.get_by_role("heading", name="Mon profil")).to_be_visible()


def test_staff_pages_are_not_found_for_a_learner(server, new_context) -> None:
    page = new_context().new_page()
    sign_in(page, "learner16@demo.plume.test")
    goto(page, "/formateurs")
    expect(page.get_by_role("heading", name="Page introuvable")).to_be_visible()
    expect(page.get_by_text("Hélène")).to_have_count(0)


def test_signed_out_tab_is_sent_to_sign_in(server, new_context) -> None:
    context = new_context()
    first, second = context.new_page(), context.new_page()
    sign_in(first, "learner17@demo.plume.test")
    goto(second, "/profil")
    expect(second.get_by_role("heading", name="Mon profil")).to_be_visible()
    first.get_by_role("button", name="Menu du compte").click()
    first.get_by_role("menuitem", name="Se déconnecter").click()
    expect(first).to_have_url(re.compile(r"/connexion/?$"))
    second.get_by_role("button", name="Activer la vérification en deux étapes").click()
    expect(second).to_have_url(re.compile(r"/connexion"))


def test_email_change_asks_the_password_and_the_old_address_can_revert_it(server, new_context) -> None:
    old, new = f"ancienne-{uuid.uuid4().hex[:6]}@example.test", f"nouvelle-{uuid.uuid4().hex[:6]}@example.test"
    password = "le vent se leve ce soir"  # test password
    with server.session() as db:
        horizon = db.exec(select(Organisation).where(Organisation.slug == "horizon-formation")).one()
        person = User(
            email=old,
            first_name="Maëlle",
            last_name="Robin",
            phone="+33600000011",
            password_hash=hash_password(password),
            phone_verified_at=utcnow(),
        )
        db.add(person)
        db.flush()
        db.add(Membership(user_id=person.id or 0, organisation_id=horizon.id or 0, is_learner=True))
        db.commit()
    page = new_context().new_page()
    sign_in(page, old, password)
    goto(page, "/profil")
    expect(page.get_by_role("heading", name="Mon profil")).to_be_visible()
    ready(page)
    panel = page.locator("#profile-email")
    panel.get_by_label("Nouvelle adresse e-mail").fill(new)
    panel.get_by_label("Mot de passe actuel").fill("pas le bon mot de passe")
    panel.get_by_role("button", name="Changer d'adresse").click()
    expect(panel.get_by_text("Mot de passe incorrect.")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/email-change-password.png", full_page=True)
    panel.get_by_label("Nouvelle adresse e-mail").fill(new)
    panel.get_by_label("Mot de passe actuel").fill(password)
    panel.get_by_role("button", name="Changer d'adresse").click()
    expect(panel.get_by_text(f"Un lien de confirmation a été envoyé à {new}")).to_be_visible()
    goto(page, link_in(server.mailbox.wait_for(new, contains="/confirmer-email?jeton=")))
    expect(page.get_by_text(f"Votre adresse de connexion est désormais {new}.")).to_be_visible()

    revert = link_in(server.mailbox.wait_for(old, contains="/annuler-changement-email?jeton="))
    owner = new_context().new_page()
    goto(owner, revert)
    expect(owner.get_by_text(f"Ce lien rétablit {old} comme adresse de connexion")).to_be_visible()
    owner.get_by_role("button", name="Rétablir mon adresse").click()
    expect(owner.get_by_text(f"L'adresse {old} est rétablie")).to_be_visible()
    owner.screenshot(path=f"{SHOTS}/email-revert.png")
    server.mailbox.wait_for(old, contains="/reinitialiser?jeton=")
    with server.session() as db:
        assert db.exec(select(User).where(User.email == old)).one()
    goto(page, "/profil")
    expect(page).to_have_url(re.compile(r"/connexion"))
