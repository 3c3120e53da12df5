from django.http import HttpResponse


def front_page(request):
    return HttpResponse("Surge")


def story_page(request, pk):
    return HttpResponse("story")
