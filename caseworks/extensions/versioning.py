"""Guards that run before any versioned record is changed (caseworks.web.concurrency.
versioned_update): an app that owns the parent of other apps' records registers one. The
cases app's guard locks the record's case row and refuses a closed case, so the closed-case
rule holds for every app's records without this package importing cases."""

from collections.abc import Callable

from django.db import models

from caseworks.extensions.registry import Registry

# guard(record) -> None; raises ValidationError to refuse the change. Runs inside the
# update's transaction, before the record itself is locked.
update_guards: Registry[Callable[[models.Model], None]] = Registry("versioning.update_guards")
