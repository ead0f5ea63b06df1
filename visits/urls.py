from django.urls import path

from visits import views

app_name = "visits"
urlpatterns = [
    path("week/", views.week, name="week"),
    path("calendar/", views.calendar_settings, name="calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
