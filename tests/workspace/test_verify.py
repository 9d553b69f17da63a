"""``/workspace/verify/``: the self-reported updates waiting for the Secretariat, each
verified with one POST that records who and when."""

from django.test import Client

from recommendations import services
from recommendations.models import ProgressUpdate, Status


def waiting_notes(response) -> list[str]:
    return [u.note for u in response.context["updates"]]


def test_it_lists_the_updates_focal_points_entered_and_staff_have_not_verified(staff_client):
    response = staff_client.get("/workspace/verify/")
    assert response.status_code == 200
    # Oldest entered first; D1S1-04 was entered by staff (verified at entry).
    assert waiting_notes(response) == [
        "Japan's restricted note.",
        "Japan's restricted note.",
        "Pakistan on D1S1-01.",
        "Pakistan on D1S1-05.",
        "Pakistan on D1S1-06.",
    ]


def test_it_narrows_to_one_delegation(staff_client):
    response = staff_client.get("/workspace/verify/?delegation=PAK")
    assert len(response.context["updates"]) == 3
    assert staff_client.get("/workspace/verify/?delegation=nope").status_code == 400


def test_one_post_verifies_and_records_who_and_when(staff_client, world, anonymous):
    update = world.follow_ups[("D1S1-01", "PAK")].updates.get()
    response = staff_client.post(
        f"/workspace/verify/{update.pk}/", {"next": "/workspace/verify/?delegation=PAK"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/workspace/verify/?delegation=PAK"
    update.refresh_from_db()
    assert update.verified_by == world.staff and update.verified_at is not None
    queue = staff_client.get(response["Location"])
    assert "Pakistan on D1S1-01." not in waiting_notes(queue)
    assert "Verified: Pakistan’s update" in queue.content.decode()
    public = anonymous.get("/recommendations/D1S1-01/").content.decode()
    block = public[public.index('id="follow-up-PAK"') :]
    block = block[: block.index("</article>")]
    assert 'class="verified"' in block and "self-reported" not in block


def test_verifying_twice_keeps_the_first_verification(staff_client, world):
    update = world.follow_ups[("D1S1-05", "PAK")].updates.get()
    staff_client.post(f"/workspace/verify/{update.pk}/")
    update.refresh_from_db()
    first = update.verified_at
    staff_client.post(f"/workspace/verify/{update.pk}/")
    update.refresh_from_db()
    assert update.verified_at == first


def test_an_outside_next_is_not_followed(staff_client, world):
    update = world.follow_ups[("D1S1-05", "PAK")].updates.get()
    for bad in ("https://evil.example/workspace/verify/", "//evil.example/", "/admin/"):
        response = staff_client.post(f"/workspace/verify/{update.pk}/", {"next": bad})
        assert response["Location"] == "/workspace/verify/", bad


def test_verifying_is_post_only(staff_client, world):
    update = world.follow_ups[("D1S1-05", "PAK")].updates.get()
    assert staff_client.get(f"/workspace/verify/{update.pk}/").status_code == 405
    update.refresh_from_db()
    assert update.verified_at is None


def test_focal_points_neither_see_the_queue_nor_verify(pak_client, world):
    update = world.follow_ups[("D1S1-05", "PAK")].updates.get()
    assert pak_client.get("/workspace/verify/").status_code == 404
    assert pak_client.post(f"/workspace/verify/{update.pk}/").status_code == 404
    update.refresh_from_db()
    assert update.verified_at is None


def test_visitors_are_sent_to_sign_in_and_csrf_is_required(anonymous, world):
    update = world.follow_ups[("D1S1-05", "PAK")].updates.get()
    assert anonymous.post(f"/workspace/verify/{update.pk}/")["Location"].startswith(
        "/accounts/login/"
    )
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.staff)
    assert client.post(f"/workspace/verify/{update.pk}/").status_code == 403
    update.refresh_from_db()
    assert update.verified_at is None


def test_an_unknown_update_is_404(staff_client, world):
    assert staff_client.post("/workspace/verify/999999/").status_code == 404


def test_the_queue_reads_in_a_fixed_number_of_queries(
    staff_client, world, today, django_assert_num_queries
):
    for n in range(15):
        services.progress_update_create(
            follow_up=world.follow_ups[("D1S1-06", "PAK")],
            date=today,
            status=Status.IN_PROGRESS,
            note=f"More {n}.",
            author=world.pak_focal,
        )
    assert ProgressUpdate.objects.filter(verified_at__isnull=True).count() == 20
    with django_assert_num_queries(7):
        # 1. the session  2. the user  3. is the user Secretariat staff?
        # 4. the paginator's bounded COUNT
        # 5. the page of updates, with item, delegation and author joined
        # 6. is illustrative data loaded? (context processor)
        # 7. the delegations of the filter's select
        staff_client.get("/workspace/verify/")
