"""Project middleware: the Content-Security-Policy header and the choice of language."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import check_for_language


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
