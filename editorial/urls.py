from django.urls import path

from editorial import views as editor_views

app_name = "editor"
urlpatterns = [
    path("story/<int:pk>/retitle/", editor_views.retitle, name="retitle"),
    path("story/<int:pk>/recategorise/", editor_views.recategorise, name="recategorise"),
    path("story/<int:pk>/pin/", editor_views.pin, name="pin"),
    path("story/<int:pk>/unpin/", editor_views.unpin, name="unpin"),
    path("story/<int:pk>/hide/", editor_views.hide, name="hide"),
    path("story/<int:pk>/unhide/", editor_views.unhide, name="unhide"),
    path("story/<int:pk>/merge/", editor_views.merge, name="merge"),
    path("story/<int:pk>/move-out/", editor_views.move_out, name="move_out"),
    path("story/<int:pk>/brief/", editor_views.edit_brief, name="edit_brief"),
    path("story/<int:pk>/approve-brief/", editor_views.approve_brief, name="approve_brief"),
    path("story/<int:pk>/release/", editor_views.release, name="release"),
]
