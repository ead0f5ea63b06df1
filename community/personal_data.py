"""What the community app stores, for the data-protection registry (caseworks.audit.dataprotection).

None of it is client data: events, registrations and subscriptions concern volunteers and
outside newsletter readers, never a case. They are personal data of those people all the
same; their disclosure is community.export.person_disclosure (a volunteer's Art. 15 export
includes it), and their deletion:
- a subscriber who unsubscribes: the address is erased at once; the blind index of it and
  the consent rows (what was agreed to, when, which wording) are kept as the proof of
  consent (Art. 7 (1), Art. 17 (3) e DSGVO) for 3 years, then deleted
  (`manage.py community_retention`);
- an unconfirmed request: deleted after 7 days with its consent row;
- a request from the public page: queued with the address (encrypted) until the worker takes
  it, within a minute; one no worker took is deleted after 7 days;
- the rate limits' counters: a keyed hash of the client's address, deleted after a day;
- registrations: deleted with the user's account (CASCADE); the figures per year count them
  while they exist (docs/newsletter.md).
"""

from caseworks.extensions.personal_data import register_not_person_data

register_not_person_data(
    "community.Event",
    "community.Registration",
    "community.Subscriber",
    "community.Consent",
    "community.Issue",
    "community.Delivery",
    "community.SubscribeRequest",
    "community.RequestCounter",
)
