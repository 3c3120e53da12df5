"""What Django does not do for us behind TLS and a proxy: a
Content-Security-Policy on every response, and the client's address as the
proxy saw it (for django-axes' per-address login throttling).

The policy allows only Surge's own scripts, styles, images and forms: the
pages use no inline script or style, so a payload that slipped past escaping
(a feed title, an editor's text) could still not run. Django 5.2 has no CSP
of its own; this is the small middleware it takes."""

from django.conf import settings

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response


def client_ip(request) -> str:
    """The client's address. Behind TRUSTED_PROXY_COUNT proxies it is the
    address the nearest of them recorded in X-Forwarded-For (counted from the
    right: entries further left come from the client and can be forged);
    otherwise REMOTE_ADDR. Without this, behind a proxy every visitor would
    share the proxy's address and one attacker would lock everyone out."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
