"""Project middleware: requests with NUL refused, the Content-Security-Policy header, private
pages kept out of shared caches, and the choice of language."""

from collections.abc import Callable, Iterator

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import check_for_language


class RefuseNulMiddleware:
    """Answer 400 to a request with a NUL character in its path, query string or cookies.

    No page has a use for one, and PostgreSQL refuses a NUL in any text it is asked to
    compare: `/members/A%00/` or `?status=%00` reached a query and answered 500. Form fields
    refuse NUL themselves (Django's CharField), so request bodies are left to the forms.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any("\x00" in text for text in _request_texts(request)):
            raise BadRequest("NUL character in the request")
        return self.get_response(request)


def _request_texts(request: HttpRequest) -> Iterator[str]:
    """The path, and every name and value of the query string and the cookies."""
    yield request.path
    for key, values in request.GET.lists():
        yield key
        yield from values
    for key, value in request.COOKIES.items():
        yield key
        yield value


class ContentSecurityPolicyMiddleware:
    """Allow only the app's own scripts, styles and images (no CDN, no inline script)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """The language is the user's own choice (the language switch's cookie) or Vietnamese.

    Office browsers often say English in Accept-Language whatever their users read, so
    that header is not consulted: the interface stays Vietnamese until someone switches.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES) or not check_for_language(language):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class PrivatePagesMiddleware:
    """`Cache-Control: private, no-store` on every page the application answers with.

    Member and union lists, a member's page, the federation pages and the import previews
    hold personal data, and every other page shows what one user's role lets them see: no
    shared proxy may keep them, and no browser may keep them on disk once the session is
    over. A response that says otherwise keeps what it says (static files are answered by
    whitenoise before this middleware is reached). Not decided on `request.user`: while the
    database is down that would ask it a second time on the way out of an error page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
