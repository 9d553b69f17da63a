"""The client's address, as far as the configured proxies can be trusted."""

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address, for the login throttle (AXES_CLIENT_IP_CALLABLE).

    With ``TRUSTED_PROXY_COUNT = 0`` it is REMOTE_ADDR and X-Forwarded-For is
    ignored, since any client can send one. Behind N proxies that each append
    the address they received from, it is the N-th entry from the right of
    X-Forwarded-For: entries further left were written by the client and are
    not trusted.
    """
    count = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR")
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) >= count:
        return forwarded[-count]
    # Fewer entries than proxies: the request did not come through all of them.
    return forwarded[0] if forwarded else remote
