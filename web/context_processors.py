from django.conf import settings

from trends.models import CATEGORIES


def site(request):
    return {"site_name": settings.SITE_NAME, "categories": CATEGORIES}
