"""How a staff member or volunteer is named on a page, in a list or in the history."""

from django.contrib.auth.models import AbstractUser


def display_name(user: AbstractUser | None) -> str:
    """The full name, else the user name; "" for no user."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
