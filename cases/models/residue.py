"""Moving out: the anonymised counts deleted cases leave in the statistics."""

from django.db import models

from caseworks.models import Team


class StatisticsResidue(models.Model):
    """What deleted cases (retention) still add to a year's statistics: counts per team,
    table and row, with no link to any person (cases.privacy.residue)."""

    year = models.PositiveSmallIntegerField()
    team = models.ForeignKey(Team, models.PROTECT, related_name="+")
    table = models.CharField(max_length=60)
    # The row as the statistics label it, in `language` (the tables are labelled, not keyed).
    label = models.CharField(max_length=200)
    language = models.CharField(max_length=10)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "team", "table", "language", "label"], name="residue_unique_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.table} {self.label}: {self.count}"
