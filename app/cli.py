"""`plume` command: migrate, seed, serve, createsuperuser, send-outbox, verify-attendance, attendance-public-key."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from urllib.parse import urlsplit

from sqlmodel import select

from app.logs import granian_log_config
from app.models import Membership, Organisation, User
from app.models.base import utcnow
from app.services import archives
from app.services.db import session_scope
from app.settings import get_settings


def _migrate(_args: argparse.Namespace) -> int:
    from app.migrate import upgrade

    upgrade()
    print("Base de données à jour.")
    return 0


def _seed(args: argparse.Namespace) -> int:
    from app.services.seed import SeedRefusedError, seed_demo

    with session_scope() as db:
        if args.if_empty and db.exec(select(User.id)).first() is not None:
            print("Données déjà présentes : démo non recréée.")
            return 0
        try:
            counts = seed_demo(db, learners=args.learners)
        except SeedRefusedError as exc:
            print(f"plume seed: {exc}", file=sys.stderr)
            return 2
    print(f"Démo créée : {counts}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    """Serve the frontend already built and the backend workers, without compiling or building anything.

    `reflex run --env prod` recompiles the app and rebuilds the frontend on every start (about ten seconds);
    a restart only needs the backend. The build (`reflex export --frontend-only --no-zip --env prod`, which
    `make build` runs when a source changed) embeds the public address the pages connect back to, so a build
    made for another `PLUME_BASE_URL` is refused rather than served broken.

    Args:
        args: `--host`, `--port`, `--workers` (more than one needs `REDIS_URL`) and `--loglevel`.

    Returns:
        The exit code: 2 without a usable build or with several workers and no Redis; else when the server stops.
    """
    from reflex.utils import exec as reflex_exec
    from reflex.utils import prerequisites
    from reflex_base import constants
    from reflex_base.environment import environment

    web_dir = prerequisites.get_web_dir()
    if not (web_dir / constants.Dirs.STATIC / "index.html").exists():
        print(f"Aucun frontend construit dans {web_dir} : lancez `make build`.", file=sys.stderr)
        return 2
    built_for = urlsplit(json.loads((web_dir / constants.Dirs.ENV_JSON).read_text())["EVENT"]).netloc
    base = urlsplit(get_settings().base_url).netloc
    if built_for != base:
        print(
            f"Le frontend de {web_dir} a été construit pour {built_for}, pas pour {base} : lancez `make build`.",
            file=sys.stderr,
        )
        return 2
    if args.workers > 1 and not get_settings().redis_url:
        print("Plusieurs workers partagent les onglets par Redis : définissez REDIS_URL.", file=sys.stderr)
        return 2
    # What `reflex run --env prod` sets before starting its workers, minus the compile and the build.
    environment.REFLEX_ENV_MODE.set(constants.Env.PROD)
    environment.REFLEX_SKIP_COMPILE.set(True)
    os.environ["GRANIAN_WORKERS"] = str(args.workers)
    # Granian's main process logs too (workers spawned, exited, restarted): as JSON lines, like the workers.
    # Reflex builds granian's logging overrides in this one function; Plume's replace them.
    reflex_exec._granian_log_dictconfig = granian_log_config
    reflex_exec.run_backend_prod(
        args.host, args.port, constants.LogLevel(args.loglevel), mount_frontend_compiled_app=True
    )
    return 0


def _createsuperuser(args: argparse.Namespace) -> int:
    from app.services.accounts import clean_email
    from app.services.crypto import hash_password
    from app.services.errors import PlumeError
    from app.services.passwords import check_new_password

    email = args.email or input("E-mail : ")
    password = args.password or getpass.getpass("Mot de passe : ")
    try:
        email = clean_email(email)
        check_new_password(password, email=email)
    except PlumeError as exc:
        print(f"plume createsuperuser: {exc.code.value}", file=sys.stderr)
        return 2
    with session_scope() as db:
        if db.exec(select(User.id).where(User.email == email)).first() is not None:
            print("plume createsuperuser: this e-mail already has an account", file=sys.stderr)
            return 2
        user = User(
            email=email,
            first_name=args.first_name,
            last_name=args.last_name,
            password_hash=hash_password(password),
            phone_verified_at=utcnow(),
            is_superuser=True,
        )
        db.add(user)
        db.flush()
        if args.organisation:
            org = db.exec(select(Organisation).where(Organisation.slug == args.organisation)).first()
            if org is None:
                org = Organisation(name=args.organisation, slug=args.organisation)
                db.add(org)
                db.flush()
                archives.add_default_categories(db, org.id or 0)
            db.add(Membership(user_id=user.id or 0, organisation_id=org.id or 0, is_staff=True))
    print(f"Superutilisateur {email} créé.")
    return 0


def _send_outbox(_args: argparse.Namespace) -> int:
    from app.services.outbox import deliver_pending

    with session_scope() as db:
        sent = deliver_pending(db)
    print(f"{sent} message(s) envoyé(s).")
    return 0


def _show_message(args: argparse.Namespace) -> int:
    from sqlmodel import col, select

    from app.models import OutboxEmail
    from app.services.outbox import delivered

    # For the operator of a deployment without SMTP/SMS gateway (e.g. `make run`): the latest
    # message to one address, secrets included; the web outbox never shows them.
    with session_scope() as db:
        row = db.exec(
            select(OutboxEmail).where(OutboxEmail.to == args.to.strip()).order_by(col(OutboxEmail.id).desc())
        ).first()
        if row is None:
            print(f"plume show-message: aucun message pour {args.to}", file=sys.stderr)
            return 1
        real = delivered(row)
    print(f"À : {row.to}\nObjet : {real.subject}\n\n{real.body}")
    return 0


CHAIN_PROBLEMS = {
    "edited": "contenu modifié après coup",
    "personal_edited": "données personnelles modifiées après coup (elles ne correspondent plus à leur empreinte)",
    "forged": "sceau invalide : chaîne recalculée sans la clé de l'organisme",
    "signature_edited": "image de signature modifiée",
    "deleted": "enregistrement supprimé (la chaîne ne suit plus)",
    "reordered": "enregistrements réordonnés",
    "head": "derniers enregistrements supprimés (tête de chaîne différente)",
    "head_unknown": "l'empreinte publiée n'est plus dans la chaîne (chaîne tronquée ou réécrite)",
    "no_key": "aucune clé publique pour vérifier les sceaux",
}


def _verify_attendance(args: argparse.Namespace) -> int:
    from app.services.attendance.chain import KeyFileError, load_public_key, verify_chain

    public_key = None
    if args.public_key:
        if args.organisation is None:
            print("plume verify-attendance: --public-key demande --organisation", file=sys.stderr)
            return 2
        try:
            with open(args.public_key, "rb") as handle:
                public_key = load_public_key(handle.read())
        except (OSError, ValueError) as exc:
            print(f"plume verify-attendance: clé publique illisible ({exc})", file=sys.stderr)
            return 2
    head = args.head.strip().lower() if args.head else None
    try:
        with session_scope() as db:
            report = verify_chain(db, args.organisation, public_key=public_key, head=head)
    except KeyFileError as exc:
        print(f"plume verify-attendance: {exc}", file=sys.stderr)
        return 2
    explanation = CHAIN_PROBLEMS.get(report.problem, report.problem)
    if report.ok:
        erased = f", dont {report.erased} aux données personnelles effacées" if report.erased else ""
        print(f"OK : {report.records} enregistrements vérifiés ({report.organisations} organisation(s)){erased}.")
        if head:
            print(
                f"OK : empreinte publiée présente (organisation {report.head_organisation_id}, "
                f"enregistrement n° {report.head_seq})."
            )
        return 0
    if report.problem == "head_unknown":
        print(f"ROMPU : {head} : {explanation}")
        return 1
    where = (
        f"enregistrement {report.record_id} (n° {report.seq})"
        if report.record_id is not None
        else "aucun enregistrement restant"
    )
    print(f"ROMPU : organisation {report.organisation_id}, {where} : {explanation}")
    return 1


def _attendance_public_key(args: argparse.Namespace) -> int:
    from app.models import AttendanceChain
    from app.services.attendance.chain import KeyFileError, public_key_pem, signing_key

    with session_scope() as db:
        if db.get(Organisation, args.organisation) is None:
            print(f"plume attendance-public-key: aucune organisation {args.organisation}", file=sys.stderr)
            return 2
        head = db.get(AttendanceChain, args.organisation)
    try:
        key = signing_key(args.organisation, create=head is None or head.last_seq == 0).public_key()
    except KeyFileError as exc:
        print(f"plume attendance-public-key: {exc}", file=sys.stderr)
        return 2
    print(public_key_pem(key), end="")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `plume` console script.

    Args:
        argv: Arguments (defaults to sys.argv).

    Returns:
        The exit code.
    """
    get_settings().check()
    parser = argparse.ArgumentParser(prog="plume", description="Plume administration")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=_migrate)
    seed = sub.add_parser("seed", help="fill an empty database with the demo")
    seed.add_argument("--learners", type=int, default=30)
    seed.add_argument("--if-empty", action="store_true", help="do nothing when accounts exist")
    seed.set_defaults(func=_seed)
    serve = sub.add_parser("serve", help="serve the built frontend and the backend workers (no rebuild)")
    serve.add_argument("--host", default="0.0.0.0")  # noqa: S104  # as `reflex run`: the port is the service
    serve.add_argument("--port", type=int, default=3000)
    serve.add_argument("--workers", type=int, default=1, help="backend processes (more than one needs REDIS_URL)")
    serve.add_argument("--loglevel", default="info", choices=["debug", "info", "warning", "error", "critical"])
    serve.set_defaults(func=_serve)
    su = sub.add_parser("createsuperuser", help="create an administrator account")
    su.add_argument("--email", default="")
    su.add_argument("--password", default="")
    su.add_argument("--first-name", default="")
    su.add_argument("--last-name", default="")
    su.add_argument("--organisation", default="", help="slug of an organisation to be staff of")
    su.set_defaults(func=_createsuperuser)
    sub.add_parser("send-outbox", help="send due e-mails now").set_defaults(func=_send_outbox)
    show = sub.add_parser("show-message", help="print the latest message to an address (no SMTP/SMS in dev)")
    show.add_argument("--to", required=True, help="e-mail address or phone number (E.164)")
    show.set_defaults(func=_show_message)
    verify = sub.add_parser("verify-attendance", help="check the attendance records' sealed hash chains")
    verify.add_argument("--organisation", type=int, default=None, help="id of one organisation to check")
    verify.add_argument("--public-key", default="", help="the organisation's public key (PEM file)")
    verify.add_argument("--head", default="", help="a published head hash that must still be in the chain")
    verify.set_defaults(func=_verify_attendance)
    pub = sub.add_parser("attendance-public-key", help="print an organisation's attendance public key (PEM)")
    pub.add_argument("--organisation", type=int, required=True, help="id of the organisation")
    pub.set_defaults(func=_attendance_public_key)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
