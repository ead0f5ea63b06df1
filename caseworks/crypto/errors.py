"""A value that cannot be decrypted is a configuration problem, not a crash: say so plainly.

The page and the log name the field, never a value; the response is 503 so monitoring sees it.
"""

import logging

from django.shortcuts import render

from caseworks.fields import DecryptionError

logger = logging.getLogger("caseworks.crypto.keys")


class DecryptionErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DecryptionError):
            return None
        logger.error("Decryption failed on %s: %s", request.path, exception)
        return render(request, "caseworks/key_error.html", status=503)
