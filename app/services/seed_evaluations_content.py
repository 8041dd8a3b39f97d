"""The demo's evaluation content: what a training organisation's library and competencies framework hold.

Plain data, in the form the library's editor and an imported file give it (`library.parse_question`):
a positioning diagnostic and a revision quiz per course, the SST certification's bank, the quality
evaluations (expectations, hot, cold) and a competencies framework per course. `seed_evaluations`
writes it through the services.
"""

from __future__ import annotations

Question = dict[str, object]
ChoiceData = tuple[str, bool, str]


def ok(label: str, feedback: str = "") -> ChoiceData:
    """A right answer, with its feedback."""
    return (label, True, feedback)


def no(label: str, feedback: str = "") -> ChoiceData:
    """A wrong answer, with its feedback."""
    return (label, False, feedback)


def _choices(choices: tuple[ChoiceData, ...]) -> list[dict[str, object]]:
    return [{"label": label, "correct": correct, "feedback": feedback} for label, correct, feedback in choices]


def single(text: str, *choices: ChoiceData, points: float = 1, tags: str = "") -> Question:
    """A single choice question."""
    return {"kind": "single", "text": text, "points": points, "tags": tags, "choices": _choices(choices)}


def multiple(text: str, *choices: ChoiceData, points: float = 1, tags: str = "") -> Question:
    """A multiple choice question (every right answer and no wrong one to earn its points)."""
    return {"kind": "multiple", "text": text, "points": points, "tags": tags, "choices": _choices(choices)}


def number(text: str, answer: float, tolerance: float = 0, *, points: float = 1, tags: str = "") -> Question:
    """A number question with its right answer."""
    return {
        "kind": "number",
        "text": text,
        "answer_number": answer,
        "tolerance": tolerance,
        "points": points,
        "tags": tags,
    }


def scale(text: str, maximum: int = 5) -> Question:
    """A scale question (not graded)."""
    return {"kind": "scale", "text": text, "scale_max": maximum, "points": 0}


def likert(text: str, rows: list[str], maximum: int = 5) -> Question:
    """A Likert grid (not graded)."""
    return {"kind": "likert", "text": text, "scale_max": maximum, "rows": rows, "points": 0}


def short(text: str) -> Question:
    """A short free text."""
    return {"kind": "short_text", "text": text, "points": 0}


def long(text: str) -> Question:
    """A long free text."""
    return {"kind": "long_text", "text": text, "points": 0}


def choice(text: str, *labels: str, many: bool = False) -> Question:
    """A choice question without a right answer (quality evaluations)."""
    return (multiple if many else single)(text, *(no(label) for label in labels), points=0)


FEELING = "Comment évaluez-vous aujourd'hui votre niveau sur ce sujet ?"

# Per course key: the positioning diagnostic's graded questions (a scale on how one feels closes it).
DIAGNOSTICS: dict[str, list[Question]] = {
    "management": [
        single(
            "Un collaborateur expérimenté et motivé découvre une nouvelle mission. Quel style adopter d'abord ?",
            no("Directif", "Utile face à un débutant, il démotive souvent un collaborateur autonome."),
            ok("Participatif", "Oui : on s'appuie sur son expérience tout en cadrant la nouveauté."),
            no("Délégatif", "Prématuré sur une mission qu'il ne connaît pas encore."),
        ),
        single(
            "Que signifie le « M » d'un objectif SMART ?",
            ok("Mesurable", "Un objectif se vérifie par un indicateur chiffré ou observable."),
            no("Motivant", "Important, mais ce n'est pas le sens du « M »."),
            no("Managérial"),
        ),
        multiple(
            "Quelles conditions rendent une délégation efficace ?",
            ok("Un objectif et un résultat attendu clairs", "Sans résultat attendu, impossible d'évaluer."),
            ok("Des points d'étape convenus à l'avance", "Ils évitent le contrôle permanent comme l'abandon."),
            no("Garder la décision finale sur chaque détail", "C'est reprendre ce que l'on vient de déléguer."),
            ok("Les moyens et l'autorité nécessaires", "Déléguer une mission, c'est aussi déléguer les moyens."),
        ),
        single(
            "Un conflit éclate entre deux membres de l'équipe. Quelle première étape ?",
            no("Trancher immédiatement en faveur du plus ancien"),
            ok("Entendre chacun séparément, sur les faits", "Les faits d'abord : on sépare le problème des personnes."),
            no("Attendre que la situation se règle d'elle-même", "Un conflit ignoré s'installe rarement de lui-même."),
        ),
        number("Combien de temps (en minutes) prévoir au minimum pour un entretien annuel d'évaluation ?", 60, 15),
        single(
            "Dans la méthode DESC pour formuler un recadrage, que signifie le « D » ?",
            ok("Décrire les faits", "On part de faits observables, sans jugement."),
            no("Décider de la sanction"),
            no("Dialoguer librement"),
        ),
    ],
    "excel": [
        single(
            "Quel outil résume 20 000 lignes de ventes par région et par mois en quelques clics ?",
            ok("Un tableau croisé dynamique", "Il regroupe, somme et filtre sans formule."),
            no("Un filtre automatique", "Il masque des lignes mais ne calcule pas de synthèse."),
            no("La mise en forme conditionnelle"),
        ),
        single(
            "Quelle fonction renvoie une valeur d'un tableau à partir d'une clé, dans n'importe quelle colonne ?",
            no("SOMME.SI"),
            ok("RECHERCHEX", "Elle remplace RECHERCHEV et cherche dans n'importe quel sens."),
            no("CONCAT"),
        ),
        multiple(
            "Quels avantages apporte la mise sous forme de tableau (Ctrl + T) ?",
            ok("Les formules s'étendent aux nouvelles lignes", "La plage grandit avec les données."),
            ok("Des références structurées lisibles", "[@Montant] se lit mieux que D2."),
            no("Le fichier devient impossible à modifier"),
            ok("Un tableau croisé se met à jour sur toute la plage", "Plus de plage oubliée au rafraîchissement."),
        ),
        single(
            "Où nettoyer et fusionner chaque mois des exports CSV sans refaire les manipulations ?",
            ok("Power Query", "Les étapes sont enregistrées et rejouées à l'actualisation."),
            no("Le Solveur"),
            no("Le gestionnaire de noms"),
        ),
        number("Une cellule contient =ARRONDI(2,456;1). Quelle valeur affiche-t-elle ?", 2.5),
        single(
            "Une macro enregistrée doit être conservée dans le classeur. Sous quel format l'enregistrer ?",
            no(".xlsx", "Ce format supprime les macros à l'enregistrement."),
            ok(".xlsm", "Le « m » indique un classeur prenant en charge les macros."),
            no(".csv"),
        ),
    ],
    "gestes": [
        single(
            "Pour soulever une charge posée au sol, quelle position adopter ?",
            ok("Pieds écartés, genoux fléchis, dos droit, charge près du corps", "Les jambes travaillent, pas le dos."),
            no("Jambes tendues, dos penché en avant", "La position la plus sollicitante pour les disques lombaires."),
            no("Une main sur la charge, l'autre sur le genou"),
        ),
        multiple(
            "Quels facteurs augmentent le risque de troubles musculo-squelettiques ?",
            ok("Les gestes répétitifs", "La répétition sans récupération use les tendons."),
            ok("Les postures contraignantes maintenues", "Bras levés, dos en torsion, à genoux…"),
            ok("Le stress et la pression temporelle", "Les facteurs psychosociaux aggravent les TMS."),
            no("Les pauses régulières", "Au contraire : elles permettent la récupération."),
        ),
        single(
            "Quelle est la première cause d'arrêt de travail liée aux TMS ?",
            no("Les troubles de la vision"),
            ok("Les atteintes du dos et des membres supérieurs", "Lombalgies, épaules, poignets, coudes."),
            no("Les troubles de l'audition"),
        ),
        number(
            "Au-delà de combien de kilos une femme ne doit-elle pas porter habituellement de charge (Code du travail) ?",
            25,
        ),
        single(
            "Que faire en priorité devant une tâche pénible répétée chaque jour ?",
            ok(
                "Chercher à aménager le poste ou l'organisation",
                "Supprimer le risque à la source vient avant les gestes.",
            ),
            no(
                "Porter une ceinture lombaire", "Elle ne supprime pas le risque et peut affaiblir la sangle abdominale."
            ),
            no("Accélérer pour finir plus vite"),
        ),
        single(
            "Pour pousser un chariot chargé, il vaut mieux :",
            ok("Pousser, bras tendus, avec le poids du corps", "Pousser sollicite moins le dos que tirer."),
            no("Le tirer derrière soi en marchant", "Tirer expose à des torsions et à des chocs aux talons."),
            no("Le pousser d'une seule main"),
        ),
    ],
    "rgpd": [
        single(
            "Laquelle de ces informations est une donnée personnelle ?",
            no("Le chiffre d'affaires de l'entreprise"),
            ok("L'adresse e-mail professionnelle d'un salarié", "Elle permet d'identifier une personne."),
            no("Le nombre de salles de réunion"),
        ),
        number("Dans combien d'heures au plus une violation de données doit-elle être notifiée à la CNIL ?", 72),
        multiple(
            "Quels droits une personne peut-elle exercer sur ses données ?",
            ok("Le droit d'accès", "Savoir quelles données sont détenues sur soi."),
            ok("Le droit de rectification"),
            ok("Le droit d'opposition", "Dans les cas prévus, notamment la prospection."),
            no("Le droit de consulter les données de ses collègues"),
        ),
        single(
            "Qui doit tenir le registre des activités de traitement ?",
            ok(
                "Le responsable de traitement (l'entreprise)",
                "Le DPO l'aide, mais la responsabilité reste celle de l'entreprise.",
            ),
            no("Chaque salarié pour ses propres fichiers"),
            no("La CNIL"),
        ),
        single(
            "Une donnée de santé d'un salarié est :",
            no("Une donnée ordinaire"),
            ok("Une donnée sensible, au traitement encadré", "Son traitement est interdit sauf exceptions prévues."),
            no("Une donnée publique"),
        ),
        single(
            "Combien de temps conserver le CV d'un candidat non retenu, sans son accord ?",
            no("Indéfiniment"),
            ok("Deux ans au plus après le dernier contact", "C'est la durée que recommande la CNIL."),
            no("Dix ans"),
        ),
    ],
    "accueil": [
        single(
            "Au téléphone, dans quel délai décrocher idéalement ?",
            ok("Avant la troisième sonnerie", "Au-delà, l'appelant a le sentiment d'attendre."),
            no("Après cinq sonneries"),
            no("Peu importe, tant que l'on décroche"),
        ),
        multiple(
            "Que contient une bonne phrase d'accueil téléphonique ?",
            ok("Le nom de l'entreprise", "L'appelant sait qu'il est au bon endroit."),
            ok("Son prénom", "Cela personnalise l'échange."),
            ok("Une formule de politesse et une offre d'aide"),
            no("Le numéro de poste de chaque collègue"),
        ),
        single(
            "Un client mécontent élève la voix. Quelle réaction adopter en premier ?",
            no("Lui demander de se calmer"),
            ok("L'écouter sans l'interrompre, puis reformuler", "Se sentir entendu fait baisser la tension."),
            no("Le transférer immédiatement à un responsable"),
        ),
        number("Selon la règle des « 4 × 20 », combien de secondes compte la première impression ?", 20),
        single(
            "Laquelle de ces formulations est à privilégier ?",
            no("« Ce n'est pas mon service. »"),
            ok(
                "« Je vais trouver la bonne personne pour vous répondre. »",
                "Une formulation positive, orientée solution.",
            ),
            no("« Rappelez plus tard. »"),
        ),
        single(
            "Que faire si l'on doit mettre un appel en attente ?",
            ok("Demander l'accord du client et annoncer la durée", "Il garde le contrôle de son attente."),
            no("Le mettre en attente sans rien dire"),
            no("Poser le combiné sur le bureau"),
        ),
    ],
    "sst": [
        single(
            "Dans quel ordre le SST intervient-il face à un accident ?",
            ok("Protéger, examiner, alerter, secourir", "C'est l'ordre du plan d'intervention SST."),
            no("Secourir, alerter, protéger", "Sans protection, le sauveteur risque d'être la deuxième victime."),
            no("Alerter, puis attendre les secours"),
        ),
        multiple(
            "Quels numéros permettent d'alerter les secours en France ?",
            ok("15 (SAMU)"),
            ok("18 (pompiers)"),
            ok("112 (numéro d'urgence européen)"),
            no("3615", "Ce n'est pas un numéro d'urgence."),
        ),
        number("À quel rythme minimal (compressions par minute) pratiquer les compressions thoraciques ?", 100),
        single(
            "Une victime saigne abondamment de l'avant-bras. Quel premier geste ?",
            ok("Appuyer directement sur la plaie", "La compression directe arrête la plupart des saignements."),
            no("Poser un garrot en premier lieu"),
            no("Rincer la plaie à l'eau"),
        ),
        single(
            "Une victime inconsciente respire. Dans quelle position la placer ?",
            ok("En position latérale de sécurité (PLS)", "La PLS libère les voies aériennes."),
            no("Assise contre un mur"),
            no("Sur le dos, jambes relevées"),
        ),
        single(
            "Une personne s'étouffe et ne peut plus parler ni tousser. Que faire ?",
            ok("Donner jusqu'à 5 claques dans le dos", "Puis des compressions abdominales si elles échouent."),
            no("Lui donner à boire"),
            no("Attendre qu'elle reprenne son souffle"),
        ),
    ],
    "cyber": [
        single(
            "Un e-mail urgent du « service informatique » vous demande votre mot de passe. Que faire ?",
            no("Répondre rapidement pour ne pas bloquer le compte"),
            ok("Ne pas répondre et le signaler", "Aucun service informatique ne demande un mot de passe par e-mail."),
            no("Le transférer à vos collègues pour avis"),
        ),
        number("Combien de caractères au minimum l'ANSSI recommande-t-elle pour un mot de passe seul ?", 12),
        multiple(
            "Quelles pratiques protègent vos comptes ?",
            ok("Un mot de passe différent par service", "Une fuite sur un site ne compromet pas les autres."),
            ok("L'authentification à deux facteurs", "Un mot de passe volé ne suffit plus."),
            no("Noter ses mots de passe sur un post-it"),
            ok("Un gestionnaire de mots de passe"),
        ),
        single(
            "Vous trouvez une clé USB sur le parking. Que faire ?",
            no("La brancher pour trouver son propriétaire"),
            ok(
                "La remettre au service informatique sans la brancher",
                "Une clé piégée infecte un poste dès son branchement.",
            ),
            no("La garder pour soi"),
        ),
        single(
            "Sur un Wi-Fi public, que faut-il éviter ?",
            ok("Se connecter aux outils de l'entreprise sans VPN", "Le trafic peut être intercepté."),
            no("Consulter la météo"),
            no("Lire un article de presse"),
        ),
        single(
            "Pourquoi installer les mises à jour sans attendre ?",
            ok(
                "Elles corrigent des failles connues des attaquants",
                "Une faille publiée est exploitée en quelques jours.",
            ),
            no("Pour changer l'apparence du logiciel"),
            no("Elles sont obligatoires par la loi"),
        ),
    ],
}

# Per course key: the revision quiz (feedback on every answer: the learner reads it as they go).
QUIZZES: dict[str, list[Question]] = {
    "management": [
        single(
            "Lors d'un entretien de recadrage, il faut d'abord :",
            ok("Décrire les faits précis", "Bien vu : des faits, pas des jugements sur la personne."),
            no("Rappeler toutes les erreurs passées", "Non : on traite un fait, pas un historique."),
            no("Annoncer la sanction", "Non : la sanction n'est pas le point de départ du dialogue."),
        ),
        single(
            "Un feedback positif est efficace lorsqu'il est :",
            ok("Précis et donné rapidement", "Oui : le collaborateur sait exactement quoi reproduire."),
            no("Réservé à l'entretien annuel", "Non : un an plus tard, il perd tout effet."),
            no("Général (« bon travail »)", "Non : trop vague, il n'apprend rien."),
        ),
        multiple(
            "Quels éléments font partie d'une bonne délégation ?",
            ok("Fixer le résultat attendu", "Oui."),
            ok("Convenir des points d'étape", "Oui."),
            no("Contrôler chaque action", "Non : c'est de la surveillance, pas de la délégation."),
        ),
        number("Combien de temps de parole (en %) laisser idéalement au collaborateur lors d'un entretien ?", 70, 10),
    ],
    "excel": [
        single(
            "Pour figer la ligne d'en-tête d'un long tableau :",
            ok("Affichage > Figer les volets", "Exact : l'en-tête reste visible au défilement."),
            no("Protéger la feuille", "Non : cela empêche la saisie, pas le défilement."),
            no("Masquer les lignes suivantes", "Non : les données disparaîtraient."),
        ),
        single(
            "Dans une formule, $A$1 est une référence :",
            ok("Absolue", "Oui : elle ne bouge pas quand on recopie la formule."),
            no("Relative", "Non : une référence relative s'écrit A1."),
            no("Mixte", "Non : une référence mixte ne bloque que la ligne ou la colonne ($A1, A$1)."),
        ),
        multiple(
            "Quelles zones trouve-t-on dans le volet d'un tableau croisé dynamique ?",
            ok("Lignes", "Oui."),
            ok("Valeurs", "Oui."),
            ok("Filtres", "Oui."),
            no("Macros", "Non : les macros ne sont pas dans ce volet."),
        ),
        number("Combien de lignes compte au plus une feuille Excel (en millions, arrondi) ?", 1),
    ],
    "gestes": [
        single(
            "Avant de porter une charge, on commence par :",
            ok("Évaluer son poids et dégager le passage", "Oui : on prépare avant de soulever."),
            no("La soulever d'un coup pour tester", "Non : c'est le geste qui blesse."),
            no("Demander à un collègue de la porter", "Pas forcément : on évalue d'abord."),
        ),
        single(
            "Pour se tourner avec une charge dans les mains :",
            ok("On déplace les pieds", "Oui : pas de torsion du dos."),
            no("On pivote le buste", "Non : la torsion en charge est la plus dangereuse pour le dos."),
        ),
        multiple(
            "Quelles aides techniques réduisent la manutention ?",
            ok("Un diable ou un transpalette", "Oui."),
            ok("Une table élévatrice", "Oui."),
            no("Une ceinture lombaire", "Non : elle ne réduit pas la charge portée."),
        ),
        number("Combien de secondes tenir un étirement pour qu'il soit utile (au minimum) ?", 20, 10),
    ],
    "rgpd": [
        single(
            "Un collègue vous demande d'envoyer le fichier clients sur sa messagerie personnelle :",
            ok("Vous refusez", "Oui : les données sortiraient du cadre sécurisé de l'entreprise."),
            no("Vous l'envoyez, c'est un collègue", "Non : c'est une fuite de données potentielle."),
            no("Vous l'envoyez compressé", "Non : la compression ne protège rien."),
        ),
        single(
            "Le principe de minimisation signifie :",
            ok("Ne collecter que les données nécessaires", "Exact."),
            no("Réduire la taille des fichiers", "Non."),
            no("Supprimer les données au bout d'un an", "Non : c'est la durée de conservation, autre principe."),
        ),
        multiple(
            "Que doit indiquer l'information donnée aux personnes ?",
            ok("La finalité du traitement", "Oui."),
            ok("La durée de conservation", "Oui."),
            ok("Leurs droits et comment les exercer", "Oui."),
            no("Le salaire du DPO", "Non."),
        ),
        number("Quel est le montant maximal d'une amende RGPD, en pourcentage du chiffre d'affaires mondial ?", 4),
    ],
    "accueil": [
        single(
            "Un visiteur arrive pendant que vous êtes au téléphone :",
            ok("Vous lui faites un signe pour montrer que vous l'avez vu", "Oui : il sait qu'il sera reçu."),
            no("Vous l'ignorez jusqu'à la fin de l'appel", "Non : il se sent invisible."),
            no("Vous raccrochez", "Non : l'appelant compte aussi."),
        ),
        single(
            "Pour conclure un appel, on :",
            ok("Reformule ce qui a été convenu", "Oui : on s'assure d'être compris."),
            no("Raccroche dès la réponse donnée", "Non : l'appelant reste sur sa faim."),
        ),
        multiple(
            "Quels mots éviter face à un client ?",
            ok("« Problème »", "Oui : préférez « situation » ou « question »."),
            ok("« Pas de souci »", "Oui : préférez « avec plaisir »."),
            no("« Je m'en occupe »", "Non : c'est au contraire rassurant."),
        ),
        number("Combien de secondes au plus laisser un appelant en attente sans lui reparler ?", 30, 15),
    ],
    "sst": [
        single(
            "Le défibrillateur (DAE) s'utilise :",
            ok("Dès qu'il est disponible, sur une victime qui ne respire pas", "Oui : chaque minute compte."),
            no("Seulement par un médecin", "Non : il est conçu pour le grand public."),
            no("Après 20 minutes de massage", "Non : le plus tôt possible."),
        ),
        single(
            "Lors de l'alerte, qui raccroche en premier ?",
            ok("Les secours", "Oui : ils ont peut-être encore des questions ou des consignes."),
            no("Le témoin, dès l'adresse donnée", "Non : on attend l'accord des secours."),
        ),
        multiple(
            "Que transmettre lors de l'alerte ?",
            ok("L'adresse précise", "Oui."),
            ok("La nature de l'accident et l'état de la victime", "Oui."),
            ok("Les gestes déjà faits", "Oui."),
            no("Le nom de votre manager", "Non : inutile aux secours."),
        ),
        number("Combien d'insufflations après 30 compressions, chez l'adulte ?", 2),
    ],
    "cyber": [
        single(
            "Un lien dans un SMS annonce un colis en attente :",
            ok("Vous ne cliquez pas", "Oui : c'est une arnaque classique (smishing)."),
            no("Vous cliquez pour vérifier", "Non : le site imite le transporteur pour voler vos données."),
        ),
        single(
            "Votre poste se comporte bizarrement après l'ouverture d'une pièce jointe :",
            ok("Vous le débranchez du réseau et prévenez l'informatique", "Oui : on limite la propagation."),
            no("Vous redémarrez et continuez", "Non : le problème reste et peut s'étendre."),
        ),
        multiple(
            "Quels indices trahissent un e-mail d'hameçonnage ?",
            ok("Une adresse d'expéditeur étrange", "Oui."),
            ok("Un ton d'urgence ou de menace", "Oui."),
            no("Votre prénom dans la formule d'appel", "Non : les escrocs le connaissent souvent."),
        ),
        number("Combien de facteurs utilise une authentification « à deux facteurs » ?", 2),
    ],
}

# The SST certification's bank: the theory part of the certificate, drawn at random for each candidate.
SST_BANK: list[Question] = [
    single("Le premier objectif de l'intervention du SST est de :", ok("Protéger"), no("Secourir"), no("Alerter")),
    single(
        "Face à un danger persistant qu'on ne peut supprimer, on :",
        ok("Dégage la victime"),
        no("Attend sur place"),
        no("Secourt sur place malgré tout"),
    ),
    single(
        "Le dégagement d'urgence se fait :",
        ok("Seulement si le danger est réel, vital et immédiat"),
        no("Systématiquement"),
        no("Jamais"),
    ),
    single("Le numéro d'urgence européen est le :", ok("112"), no("115"), no("119")),
    single("Le 15 correspond :", ok("Au SAMU"), no("Aux pompiers"), no("À la police")),
    single("Le 18 correspond :", ok("Aux sapeurs-pompiers"), no("Au SAMU"), no("Au centre antipoison")),
    single(
        "L'examen de la victime commence par :",
        ok("Un saignement abondant visible"),
        no("La prise du pouls"),
        no("Les antécédents médicaux"),
    ),
    single(
        "Pour vérifier la respiration, on regarde, écoute et sent pendant :",
        ok("10 secondes au plus"),
        no("1 minute"),
        no("3 secondes"),
    ),
    single("Une victime qui ne répond pas mais respire est placée :", ok("En PLS"), no("Sur le ventre"), no("Assise")),
    single(
        "Une victime qui ne respire pas :",
        ok("Reçoit une RCP et un DAE au plus vite"),
        no("Est mise en PLS"),
        no("Est laissée sans geste jusqu'aux secours"),
    ),
    number("Combien de compressions thoraciques avant les insufflations, chez l'adulte ?", 30),
    number("À quelle profondeur (en cm, minimum) comprimer le thorax d'un adulte ?", 5),
    number("Combien de claques dans le dos au plus avant les compressions abdominales ?", 5),
    single(
        "Un saignement abondant qui ne s'arrête pas par compression directe appelle :",
        ok("Un garrot"),
        no("Un pansement sec"),
        no("De la glace"),
    ),
    single(
        "Une brûlure thermique se refroidit :",
        ok("À l'eau tempérée pendant plusieurs minutes"),
        no("Avec de la glace"),
        no("Avec de la crème"),
    ),
    number("Combien de minutes au moins arroser une brûlure thermique ?", 10, 5),
    single(
        "Une victime se plaint d'une douleur à la poitrine :",
        ok("On l'installe au repos et on alerte"),
        no("On la fait marcher"),
        no("On lui donne à manger"),
    ),
    single(
        "Une victime d'un traumatisme du cou :",
        ok("Ne doit pas être mobilisée"),
        no("Est mise en PLS aussitôt"),
        no("Est assise"),
    ),
    single(
        "Une victime qui s'étouffe partiellement (elle tousse) :",
        ok("Est encouragée à tousser"),
        no("Reçoit des claques dans le dos"),
        no("Reçoit des compressions abdominales"),
    ),
    multiple(
        "Quels éléments composent le message d'alerte ?",
        ok("Le lieu précis"),
        ok("Le nombre de victimes"),
        ok("L'état apparent des victimes"),
        no("Le salaire de la victime"),
    ),
    multiple(
        "Quels signes indiquent une détresse vitale ?",
        ok("Absence de réponse"),
        ok("Absence de respiration"),
        ok("Saignement abondant"),
        no("Une petite égratignure"),
    ),
    multiple(
        "Que comprend la prévention dans l'entreprise pour le SST ?",
        ok("Repérer les dangers"),
        ok("Informer sa hiérarchie"),
        no("Modifier seul les machines"),
    ),
    single(
        "Un DAE peut-il être utilisé sur un enfant ?",
        ok("Oui, avec les électrodes adaptées si possible"),
        no("Non, jamais"),
        no("Seulement par un médecin"),
    ),
    single(
        "Pendant l'utilisation du DAE, pendant l'analyse :",
        ok("Personne ne touche la victime"),
        no("On continue les compressions"),
        no("On secoue la victime"),
    ),
    single(
        "Après une RCP, la victime reprend une respiration normale :",
        ok("PLS et surveillance"),
        no("On arrête tout et on part"),
        no("On continue les compressions"),
    ),
    single(
        "Une plaie grave au thorax :",
        ok("Position demi-assise"),
        no("Position allongée à plat"),
        no("Marche jusqu'à l'infirmerie"),
    ),
    single("Une plaie à l'abdomen :", ok("Allongé, jambes fléchies"), no("Assis"), no("Debout")),
    single(
        "Un malaise chez un diabétique conscient :",
        ok("Donner du sucre si la victime le demande et peut avaler"),
        no("Donner de l'eau salée"),
        no("Ne rien faire"),
    ),
    single(
        "Une brûlure chimique se rince :", ok("Abondamment à l'eau"), no("Avec un autre produit"), no("Pas du tout")
    ),
    single(
        "Le SST transmet ses observations à :",
        ok("Sa hiérarchie et les acteurs de la prévention"),
        no("Personne"),
        no("La presse"),
    ),
    number("Tous les combien de mois le SST suit-il un maintien et actualisation des compétences (MAC) ?", 24),
    single("Le certificat SST est valable :", ok("24 mois, renouvelé par le MAC"), no("À vie"), no("6 mois")),
    single(
        "Une victime est électrisée par une machine :",
        ok("On coupe le courant avant de la toucher"),
        no("On la tire par le bras"),
        no("On l'arrose d'eau"),
    ),
    single(
        "Un saignement du nez :",
        ok("Tête penchée en avant, narine comprimée 10 minutes"),
        no("Tête en arrière"),
        no("Allongé à plat"),
    ),
]

EXPECTATIONS: list[Question] = [
    choice(
        "Qu'est-ce qui vous amène à suivre cette formation ?",
        "Une demande de mon employeur",
        "Un projet professionnel personnel",
        "Une obligation réglementaire",
        "Une prise de poste",
    ),
    scale("Comment évaluez-vous votre niveau actuel sur le thème de la formation ?"),
    long("Quelles situations de votre travail aimeriez-vous mieux maîtriser à l'issue de la formation ?"),
    short("Avez-vous besoin d'un aménagement (accessibilité, horaires, matériel) ?"),
]

HOT: list[Question] = [
    likert(
        "Comment évaluez-vous les points suivants ?",
        [
            "L'organisation (accueil, salle, horaires)",
            "Le contenu de la formation",
            "L'animation par le formateur",
            "Les supports remis",
            "L'équilibre entre théorie et pratique",
        ],
    ),
    choice("Les objectifs annoncés ont-ils été atteints ?", "Oui, totalement", "En partie", "Non"),
    choice("Recommanderiez-vous cette formation à un collègue ?", "Oui", "Non"),
    long("Qu'avez-vous le plus apprécié ?"),
    long("Que faudrait-il améliorer ?"),
]

COLD: list[Question] = [
    scale("Dans quelle mesure mettez-vous en pratique ce que vous avez appris ?"),
    choice(
        "Qu'est-ce qui a changé dans votre travail depuis la formation ?",
        "Je suis plus efficace",
        "Je suis plus à l'aise",
        "J'ai transmis à mes collègues",
        "Rien de particulier",
        many=True,
    ),
    choice(
        "Avez-vous rencontré des freins à la mise en pratique ?", "Non", "Le manque de temps", "Le manque de matériel"
    ),
    long("Un exemple de situation où la formation vous a servi ?"),
]

# Per course key: its competencies (code, label, category), linked to the course in this order.
COMPETENCIES: dict[str, list[tuple[str, str, str]]] = {
    "management": [
        ("MAN-01", "Adapter son style de management à chaque collaborateur", "Savoir-faire managérial"),
        ("MAN-02", "Fixer des objectifs SMART et en suivre l'atteinte", "Savoir-faire managérial"),
        ("MAN-03", "Déléguer une mission et la suivre", "Savoir-faire managérial"),
        ("MAN-04", "Conduire un entretien de recadrage", "Communication managériale"),
    ],
    "excel": [
        ("XLS-01", "Construire et filtrer un tableau croisé dynamique", "Tableur"),
        ("XLS-02", "Utiliser les fonctions de recherche (RECHERCHEX)", "Tableur"),
        ("XLS-03", "Importer et nettoyer des données avec Power Query", "Automatisation"),
        ("XLS-04", "Enregistrer et modifier une macro simple", "Automatisation"),
    ],
    "gestes": [
        ("PRV-01", "Identifier les risques liés à son poste de travail", "Prévention"),
        ("PRV-02", "Appliquer les principes de sécurité physique et d'économie d'effort", "Manutention"),
        ("PRV-03", "Utiliser les aides techniques à la manutention", "Manutention"),
        ("PRV-04", "Proposer des pistes d'amélioration de son poste", "Prévention"),
    ],
    "rgpd": [
        ("DON-01", "Reconnaître une donnée personnelle et une donnée sensible", "Protection des données"),
        ("DON-02", "Appliquer les principes de minimisation et de conservation", "Protection des données"),
        ("DON-03", "Répondre à une demande d'exercice de droits", "Conformité"),
    ],
    "accueil": [
        ("ACC-01", "Accueillir un visiteur avec une posture professionnelle", "Relation client"),
        ("ACC-02", "Prendre un appel et le traiter jusqu'au bout", "Relation client"),
        ("ACC-03", "Désamorcer l'insatisfaction d'un client", "Communication"),
    ],
    "sst": [
        ("SST-C1", "Situer son rôle de SST dans l'organisation de la prévention", "Prévention"),
        ("SST-C2", "Protéger de façon adaptée", "Secours"),
        ("SST-C3", "Examiner la victime", "Secours"),
        ("SST-C4", "Faire alerter ou alerter en fonction de l'organisation", "Secours"),
        ("SST-C5", "Secourir la victime de manière appropriée", "Secours"),
    ],
    "cyber": [
        ("CYB-01", "Reconnaître une tentative d'hameçonnage", "Hygiène numérique"),
        ("CYB-02", "Gérer ses mots de passe de façon sûre", "Hygiène numérique"),
        ("CYB-03", "Signaler un incident de sécurité", "Réaction aux incidents"),
    ],
}

GRID_COMMENTS = {
    "acquired": "Geste maîtrisé lors des mises en situation.",
    "in_progress": "Bonne base ; à consolider en situation réelle.",
    "not_acquired": "À retravailler : revoir la fiche mémo remise en formation.",
}
