"""evaluate_briefs end to end on a few Giveme5W1H events: every figure the
issue asks for is on the JSON line, and a stream part without its data says
how to get it."""

import json

import pytest
from django.core.management import CommandError, call_command

from tests.giveme import GIVEME

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.mark.needs_real_data
def test_verifier_and_model_parts_report_their_figures_on_the_json_line(capsys):
    call_command(
        "evaluate_briefs", "--parts", "verifier,model", "--events", "4", "--giveme", str(GIVEME), "--json"
    )
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    for key in (
        "verifier_real_pass",
        "verifier_altered_caught",
        "model_inventions_removed",
        "model_faithful_kept",
    ):
        assert 0 <= report[key] <= 1, key
    assert report["real_sentences"] > 10 and report["altered_sentences"] > 10
    assert report["model_inventions_removed"] > 0.9 and report["model_faithful_kept"] > 0.9


def test_stream_part_without_the_replayed_stream_says_how_to_get_it():
    with pytest.raises(CommandError, match="replay it first"):
        call_command("evaluate_briefs", "--parts", "stream")


def test_unknown_part_is_refused():
    with pytest.raises(CommandError, match="unknown part"):
        call_command("evaluate_briefs", "--parts", "poetry")
