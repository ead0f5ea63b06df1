"""What the access log's codes mean, in words a data protection officer reads (German through
gettext): every action code, every role, every kind of record, and its times as local time
("09.12.2026, 23:00", Europe/Berlin).

A code written anywhere in the code base must have its label here
(tests/caseworks/test_audit_labels.py reads the sources); an unknown code (an entry written by
an older version) is shown as it is rather than hidden.
"""

import datetime
import functools

from django.apps import apps
from django.db.models import Model
from django.utils import dateformat, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from caseworks.access.roles import Role

# The way German offices write a moment (DIN 5008 dates, 24-hour clock).
LOCAL_TIME = "d.m.Y, H:i"

ACTIONS: dict[str, str | Promise] = {
    # records opened, printed, exported
    "case.viewed": _("case file opened"),
    "case.history_viewed": _("case history opened"),
    "case.plan_viewed": _("support plan opened"),
    "case.summary_printed": _("case summary printed"),
    "case.handover_packet": _("hand-over packet created"),
    "case.cover_access": _("cover access for an absent colleague"),
    "case.cover_requested": _("cover access requested"),
    "case.cover_approved": _("cover access approved"),
    "case.transfer_requested": _("hand-over to another team requested"),
    "case.transferred": _("case handed over"),
    "case.transfer_refused": _("hand-over to another carrier refused"),
    "client.disclosure.json": _("Art. 15 disclosure exported (JSON)"),
    "client.disclosure.pdf": _("Art. 15 disclosure exported (PDF)"),
    "client.disclosure.zip": _("Art. 15 disclosure exported (ZIP with documents)"),
    "visit.viewed": _("visit opened"),
    "accompaniment.viewed": _("accompaniment opened"),
    "appointment.slip_printed": _("appointment slip printed"),
    "special_need.viewed": _("special protection need opened"),
    "document.list_viewed": _("document list opened"),
    "document.viewed": _("document opened"),
    "document.shown": _("document shown in the browser"),
    "document.downloaded": _("document downloaded"),
    "referral.viewed": _("referral opened"),
    "letter.printed": _("letter printed"),
    "letter.downloaded": _("letter downloaded"),
    "consent.form_printed": _("consent form printed"),
    "info_sheet.handed_out": _("information sheet (Art. 13) handed out"),
    "intake.duplicate_check": _("duplicate check at intake"),
    "intake.matches_dismissed": _("possible duplicates dismissed at intake"),
    "import.cases": _("caseload imported"),
    "import.duplicate_check": _("duplicate check of an import"),
    "import.undone": _("import undone"),
    "volunteer.viewed": _("volunteer's record opened"),
    "volunteer.exported": _("volunteer register exported"),
    "tandem.viewed": _("tandem opened"),
    "event.certificate_printed": _("event certificate printed"),
    # the data protection officer's own work
    "dpo.person_search": _("data protection officer searched for a person"),
    "dpo.person_found": _("person shown in the data protection officer's search"),
    "retention.dry_run": _("retention dry run started"),
    "retention.run": _("retention run started (cases deleted)"),
    # accounts, as the signals see them (caseworks.audit.insider)
    "user.created": _("account created"),
    "user.deleted": _("account deleted"),
    "user.activated": _("account activated"),
    "user.deactivated": _("account deactivated"),
    "user.roles_changed": _("roles changed"),
    "user.permissions_changed": _("permissions changed"),
    "user.privileges_changed": _("administrator flags changed"),
    "user.password_changed": _("password set"),
    "user.second_factor_added": _("second factor added"),
    "user.second_factor_removed": _("second factor removed"),
    "user.enrolment_code_issued": _("enrolment code issued"),
    "user.enrolment_code_refused": _("enrolment code refused"),
    "user.enrolment_code_despite_password": _("enrolment code issued despite a password"),
    "user.team_joined": _("added to a team"),
    "user.team_left": _("removed from a team"),
    "user.supervision_added": _("made supervisor of a team"),
    "user.supervision_removed": _("no longer supervisor of a team"),
    "user.dpo_added": _("made data protection officer"),
    "user.dpo_removed": _("no longer data protection officer"),
    "role.permissions_changed": _("permissions of a role changed"),
    # the house set-up (/manage/, caseworks.house)
    "manage.user.created": _("account created (setup)"),
    "manage.user.changed": _("account changed (setup)"),
    "manage.user.roles_changed": _("roles changed (setup)"),
    "manage.user.activated": _("account activated (setup)"),
    "manage.user.deactivated": _("account deactivated (setup)"),
    "manage.user.access_reset": _("access reset (setup)"),
    "manage.user.enrolment_code_issued": _("enrolment code mailed (setup)"),
    "manage.user.unlocked": _("sign-in unlocked (setup)"),
    "manage.user.self_change_refused": _("change to one's own account refused"),
    "manage.user.change_requested": _("change waiting for approval"),
    "manage.user.change_approved": _("change approved"),
    "manage.user.change_declined": _("change declined"),
    "manage.organisation.created": _("carrier created"),
    "manage.organisation.changed": _("carrier changed"),
    "manage.organisation.dpo_added": _("data protection officer appointed"),
    "manage.organisation.dpo_removed": _("data protection officer removed"),
    "manage.team.created": _("team created"),
    "manage.team.changed": _("team changed"),
    "manage.team.carrier_change_refused": _("team's change of carrier refused"),
    "manage.service.created": _("service created"),
    "manage.service.changed": _("service changed"),
    "manage.service.activated": _("service activated"),
    "manage.service.deactivated": _("service deactivated"),
    "manage.letter_text.created": _("letter text created"),
    "manage.letter_text.changed": _("letter text changed"),
    "manage.letter_text.deleted": _("letter text deleted"),
    "manage.print_text.changed": _("printed text changed"),
    "manage.print_text.reviewed": _("printed text reviewed"),
    "manage.need_category_created": _("need category created"),
    "manage.need_category_changed": _("need category changed"),
    # sign-in through the organisation's directory (caseworks.house.directory)
    "manage.directory.created": _("directory sign-in set up"),
    "manage.directory.changed": _("directory sign-in changed"),
    "manage.directory.mapping_requested": _("directory group mapping waiting for approval"),
    "manage.directory.mapping_approved": _("directory group mapping approved"),
    "manage.directory.mapping_removed": _("directory group mapping removed"),
    "manage.directory.mapping_self_approval_refused": _(
        "approving one's own directory group mapping refused"
    ),
    "directory.signed_in": _("signed in through the directory"),
    "directory.sign_in_refused": _("sign-in through the directory refused"),
    "directory.account_ended": _("account ended by the directory"),
    "directory.logout": _("signed out by the directory"),
    "directory.session_expired": _("directory session ended (its time was up)"),
}

# The DPO assignment is not a group, but a role change names it like one ("dpo").
ROLES: dict[str, str | Promise] = {
    **{role.value: role.label for role in Role},
    "dpo": _("Data protection officer"),
}

# Records that are no model of ours.
OBJECT_TYPES: dict[str, str | Promise] = {
    "search": _("search"),
    "user": _("account"),
    "group": _("role"),
}


def action_label(code: str) -> str:
    label = ACTIONS.get(code)
    return str(label) if label is not None else code


def role_label(name: str) -> str:
    label = ROLES.get(name)
    return str(label) if label is not None else name


def object_type_label(name: str) -> str:
    """A record's kind: its model's name (verbose_name, translated), else as stored."""
    if not name:
        return ""
    if name in OBJECT_TYPES:
        return str(OBJECT_TYPES[name])
    model = _models_by_name().get(name)
    return str(model._meta.verbose_name) if model is not None else name


@functools.cache
def _models_by_name() -> dict[str, type[Model]]:
    return {str(model._meta.model_name): model for model in apps.get_models()}


def local_time(value: datetime.datetime | str | None) -> str:
    """A moment as the DPO reads it: local time (settings.TIME_ZONE), "09.12.2026, 23:00".
    A stored ISO text (a detail's "valid until") too; anything else as it is."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
    else:
        moment = value
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return dateformat.format(timezone.localtime(moment), LOCAL_TIME)
