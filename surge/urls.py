from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("editor/", include("editorial.urls")),
    path("", include("web.urls")),
]

# JSON under /api/, the site's pages elsewhere.
handler404 = "web.api.handler404"
handler500 = "web.api.handler500"
