"""``/workspace/…``: the focal points' and the Secretariat's workspace."""

from django.urls import path, register_converter

from . import views

app_name = "workspace"


class DelegationCode:
    """A delegation code as the database keeps it (``delegation_code_upper``), so that
    ``verify`` can never be taken for one."""

    regex = "[A-Z0-9]{2,10}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(DelegationCode, "delegation")

urlpatterns = [
    path("", views.home, name="home"),
    path("verify/", views.verify_queue, name="verify_queue"),
    path("verify/<int:pk>/", views.verify, name="verify"),
    path("<delegation:code>/", views.delegation_home, name="items"),
    path("<delegation:code>/history/", views.history, name="history"),
    path("<delegation:code>/items/<str:item_code>/", views.report, name="report"),
    path("<delegation:code>/updates/<int:pk>/", views.correct, name="correct"),
]
