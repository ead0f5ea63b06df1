"""The topics of a conversation with a household (visits, contacts, file notes).

One list for the whole house: a visit and a phone call about the same question count in the
same row of the statistics. Defined here, below visits, so that cases can use it too.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Topic(models.TextChoices):
    ORIENTATION = "orientation", _("orientation in daily life")
    HOUSING = "housing", _("housing")
    HEALTH = "health", _("health")
    SCHOOL = "school", _("school / Kita")
    WORK = "work", _("work / training")
    LANGUAGE = "language", _("language and integration course")
    ASYLUM = "asylum", _("asylum procedure / residence")
    BENEFITS = "benefits", _("benefits")
    FAMILY_REUNIFICATION = "family_reunification", _("family reunification")
    CULTURE = "culture", _("cultural and integration questions")
    OTHER = "other", _("other")
