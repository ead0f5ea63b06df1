"""Statistics of closed periods, kept once computed (issue 37): a year's statistics do not
change once the year is over, unless a record of it changes; recomputing them on every view
would read the whole year each time. supervision.kept computes, keeps and drops them; this is
where they are stored, beside the residue of deleted cases (the statistics' other table),
since supervision has no models of its own and what invalidates them are the cases' records.
"""

from django.db import models


class KeptFigures(models.Model):
    """One statistics table of one scope and closed period, in one language, as computed
    (before the residue of deleted cases is added, and before suppression: the page applies
    both on every view, as to freshly computed tables).

    `scope` names exactly what was counted ("teams:3,5", "carrier:1,2,3", "house:…": the kind
    of statistic and every team counted), so no one reads figures of a scope they did not
    ask for and may not see: the page looks them up by the scope it would compute. `teams`
    repeats the team ids as ",3,5," for dropping them when a record of a team changes.
    """

    scope = models.CharField(max_length=400)
    teams = models.CharField(max_length=400)
    start = models.DateField()
    end = models.DateField()
    language = models.CharField(max_length=10)
    table = models.CharField(max_length=60)
    title = models.CharField(max_length=300)
    order = models.IntegerField()
    rows = models.JSONField(default=list)  # [[label, count], …]
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "start", "end", "language", "table"], name="kept_figures_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.start}–{self.end} {self.table}"
