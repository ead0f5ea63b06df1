"""The second factor and its first enrolment, without the web: checking a code, new recovery
codes, enrolment codes, and the clock and waits that the throttles share.

Secrets at rest: the TOTP seed is encrypted with the field keys (AuthenticatorDevice.key);
recovery codes and enrolment codes are stored as keyed hashes only (models.code_digest).
"""

import hmac
import math
import secrets
from base64 import b32encode
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from caseworks.audit.insider import acting_as
from caseworks.fields import blind_index
from caseworks.models import (
    ENROLMENT_CODE_PURPOSE,
    RECOVERY_CODE_PURPOSE,
    AuthenticatorDevice,
    EnrolmentCode,
    RecoveryCode,
    RecoveryCodeDevice,
    code_digest,
)

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery"

ENROLMENT_CODE_VALID = timedelta(hours=72)
ENROLMENT_HOURS = int(ENROLMENT_CODE_VALID.total_seconds() // 3600)
# 16 characters of 32 (no 0/O, 1/I): 80 bits, read aloud or typed without confusion.
ENROLMENT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

# The throttle per user name, across all client addresses (caseworks.signin.handlers).
USERNAME_FREE_FAILURES = 10
USERNAME_MAX_WAIT = timedelta(minutes=15)
USERNAME_FORGET_AFTER = timedelta(days=1)
KNOWN_ADDRESS_FOR = timedelta(days=90)
USERNAME_PURPOSE = "sign-in throttle"


def now() -> datetime:
    """The clock of the throttles and enrolment codes (tests move it instead of sleeping).
    Read as `services.now()` everywhere, so that moving it here moves it for all."""
    return timezone.now()


def wait_seconds(failures: int, last_failure: datetime | None, at: datetime, free: int) -> int:
    """Seconds still to wait after `failures` failures, the last at `last_failure`: none for
    the first `free` ones, then 1 s, 2 s, 4 s … up to USERNAME_MAX_WAIT."""
    if failures < free or last_failure is None:
        return 0
    required = min(2 ** (failures - free), USERNAME_MAX_WAIT.total_seconds())
    remaining = (last_failure - at).total_seconds() + required
    return max(0, math.ceil(remaining))


def username_key(username: str) -> str:
    """The throttle's row key: a keyed hash, not the name someone typed."""
    return blind_index(username, purpose=USERNAME_PURPOSE)


def device_for_token(user: User, token: str) -> AuthenticatorDevice | RecoveryCodeDevice | None:
    """The device that accepts `token`, or None. A TOTP code is refused a second time
    (the device keeps the last used time step); a recovery code is deleted when used.
    Every device throttles after failures."""
    with transaction.atomic():
        devices: list[AuthenticatorDevice | RecoveryCodeDevice] = [
            *AuthenticatorDevice.objects.select_for_update().filter(user=user, confirmed=True),
            *RecoveryCodeDevice.objects.select_for_update().filter(user=user, confirmed=True),
        ]
        for device in devices:
            if device.verify_token(token):
                return device
    return None


def new_recovery_codes(user: User) -> list[str]:
    """Ten new recovery codes (the old ones stop working), shown once, stored hashed."""
    device, _created = RecoveryCodeDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.codes.all().delete()
    codes = [b32encode(secrets.token_bytes(5)).decode().lower() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, digest=code_digest(c, purpose=RECOVERY_CODE_PURPOSE))
        for c in codes
    )
    return codes


# --- enrolment codes --------------------------------------------------------------------------


def issue_enrolment_code(user: User, *, issued_by: User | None = None) -> str:
    """A new enrolment code for `user` (any earlier one stops working), valid 72 hours.
    Returned once to be shown to the administrator; only its keyed hash is stored."""
    code = "".join(secrets.choice(ENROLMENT_ALPHABET) for _ in range(16))
    at = now()
    with transaction.atomic():
        EnrolmentCode.objects.filter(user=user).delete()
        EnrolmentCode.objects.create(
            user=user,
            digest=code_digest(code, purpose=ENROLMENT_CODE_PURPOSE),
            issued_at=at,
            expires_at=at + ENROLMENT_CODE_VALID,
            issued_by=issued_by,
        )
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def valid_enrolment_code(user: User, pk: int) -> EnrolmentCode | None:
    """The user's enrolment code `pk` while it is valid."""
    return EnrolmentCode.objects.filter(pk=pk, user=user, expires_at__gt=now()).first()


def check_enrolment_code(user: User, typed: str) -> EnrolmentCode | None:
    """The user's enrolment code if `typed` is it and it is valid; a wrong code counts as a
    failure, after which each further try has to wait longer."""
    with transaction.atomic():
        row = EnrolmentCode.objects.select_for_update().filter(user=user).first()
        if row is None:
            return None
        at = now()
        if row.expires_at <= at or wait_seconds(
            row.throttling_failure_count, row.throttling_failure_timestamp, at, free=1
        ):
            return None
        digest = code_digest(typed, purpose=ENROLMENT_CODE_PURPOSE)
        if not hmac.compare_digest(row.digest, digest):
            row.throttling_failure_count += 1
            row.throttling_failure_timestamp = at
            row.save(update_fields=["throttling_failure_count", "throttling_failure_timestamp"])
            return None
        return row


def authenticator_confirm(
    user: User,
    device: AuthenticatorDevice,
    token: str,
    *,
    enrolment: EnrolmentCode | None,
) -> list[str] | None:
    """Confirm the new authenticator `device` with a code from it, spending `enrolment` (the
    first set-up's enrolment code): it replaces any other authenticator of the user, and the
    user gets new recovery codes (returned, to be shown once). None if the code does not match
    or the enrolment code was spent or expired meanwhile."""
    with transaction.atomic():
        # One enrolment per code: whoever confirms first spends it (the row lock orders two
        # confirmations in different sessions).
        spendable = enrolment is None or (
            EnrolmentCode.objects.select_for_update()
            .filter(pk=enrolment.pk, expires_at__gt=now())
            .exists()
        )
        if not spendable or not device.verify_token(token):
            return None
        if enrolment is not None:
            EnrolmentCode.objects.filter(pk=enrolment.pk).delete()
        device.confirmed = True
        device.save()
        AuthenticatorDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        return new_recovery_codes(user)


def reset_with_code(user: User, typed: str, password: str) -> EnrolmentCode | None:
    """The person's own reset: with their valid one-time code (check_enrolment_code, which
    throttles wrong ones) a new password, and the old second factor removed; the code then
    enrols the new one (views.setup). None if the code is not valid.

    Only for an account without a usable password: a new one, or one whose access was reset
    (its password stopped working then). An enrolment code issued for a new phone of an
    account that has a password sets up the second factor after signing in with that
    password; it never replaces the password, so whoever issues or reads such a code (an
    operator at the command line, a superuser) cannot take the account over with it."""
    if user.has_usable_password():
        return None  # the view's answer is the one for a wrong code
    row = check_enrolment_code(user, typed)
    if row is None:
        return None
    # Nobody is signed in yet: the access log names the person, who acts on their own account.
    with acting_as(user), transaction.atomic():
        user.set_password(password)
        user.save()
        for model in (AuthenticatorDevice, RecoveryCodeDevice):
            for device in model.objects.filter(user=user):
                device.delete()  # one by one: insider logs each removal
    return row
