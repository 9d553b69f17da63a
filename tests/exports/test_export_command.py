import datetime
import io
import os
import stat
import threading

import pytest
from django.core.management import CommandError, call_command

from recommendations import services
from recommendations.models import ProgressUpdate, Status

DAY = datetime.date(2023, 9, 1)


@pytest.fixture
def data(make_recommendation, speaker, pak, jpn):
    a = make_recommendation(code="D1S1-01", text="=Counter IED threats", theme_slugs=["ieds"])
    b = make_recommendation(
        code="D1S1-02", text="Medical, evacuation", theme_slugs=["medical"], speaker=speaker
    )
    for item in (a, b):
        for d in (pak, jpn):
            follow_up = services.follow_up_create(recommendation=item, delegation=d)
            services.progress_update_create(
                follow_up=follow_up, date=DAY, status=Status.PLANNED, note='-said "go"'
            )
    services.progress_update_create(
        follow_up=follow_up,
        date=DAY + datetime.timedelta(days=40),
        status=Status.COMPLETED,
        note="Restricted detail",
        visibility=ProgressUpdate.Visibility.RESTRICTED,
    )


URLS = {
    "recommendations": "/recommendations/export.csv",
    "follow-ups": "/follow-ups/export.csv",
    "matrix": "/follow-ups/matrix.csv",
    "progress-updates": "/progress-updates/export.csv",
}
CASES = [
    ("", []),
    ("theme=ieds&theme=medical", ["--theme", "ieds", "--theme", "medical"]),
    ("q=evacuation", ["--q", "evacuation"]),
    ("delegation=JPN&status=completed", ["--delegation", "JPN", "--status", "completed"]),
    (
        "as_of=2023-09-15&changed_since=2023-08-01",
        ["--as-of", "2023-09-15", "--changed-since", "2023-08-01"],
    ),
    (
        "overdue=no&verified=no&kind=recommendation",
        ["--overdue", "no", "--verified", "no", "--kind", "recommendation"],
    ),
    (
        "session=D1S1&speaker=ada-speaker&sort=code",
        ["--session", "D1S1", "--speaker", "ada-speaker", "--sort", "code"],
    ),
]


@pytest.mark.parametrize("kind", list(URLS))
def test_the_command_writes_the_same_bytes_as_the_web_export(client, data, tmp_path, kind):
    for query, options in CASES:
        web = b"".join(client.get(URLS[kind] + "?" + query).streaming_content)
        target = tmp_path / f"{kind}.csv"
        call_command("export_csv", kind, *options, "-o", str(target), stdout=io.StringIO())
        assert target.read_bytes() == web, query
        assert web.startswith(b"\xef\xbb\xbf")


def test_it_reports_what_it_wrote(data, tmp_path):
    out = io.StringIO()
    call_command("export_csv", "follow-ups", "-o", str(tmp_path / "x.csv"), stdout=out)
    assert out.getvalue().strip() == f"Wrote 4 rows (follow-ups) to {tmp_path / 'x.csv'}."


def test_it_writes_to_standard_output_with_a_dash(client, data):
    out, err = io.StringIO(), io.StringIO()
    call_command("export_csv", "matrix", "-o", "-", stdout=out, stderr=err)
    web = b"".join(client.get(URLS["matrix"]).streaming_content)
    assert out.getvalue() == web.decode("utf-8")
    assert "Wrote 2 rows (matrix) to standard output." in err.getvalue()


def test_it_exports_the_public_view_unless_as_staff(data, tmp_path, client, secretariat_user):
    target = tmp_path / "h.csv"
    call_command("export_csv", "progress-updates", "-o", str(target), stdout=io.StringIO())
    assert b"Restricted detail" not in target.read_bytes()
    call_command(
        "export_csv", "progress-updates", "--as-staff", "-o", str(target), stdout=io.StringIO()
    )
    assert b"Restricted detail" in target.read_bytes()
    client.force_login(secretariat_user)
    assert target.read_bytes() == b"".join(client.get(URLS["progress-updates"]).streaming_content)


def test_invalid_filters_are_a_command_error_and_leave_no_file(data, tmp_path):
    target = tmp_path / "bad.csv"
    with pytest.raises(CommandError, match="status"):
        call_command("export_csv", "follow-ups", "--status", "done", "-o", str(target))
    with pytest.raises(CommandError, match="as_of"):
        call_command("export_csv", "follow-ups", "--as-of", "2023-02-30", "-o", str(target))
    assert list(tmp_path.iterdir()) == []


def test_a_missing_directory_is_a_command_error(data, tmp_path):
    with pytest.raises(CommandError, match="No such directory"):
        call_command("export_csv", "matrix", "-o", str(tmp_path / "nope" / "m.csv"))


def test_a_failed_export_leaves_the_previous_file_in_place(data, tmp_path, monkeypatch):
    target = tmp_path / "report.csv"
    target.write_bytes(b"yesterday")

    def broken(*args, **kwargs):
        yield b"\xef\xbb\xbfcode\r\n"
        raise RuntimeError("connection lost")

    monkeypatch.setattr("recommendations.exports.Export.stream", broken)
    with pytest.raises(RuntimeError):
        call_command("export_csv", "follow-ups", "-o", str(target), stdout=io.StringIO())
    assert target.read_bytes() == b"yesterday"
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]


def test_a_device_is_written_to_not_replaced(data, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    call_command("export_csv", "matrix", "-o", str(fifo), stdout=io.StringIO())
    reader.join(timeout=10)
    assert received[0].startswith(b"\xef\xbb\xbfcode,JPN,PAK\r\n")
    assert stat.S_ISFIFO(fifo.stat().st_mode)
