from django.urls import path

from visits import offline, views

app_name = "visits"
urlpatterns = [
    path("week/", views.week, name="week"),
    path("calendar/", views.calendar_settings, name="calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    # Visits where there is no signal (visits.offline): the shell and what it may cache.
    path("offline/", offline.shell, name="offline"),
    path("offline/day.json", offline.day, name="offline_day"),
    path("offline/session/", offline.session_key, name="offline_session"),
    path("offline/send/", offline.send, name="offline_send"),
    path("offline/sw.js", offline.service_worker, name="offline_sw"),
    path("offline/manifest.webmanifest", offline.manifest, name="offline_manifest"),
]
