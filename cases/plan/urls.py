"""The case plan's URLs (cases.plan.views) and the admin's needs catalogue under /manage/needs/,
included at the root from caseworks.urls."""

from django.urls import path

from cases.plan import views

app_name = "plan"
CASE = "cases/<uuid:code>/plan/"
urlpatterns = [
    path(CASE, views.plan, name="plan"),
    path(CASE + "needs/new/", views.need_new, name="need_new"),
    path(CASE + "needs/<uuid:need_code>/", views.need_edit, name="need_edit"),
    path(CASE + "needs/<uuid:need_code>/finish/", views.need_finish, name="need_finish"),
    path(CASE + "persons/<uuid:client_code>/special/new/", views.special_new, name="special_new"),
    path(CASE + "special/<uuid:special_code>/", views.special_edit, name="special_edit"),
    path(
        CASE + "persons/<uuid:client_code>/activities/new/",
        views.activity_new,
        name="activity_new",
    ),
    path(CASE + "activities/<uuid:activity_code>/", views.activity_edit, name="activity_edit"),
    path("manage/needs/", views.category_list, name="category_list"),
    path("manage/needs/new/", views.category_new, name="category_new"),
    path("manage/needs/<uuid:category_code>/", views.category_edit, name="category_edit"),
]
