"""``/accounts/…``: sign-in for everyone (focal points need no staff status), sign-out,
password change and password reset by email, with Django's own views in the site's
design. The sign-in goes through ``authenticate()``, so django-axes throttles it
exactly as it throttles the admin's (``AXES_*`` settings).
"""

from django.contrib.auth import views as auth
from django.urls import path, reverse_lazy

from ..signin import ThrottledPasswordChangeView

urlpatterns = [
    path(
        "login/",
        auth.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path(
        "logout/",
        auth.LogoutView.as_view(template_name="registration/signed_out.html"),
        name="logout",
    ),
    path(
        "password/change/",
        # Wrong old passwords count as failed sign-ins, as on the admin's form.
        ThrottledPasswordChangeView.as_view(
            template_name="registration/password_change.html",
            success_url=reverse_lazy("password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth.PasswordChangeDoneView.as_view(
            template_name="registration/password_change_complete.html"
        ),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        auth.PasswordResetView.as_view(
            template_name="registration/password_reset.html",
            email_template_name="registration/password_reset_message.txt",
            subject_template_name="registration/password_reset_title.txt",
            success_url=reverse_lazy("password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth.PasswordResetDoneView.as_view(template_name="registration/password_reset_sent.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(
            template_name="registration/password_reset_new.html",
            success_url=reverse_lazy("password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth.PasswordResetCompleteView.as_view(
            template_name="registration/password_reset_finished.html"
        ),
        name="password_reset_complete",
    ),
]
