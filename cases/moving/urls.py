"""Moving on (issue 22): the case summary PDF, the hand-over packet for a service outside
the house, and hand-overs between the teams of the house."""

from django.urls import path

from cases.moving import summary_views
from cases.moving import views as transfer_views

app_name = "moving"
urlpatterns = [
    path("<uuid:code>/summary.pdf", summary_views.summary, name="summary"),
    path("<uuid:code>/handover-packet/", summary_views.packet, name="packet"),
    path("<uuid:code>/handover/", transfer_views.transfer_request, name="transfer_request"),
    path("handovers/", transfer_views.transfer_list, name="transfer_list"),
    path("handovers/records/", transfer_views.transfer_records, name="transfer_records"),
    path(
        "handovers/<uuid:transfer_code>/",
        transfer_views.transfer_decide,
        name="transfer_decide",
    ),
    path(
        "handovers/<uuid:transfer_code>/withdraw/",
        transfer_views.transfer_withdraw,
        name="transfer_withdraw",
    ),
]
