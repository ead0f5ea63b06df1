"""Supervision: the caseload dashboard, the cases behind each figure, reassignment and the
statistics for funders — pages over the other apps' data, with no models of its own. What each
app adds to them is registered in caseworks.extensions.supervision."""
