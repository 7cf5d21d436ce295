"""Dashboard views: city overview, rankings, federation pages and exports."""

from django.http import HttpResponse


def home(request):
    return HttpResponse("Unionboard")
