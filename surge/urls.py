from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("editor/", include("trends.editor_urls")),
    path("", include("trends.urls")),
]

# JSON under /api/, the site's pages elsewhere.
handler404 = "trends.api.handler404"
handler500 = "trends.api.handler500"
