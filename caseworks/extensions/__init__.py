"""Every extension point: what an app can contribute to pages and rules of the apps below it.

Dependencies point one way (demo → supervision, community → referrals, volunteers → visits,
documents → cases → caseworks), yet the case file shows visits and referrals and the
supervisors' dashboard counts every app's records. So the reading side declares a typed
registry (caseworks.extensions.registry.Registry) in a module here, and each app registers its
providers in AppConfig.ready() (its casefile.py, dashboards.py, personal_data.py …). `case`,
`need`, `cases` below are the cases app's objects, typed Any here: caseworks imports no app.

Registry (module.name)            provider gets -> returns; who reads it
casefile.timeline                 (case, *, limit) -> <= limit TimelineEntry; case file, summary
casefile.panels                   (case, *, user) -> Panel | None; the case file's boxes
casefile.history                  (case) -> [(model, history rows, subject)]; the history tab
casefile.open_items               (case) -> [OpenItem]; closing a case, the summary
casefile.record_links             (record, *, user) -> [RecordLink]; a visit's, accompaniment's,
                                  contact's or appointment's page ({% record_links %})
supervision.columns               (*, cases, today) -> [Column]; the supervisors' dashboard
supervision.statistics            (*, cases, start, end) -> [StatTable]; the annual statistics
supervision.team_figures          (*, cases, today) -> [TeamFigure]; above a team's table
versioning.update_guards          (record) -> None, or raises ValidationError; versioned_update
personal_data.person_data         a Source per model (keyed by label); disclosure, retention
personal_data.free_of_person_data "app_label.Model"; the check that every model is classified
personal_data.held_in_bulk        "app_label.Model": client data in bulk for a while (an import)
personal_data.reference_lookups   (reference) -> [code]; the access log's reference filter
personal_data.volunteer_disclosure_sections  (user) -> {section: data}; volunteers.export
plan.need_sources                 (*, case, kind, code) -> NeedSource | None; need from a visit
plan.need_servers                 (need) -> [ServedBy]; a need's page: what served it
handover.handover_consents        (case, *, today) -> [PacketConsent]; the hand-over packet
handover.transfer_consents        (case, *, organisation_id, today) -> [TransferConsent];
                                  a hand-over to another carrier (cases.services.transfers)
setup.setup_links                 () -> [ManageLink]; the /manage/ overview and sub-navigation
languages.language_fields         LanguageField per model field of language codes; the texts
                                  not yet assigned to a code, /manage/languages/
volunteering.volunteer_filters    (users) -> users; who may be picked to go along (visits)
volunteering.digest_sources       DigestSource(role, lines(user, today)); the daily digest
volunteering.start_panels         (user) -> Panel | None; the volunteer's start page
audit.dpo_links                   DpoLink(url_name, label); the DPO's pages (the access log)

A new extension point is a Registry in one of these modules, added to REGISTRIES and to the
list above (tests/caseworks/test_extensions.py checks that no other Registry exists).
"""

from typing import Any

from caseworks.extensions import (
    audit,
    casefile,
    handover,
    languages,
    personal_data,
    plan,
    setup,
    supervision,
    versioning,
    volunteering,
)
from caseworks.extensions.registry import Registry

REGISTRIES: tuple[Registry[Any], ...] = (
    casefile.timeline,
    casefile.panels,
    casefile.history,
    casefile.open_items,
    casefile.record_links,
    supervision.columns,
    supervision.statistics,
    supervision.team_figures,
    versioning.update_guards,
    personal_data.person_data,
    personal_data.free_of_person_data,
    personal_data.held_in_bulk,
    personal_data.reference_lookups,
    personal_data.volunteer_disclosure_sections,
    plan.need_sources,
    plan.need_servers,
    handover.handover_consents,
    handover.transfer_consents,
    setup.setup_links,
    languages.language_fields,
    volunteering.volunteer_filters,
    volunteering.digest_sources,
    volunteering.start_panels,
    audit.dpo_links,
)

__all__ = ["REGISTRIES", "Registry"]
