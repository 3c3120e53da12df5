from django.urls import path

from trends import views

app_name = "trends"
urlpatterns = [
    path("", views.front_page, name="front"),
    path("trend/<int:pk>/", views.story_page, name="story"),
]
