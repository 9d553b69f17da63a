"""Correcting one's own updates (never a verified one), and the delegation's history
of updates, newest first."""

import datetime

from django.test import Client

from recommendations import services
from recommendations.models import FollowUp, ProgressUpdate, Status


def update_of(world, code, delegation="PAK") -> ProgressUpdate:
    return world.follow_ups[(code, delegation)].updates.get()


def correction(update, **fields) -> dict:
    data = {
        "status": update.status,
        "date": update.date.isoformat(),
        "note": update.note,
        "evidence_url": update.evidence_url,
        "visibility": update.visibility,
        "version": str(update.version),
    }
    data.update(fields)
    return data


def url(update, delegation="PAK") -> str:
    return f"/workspace/{delegation}/updates/{update.pk}/"


def test_a_focal_point_corrects_their_unverified_update(pak_client, world):
    update = update_of(world, "D1S1-05")
    response = pak_client.post(
        url(update), correction(update, status=Status.IN_PROGRESS, note="Corrected note.")
    )
    assert response.status_code == 302
    assert response["Location"] == "/workspace/PAK/history/"
    update.refresh_from_db()
    assert (update.status, update.note) == (Status.IN_PROGRESS, "Corrected note.")
    assert FollowUp.objects.get(pk=update.follow_up_id).status == Status.IN_PROGRESS
    assert update.history.count() == 2  # django-simple-history recorded the change


def test_the_correction_form_starts_from_the_update(pak_client, world):
    update = update_of(world, "D1S1-05")
    form = pak_client.get(url(update)).context["form"]
    assert form["note"].value() == "Pakistan on D1S1-05."
    assert form["version"].value() == update.version


def test_a_verified_update_is_shown_with_the_reason_and_no_form(pak_client, world):
    update = update_of(world, "D1S1-04")  # entered by staff: verified
    response = pak_client.get(url(update))
    assert response.status_code == 200
    html = response.content.decode()
    assert "verified by the Secretariat; only staff can change it" in html
    assert '<form method="post" class="ws-form"' not in html
    refused = pak_client.post(url(update), correction(update, note="Changed."))
    assert refused.status_code == 403
    update.refresh_from_db()
    assert update.note == "Pakistan on D1S1-04."


def test_an_update_verified_after_it_was_opened_is_refused_by_the_service(pak_client, world):
    update = update_of(world, "D1S1-06")
    data = correction(update, note="Changed.")
    services.progress_update_verify(update=update, user=world.staff)
    assert pak_client.post(url(update), data).status_code == 403
    update.refresh_from_db()
    assert update.note == "Pakistan on D1S1-06."


def test_the_history_offers_corrections_only_where_they_are_allowed(pak_client, world):
    html = pak_client.get("/workspace/PAK/history/").content.decode()
    assert f'href="{url(update_of(world, "D1S1-05"))}"' in html
    assert f'href="{url(update_of(world, "D1S1-04"))}"' not in html


def test_staff_correct_a_verified_update(staff_client, world):
    update = update_of(world, "D1S1-04")
    response = staff_client.post(url(update), correction(update, note="Staff fix."))
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.note == "Staff fix."


def test_a_stale_correction_is_refused_and_the_first_save_kept(pak_client, world, secretariat_user):
    update = update_of(world, "D1S1-05")
    data = correction(update, note="My correction.")
    # Someone else corrects the same update after the form was opened.
    services.progress_update_change(
        update=update, version=update.version, user=secretariat_user, status=Status.COMPLETED
    )
    response = pak_client.post(url(update), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Someone else saved" in html and "My correction." in html
    update.refresh_from_db()
    assert update.note == "Pakistan on D1S1-05."
    assert update.status == Status.COMPLETED
    assert FollowUp.objects.get(pk=update.follow_up_id).status == Status.COMPLETED


def test_a_newer_update_does_not_make_a_correction_stale(pak_client, world, today):
    # The version is the update's own: another update of the follow-up changes nothing.
    update = update_of(world, "D1S1-05")
    data = correction(update, note="My correction.")
    services.progress_update_create(
        follow_up=update.follow_up, date=today, status=Status.COMPLETED, author=world.pak_focal
    )
    assert pak_client.post(url(update), data).status_code == 302
    update.refresh_from_db()
    assert update.note == "My correction."


def test_a_future_date_is_refused(pak_client, world, today):
    update = update_of(world, "D1S1-05")
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    response = pak_client.post(url(update), correction(update, date=tomorrow))
    assert response.status_code == 400
    update.refresh_from_db()
    assert update.date < today


def test_another_delegations_update_is_not_found_whatever_the_address(pak_client, world):
    japanese = update_of(world, "D1S1-01", "JPN")
    data = correction(japanese, note="Forged.")
    assert pak_client.post(url(japanese, "JPN"), data).status_code == 404
    assert pak_client.post(url(japanese, "PAK"), data).status_code == 404
    assert pak_client.get(url(japanese, "PAK")).status_code == 404
    japanese.refresh_from_db()
    assert japanese.note == "Japan's restricted note."


def test_a_correction_needs_the_csrf_token_and_a_signed_in_active_user(world, anonymous):
    update = update_of(world, "D1S1-05")
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.pak_focal)
    assert client.post(url(update), correction(update, note="x")).status_code == 403
    assert anonymous.post(url(update), correction(update, note="x"))["Location"].startswith(
        "/accounts/login/"
    )
    world.pak_focal.is_active = False
    world.pak_focal.save()
    signed_out = Client()
    signed_out.force_login(world.pak_focal)
    assert signed_out.post(url(update), correction(update, note="x")).status_code == 302
    update.refresh_from_db()
    assert update.note == "Pakistan on D1S1-05."


def test_the_history_lists_the_delegations_updates_newest_first(pak_client, world, today):
    latest = services.progress_update_create(
        follow_up=world.follow_ups[("D1S1-02", "PAK")],
        date=today,
        status=Status.PLANNED,
        note="Restricted plan.",
        visibility="restricted",
        author=world.pak_focal,
    )
    response = pak_client.get("/workspace/PAK/history/")
    updates = response.context["updates"]
    assert updates[0] == latest
    assert [u.follow_up.delegation_id for u in updates] == [world.pak.pk] * 5
    assert [u.date for u in updates] == sorted((u.date for u in updates), reverse=True)
    html = response.content.decode()
    assert "Restricted plan." in html  # their own restricted note
    assert "Japan" not in html


def test_staff_read_any_delegations_history_and_focal_points_only_theirs(
    staff_client, pak_client, world
):
    assert (
        "Japan&#x27;s restricted note."
        in staff_client.get("/workspace/JPN/history/").content.decode()
    )
    assert pak_client.get("/workspace/JPN/history/").status_code == 404


def test_the_history_reads_in_a_fixed_number_of_queries(
    pak_client, world, today, django_assert_num_queries
):
    for n in range(20):
        services.progress_update_create(
            follow_up=world.follow_ups[("D1S1-06", "PAK")],
            date=today - datetime.timedelta(days=n),
            status=Status.IN_PROGRESS,
            author=world.pak_focal,
        )
    with django_assert_num_queries(8):
        # 1. the session  2. the user  3. the delegation of the URL
        # 4. is the user Secretariat staff?  5. the user's focal point
        # 6. the paginator's bounded COUNT
        # 7. the page of updates, with item, author and verifier joined
        # 8. is illustrative data loaded? (context processor)
        pak_client.get("/workspace/PAK/history/")


def test_every_workspace_page_links_back_to_the_items(pak_client, staff_client, world):
    update = update_of(world, "D1S1-05")
    for path in ("/workspace/PAK/history/", url(update), "/workspace/PAK/items/D1S1-01/"):
        assert 'href="/workspace/"' in pak_client.get(path).content.decode(), path
        assert 'href="/workspace/PAK/"' in staff_client.get(path).content.decode(), path
