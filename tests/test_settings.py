"""Settings that stick: arguments > environment > project file > user file > defaults, read from real files."""

from __future__ import annotations

import pytest

from invoice_analytics.cli import main
from invoice_analytics.settings import PROJECT_FILE, SettingsError, load_settings, terms_notes, user_file


@pytest.fixture
def places(tmp_path, monkeypatch):
    """A project directory (the working directory) and a user config directory, both empty."""
    project = tmp_path / "project"
    project.mkdir()
    config = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.chdir(project)
    user = config / "invoice-analytics" / "config.toml"
    user.parent.mkdir(parents=True)
    return project / PROJECT_FILE, user


def test_defaults_without_any_file(places):
    s = load_settings()
    assert s.terms == {"faspay": 0, "mayar": 0} and s.locale == "id" and s.edges == (30, 60, 90)
    assert s.store is None and s.providers == ("faspay", "mayar")
    assert set(s.origin.values()) == {"default"}


def test_precedence_argument_environment_project_user_default(places, monkeypatch):
    project, user = places
    user.write_text('locale = "en"\nedges = [10, 20]\nstore = "/u/store"\nproviders = ["mayar"]\n'
                    '[terms]\nmayar = 7\nfaspay = 3\n')
    project.write_text('edges = [30, 60]\nstore = "/p/store"\n[terms]\nmayar = 14\n')
    monkeypatch.setenv("INVOICE_ANALYTICS_STORE", "/env/store")
    s = load_settings({"store": None, "locale": None})  # None: not given
    assert s.locale == "en" and s.origin["locale"] == f"user file {user}"
    assert s.edges == (30, 60) and s.origin["edges"] == f"project file {project}"
    assert str(s.store) == "/env/store" and s.origin["store"] == "environment (INVOICE_ANALYTICS_STORE)"
    assert s.providers == ("mayar",) and s.origin["providers"].startswith("user file")
    # terms are taken provider by provider
    assert s.terms == {"faspay": 3, "mayar": 14}
    assert s.origin["terms.faspay"].startswith("user file") and s.origin["terms.mayar"].startswith("project file")
    s = load_settings({"store": "/arg/store", "terms": {"faspay": 1}, "locale": "id"})
    assert str(s.store) == "/arg/store" and s.origin["store"] == "argument"
    assert s.terms == {"faspay": 1, "mayar": 14} and s.locale == "id" and s.origin["locale"] == "argument"
    monkeypatch.setenv("INVOICE_ANALYTICS_TERMS", "mayar=30")
    assert load_settings().terms["mayar"] == 30
    assert load_settings({"terms": 5}).terms == {"faspay": 5, "mayar": 5}


@pytest.mark.parametrize(("text", "words"), [
    ("locale = 'fr'\n", "locale must be one of id, en"),
    ("edges = [60, 30]\n", "edges must be increasing"),
    ("[terms]\nmayar = -1\n", "terms.mayar must be whole days"),
    ("[terms]\nstripe = 3\n", "unknown provider 'stripe'"),
    ("colour = 'red'\n", "unknown setting 'colour'"),
    ("locale = \n", "not valid TOML"),
])
def test_a_bad_project_file_is_an_error_naming_the_file_and_key(places, text, words):
    project, _ = places
    project.write_text(text)
    with pytest.raises(SettingsError, match=words) as caught:
        load_settings()
    assert str(project) in str(caught.value)


def test_a_bad_environment_value_names_the_variable(places, monkeypatch):
    monkeypatch.setenv("INVOICE_ANALYTICS_EDGES", "30,x")
    with pytest.raises(SettingsError, match="INVOICE_ANALYTICS_EDGES"):
        load_settings()


def test_user_file_per_platform():
    assert str(user_file({"APPDATA": "C:/Users/ani/AppData/Roaming"}, "win32")).endswith(
        "Roaming/invoice-analytics/config.toml")
    assert "Library/Application Support" in str(user_file({"HOME": "/Users/ani"}, "darwin"))
    assert str(user_file({"HOME": "/h", "XDG_CONFIG_HOME": "relative"}, "linux")) == \
        "/h/.config/invoice-analytics/config.toml"  # a relative XDG_CONFIG_HOME is ignored, as the spec says
    assert str(user_file({"XDG_CONFIG_HOME": "/cfg"}, "linux")) == "/cfg/invoice-analytics/config.toml"
    assert str(user_file({"HOME": "/home/ani"}, "linux")) == "/home/ani/.config/invoice-analytics/config.toml"


def test_terms_note_only_for_a_provider_without_due_dates_at_terms_0():
    assert terms_notes(0, ["faspay"]) == []
    assert len(terms_notes({"faspay": 5}, ["faspay", "mayar"])) == 1
    assert terms_notes({"mayar": 1}, ["mayar"]) == []
    assert terms_notes("terms", ["mayar"]) == []  # a column of terms: each invoice carries its own
    note = terms_notes(0, ["faspay", "mayar"])
    assert len(note) == 1 and note[0].startswith("Mayar invoices carry no due date and are aged with terms 0 (")


def test_config_command_shows_effective_settings_and_origins(places, capsys, monkeypatch):
    project, _ = places
    project.write_text("[terms]\nmayar = 14\n")
    monkeypatch.setenv("INVOICE_ANALYTICS_LOCALE", "en")
    assert main(["config", "--edges", "15,45"]) == 0
    out = capsys.readouterr().out
    lines = {line.split("=")[0].strip(): line for line in out.splitlines() if " = " in line}
    assert lines["terms.mayar"].endswith(f"(project file {project})") and " 14 " in lines["terms.mayar"]
    assert lines["terms.faspay"].endswith("(default)")
    assert lines["locale"].endswith("(environment (INVOICE_ANALYTICS_LOCALE))")
    assert "15, 45" in lines["edges"] and lines["edges"].endswith("(argument)")
    assert "Precedence: arguments > environment" in out and "Note:" not in out  # mayar has terms


def test_config_command_notes_terms_0_and_rejects_a_bad_file(places, capsys):
    project, _ = places
    assert main(["config"]) == 0
    assert "Note: Mayar invoices carry no due date" in capsys.readouterr().out
    project.write_text("locale = 3\n")
    assert main(["config"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "locale must be one of" in err


def test_report_reads_the_project_file(places, capsys, tmp_path):
    project, _ = places
    project.write_text('locale = "en"\n[terms]\nmayar = 14\n')
    out = tmp_path / "aging.xlsx"
    assert main(["report", "--demo", "--out", str(out), "--as-of", "2026-11-21"]) == 0
    printed = capsys.readouterr().out
    assert "Note: Mayar" not in printed  # the project file's terms were used
    assert "Rp 591.7M" in printed and "92.1%" in printed  # the English locale
    assert main(["report", "--demo", "--out", str(out), "--as-of", "2026-11-21", "--terms", "mayar=0",
                 "--locale", "id"]) == 0
    printed = capsys.readouterr().out
    assert "Note: Mayar invoices carry no due date" in printed and "Rp 591,7 jt" in printed
