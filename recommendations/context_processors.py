from django.conf import settings
from django.http import QueryDict

from .models import FollowUp


def site(request):
    """Values every page needs. One query (served by a partial index), made when a
    template first asks: whether the follow-up data shown is illustrative sample data."""
    return {
        # A callable: the template calls it, so a page that never asks makes no query.
        "sample_data_loaded": FollowUp.objects.filter(is_illustrative=True).exists,
        "read_requires_login": settings.READ_REQUIRES_LOGIN,
        # Links to another list start from no parameters, not from this page's:
        # {% querystring no_params session=code %}.
        "no_params": QueryDict(),
    }
