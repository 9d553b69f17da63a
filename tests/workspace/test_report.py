"""``/workspace/<delegation>/items/<code>/``: one form to report on an item, saved
through the services, refusing what they refuse; tried by forging and racing it."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from recommendations.models import FollowUp, ProgressUpdate, Status
from tests.workspace.conftest import signed_in

URL = "/workspace/PAK/items/{code}/"


def report(**fields) -> dict:
    data = {
        "status": Status.IN_PROGRESS,
        "date": timezone.localdate().isoformat(),
        "note": "Training started.",
        "evidence_url": "https://example.org/training",
        "visibility": "public",
        "pledge": "",
        "target_date": "",
        "version": "",
    }
    data.update(fields)
    return data


def form_of(response):
    return response.context["form"]


def test_the_form_starts_from_today_and_the_current_state(pak_client, world, today):
    form = form_of(pak_client.get(URL.format(code="D1S1-01")))
    follow_up = world.follow_ups[("D1S1-01", "PAK")]
    assert form["date"].value() == today
    assert form["status"].value() == Status.IN_PROGRESS
    assert form["visibility"].value() == "public"
    assert form["version"].value() == follow_up.version
    assert form["target_date"].value() == follow_up.target_date


def test_without_a_follow_up_it_starts_from_the_meetings_target_and_no_version(
    pak_client, world, meeting
):
    response = pak_client.get(URL.format(code="D1S1-03"))
    form = form_of(response)
    assert form["version"].value() is None
    assert form["target_date"].value() == meeting.target_date
    html = response.content.decode()
    assert "first report" in html and "No report yet" in html


def test_every_field_has_a_label_and_the_date_offers_no_later_day(pak_client, today):
    html = pak_client.get(URL.format(code="D1S1-01")).content.decode()
    for field in ("date", "note", "evidence_url", "pledge", "target_date"):
        assert f'for="id_{field}"' in html, field
    assert "<legend>Status</legend>" in html
    assert "<legend>Who can read the note and the evidence</legend>" in html
    assert f'max="{today.isoformat()}"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_a_first_report_creates_the_follow_up_and_the_update_at_once(pak_client, world, meeting):
    response = pak_client.post(URL.format(code="D1S1-03"), report(pledge="Two courses a year."))
    assert response.status_code == 302
    assert response["Location"] == "/workspace/#item-D1S1-03"
    follow_up = FollowUp.objects.get(recommendation=world.items["D1S1-03"], delegation=world.pak)
    assert follow_up.status == Status.IN_PROGRESS
    assert follow_up.pledge == "Two courses a year."
    assert follow_up.target_date == meeting.target_date  # follow_up_create's default
    update = follow_up.updates.get()
    assert update.author == world.pak_focal
    assert update.verified_at is None  # self-reported
    assert update.evidence_url == "https://example.org/training"
    page = pak_client.get(response["Location"])
    assert "self-reported until the Secretariat verifies it" in page.content.decode()
    assert "D1S1-03" not in [i.code for i in page.context["groups"][0]["items"]]


def test_the_public_page_then_shows_pakistans_status(pak_client, world, anonymous):
    pak_client.post(URL.format(code="D1S1-02"), report(status=Status.PLANNED, version="1"))
    html = anonymous.get("/recommendations/D1S1-02/").content.decode()
    block = html[html.index('id="follow-up-PAK"') :]
    assert "status-planned" in block[: block.index("</article>")]


def test_a_report_on_an_existing_follow_up_changes_the_pledge_and_target_too(
    pak_client, world, today
):
    follow_up = world.follow_ups[("D1S1-05", "PAK")]
    target = today + datetime.timedelta(days=90)
    response = pak_client.post(
        URL.format(code="D1S1-05"),
        report(
            version=str(follow_up.version),
            pledge="A new pledge.",
            target_date=target.isoformat(),
            visibility="restricted",
        ),
    )
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.pledge, follow_up.target_date) == ("A new pledge.", target)
    assert follow_up.status == Status.IN_PROGRESS
    assert follow_up.updates.latest_first().first().visibility == "restricted"


def test_the_version_moves_on_with_each_save(pak_client, world):
    follow_up = world.follow_ups[("D1S1-06", "PAK")]
    first = pak_client.post(URL.format(code="D1S1-06"), report(version=str(follow_up.version)))
    assert first.status_code == 302
    follow_up.refresh_from_db()
    form = form_of(pak_client.get(URL.format(code="D1S1-06")))
    assert form["version"].value() == follow_up.version


def test_staff_report_for_a_delegation_and_it_counts_as_verified(staff_client, world):
    response = staff_client.post(URL.format(code="D1S1-03"), report())
    assert response["Location"] == "/workspace/PAK/#item-D1S1-03"
    update = ProgressUpdate.objects.get(
        follow_up__recommendation__code="D1S1-03", follow_up__delegation=world.pak
    )
    assert update.verified_by == world.staff


def test_a_future_date_is_refused_next_to_the_field(pak_client, world, today):
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    response = pak_client.post(URL.format(code="D1S1-03"), report(date=tomorrow))
    assert response.status_code == 400
    assert form_of(response).errors["date"] == ["The date of an update cannot be in the future."]
    html = response.content.decode()
    assert 'href="#id_date"' in html  # the summary links to the field
    assert 'aria-invalid="true"' in html
    assert not FollowUp.objects.filter(
        recommendation__code="D1S1-03", delegation=world.pak
    ).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status", "done"),
        ("visibility", "secret"),
        ("evidence_url", "javascript:alert(1)"),
        ("date", "31/31/2023"),
        ("version", "abc"),
        ("note", "x" * 5001),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(pak_client, world, field, value):
    before = ProgressUpdate.objects.count()
    response = pak_client.post(URL.format(code="D1S1-03"), report(**{field: value}))
    assert response.status_code == 400
    assert field in form_of(response).errors
    assert ProgressUpdate.objects.count() == before


def test_a_stale_form_is_refused_the_first_save_kept_and_the_typed_text_shown_again(
    pak_client, world
):
    follow_up = world.follow_ups[("D1S1-01", "PAK")]
    opened_at = follow_up.version
    # A colleague of the same delegation saves first.
    colleague = signed_in(world.pak_focal)
    first = colleague.post(
        URL.format(code="D1S1-01"),
        report(version=str(opened_at), status=Status.COMPLETED, note="Colleague's report."),
    )
    assert first.status_code == 302
    response = pak_client.post(
        URL.format(code="D1S1-01"), report(version=str(opened_at), note="My late report.")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Someone else saved a report on this item" in html
    assert "My late report." in html  # what they typed is kept
    assert "Colleague&#x27;s report." in html  # and the other report is shown
    follow_up.refresh_from_db()
    assert follow_up.status == Status.COMPLETED
    assert not follow_up.updates.filter(note="My late report.").exists()
    # The form now carries the current version: saving again is deliberate, and works.
    assert form_of(response)["version"].value() == str(follow_up.version)
    again = pak_client.post(
        URL.format(code="D1S1-01"),
        report(version=str(follow_up.version), note="My late report."),
    )
    assert again.status_code == 302


def test_a_first_report_after_someone_else_created_the_follow_up_is_stale(pak_client, world):
    # The form was opened when Pakistan had no follow-up (empty version)…
    staff = signed_in(world.staff)
    assert staff.post(URL.format(code="D1S1-03"), report(note="Staff first.")).status_code == 302
    response = pak_client.post(URL.format(code="D1S1-03"), report(note="Mine."))
    assert response.status_code == 400
    assert "Someone else saved" in response.content.decode()
    assert ProgressUpdate.objects.filter(note="Mine.").count() == 0


def test_a_forged_post_for_a_japanese_item_changes_nothing(pak_client, world):
    before = list(ProgressUpdate.objects.order_by("pk").values_list("pk", "note"))
    follow_up = world.follow_ups[("D1S1-01", "JPN")]
    for url in ("/workspace/JPN/items/D1S1-01/", "/workspace/JPN/items/D1S1-02/"):
        response = pak_client.post(url, report(version=str(follow_up.version)))
        assert response.status_code == 404, url
    assert list(ProgressUpdate.objects.order_by("pk").values_list("pk", "note")) == before
    assert not FollowUp.objects.filter(
        recommendation__code="D1S1-02", delegation=world.jpn
    ).exists()


def test_the_service_itself_refuses_another_delegation(world, today):
    from recommendations.services.reports import report_submit

    with pytest.raises(PermissionError):
        report_submit(
            recommendation=world.items["D1S1-02"],
            delegation=world.jpn,
            user=world.pak_focal,
            version=None,
            date=today,
            status=Status.PLANNED,
        )
    assert not FollowUp.objects.filter(
        recommendation__code="D1S1-02", delegation=world.jpn
    ).exists()


def test_an_unknown_or_synthetic_item_is_404(pak_client, world):
    assert pak_client.get(URL.format(code="NOPE")).status_code == 404
    assert pak_client.get(URL.format(code="SYN-0001")).status_code == 404


def test_a_visitor_is_sent_to_sign_in_and_nothing_is_written(anonymous, world):
    response = anonymous.post(URL.format(code="D1S1-03"), report())
    assert response["Location"].startswith("/accounts/login/")
    assert not FollowUp.objects.filter(
        recommendation__code="D1S1-03", delegation=world.pak
    ).exists()


def test_a_deactivated_focal_point_can_do_nothing(pak_client, world):
    world.pak_focal.is_active = False
    world.pak_focal.save()
    response = pak_client.post(URL.format(code="D1S1-03"), report())
    assert response["Location"].startswith("/accounts/login/")
    assert not FollowUp.objects.filter(
        recommendation__code="D1S1-03", delegation=world.pak
    ).exists()


def test_the_form_needs_its_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.pak_focal)
    response = client.post(URL.format(code="D1S1-03"), report())
    assert response.status_code == 403
    assert not FollowUp.objects.filter(
        recommendation__code="D1S1-03", delegation=world.pak
    ).exists()


def test_the_page_reads_in_a_fixed_number_of_queries(pak_client, django_assert_num_queries):
    with django_assert_num_queries(10):
        # 1. the session  2. the user  3. the delegation of the URL
        # 4. is the user Secretariat staff?  5. the user's focal point (access.audience)
        # 6. the item, with meeting, session and speaker  7. its themes
        # 8. the delegation's follow-up of it  9. that follow-up's updates, with authors
        # 10. is illustrative data loaded? (context processor)
        pak_client.get(URL.format(code="D1S1-01"))
