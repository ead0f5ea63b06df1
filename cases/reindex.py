"""Recompute the derived search data of every person: the name blind indexes (folded, see
caseworks.crypto.search.fold) and the name search rows (token and verifier). Run by the migration
that introduced them and by `manage.py reindex_search` (after changing
CASEWORKS_BLIND_INDEX_KEY or caseworks.crypto.search)."""

from collections.abc import Callable

from caseworks.crypto.search import fold, name_rows
from caseworks.fields import blind_index

BATCH = 500


def reindex_names(client_model, token_model, progress: Callable[[int], None] | None = None) -> int:
    """Batch by batch, each its own statement set; returns the number of persons."""
    done = 0
    last_pk = 0
    while True:
        batch = list(
            client_model.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .only("pk", "case_id", "first_name", "last_name")[:BATCH]
        )
        if not batch:
            return done
        for person in batch:
            digests = {
                "first_name_bidx": blind_index(person.first_name, purpose="name", normaliser=fold),
                "last_name_bidx": blind_index(person.last_name, purpose="name", normaliser=fold),
                "full_name_bidx": blind_index(
                    f"{person.first_name} {person.last_name}", purpose="name", normaliser=fold
                ),
            }
            # The indexes are derived data that the history excludes: an update without a
            # history row is right here (no one changed the person).
            client_model.objects.filter(pk=person.pk).update(**digests)
        token_model.objects.filter(client__in=[p.pk for p in batch]).delete()
        token_model.objects.bulk_create(
            [
                token_model(
                    client_id=p.pk, case_id=p.case_id, token=token, verifier=verifier, whole=whole
                )
                for p in batch
                for token, verifier, whole in name_rows(p.pk, p.first_name, p.last_name)
            ]
        )
        done += len(batch)
        last_pk = batch[-1].pk
        if progress is not None:
            progress(done)
