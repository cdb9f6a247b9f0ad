"""Gas-emergency detection: the rules (emergency_terms.yml) and the EmergencyDetector."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nlu.components.emergency_rules import DEFAULT_TERMS_FILE, EmergencyMatch, EmergencyRules, detect_emergency
from sobu_privacy.text import normalize_text

CASES = yaml.safe_load((Path(__file__).parent / "fixtures" / "emergency_cases.yml").read_text("utf-8"))


@pytest.mark.parametrize("raw", CASES["emergency"])
def test_emergency_reported(raw: str) -> None:
    text = normalize_text(raw)
    match = detect_emergency(text)
    assert match is not None
    assert 0 <= match.start < match.end <= len(text)


@pytest.mark.parametrize("raw", CASES["not_emergency"])
def test_no_emergency(raw: str) -> None:
    assert detect_emergency(normalize_text(raw)) is None


def test_match_span_ignores_spaces_but_points_into_the_text() -> None:
    text = normalize_text("あの　ガス　くさい")
    match = detect_emergency(text)
    assert text[match.start : match.end] == "ガス くさ"


def test_terms_live_in_yaml_next_to_the_component() -> None:
    assert DEFAULT_TERMS_FILE == Path(__file__).parents[2] / "nlu" / "components" / "emergency_terms.yml"
    terms = yaml.safe_load(DEFAULT_TERMS_FILE.read_text("utf-8"))
    assert set(terms) == {"report", "mention", "service_topic"}
    EmergencyRules(terms)  # every pattern compiles


def test_service_topic_only_silences_mentions_not_reports() -> None:
    rules = EmergencyRules(
        {"report": ["ガス臭"], "mention": ["ガス漏れ"], "service_topic": ["サービス"]}
    )
    assert rules.detect("ガス漏れ") is not None
    assert rules.detect("ガス漏れサービス") is None
    assert rules.detect("ガス臭いけどサービスの話") is not None


def test_a_match_says_whether_it_is_a_report_or_a_mention_and_which_pattern() -> None:
    rules = EmergencyRules({"report": ["ガス臭"], "mention": ["ガス漏れ"]})
    assert rules.detect("台所がガス臭い") == EmergencyMatch(3, 6, "report", "ガス臭")
    assert rules.detect("ガス漏れの点検") == EmergencyMatch(0, 4, "mention", "ガス漏れ")


def test_latin_letters_in_a_term_match_in_any_case() -> None:
    rules = EmergencyRules({"report": ["co中毒"]})
    assert rules.detect("ＣＯ中毒かも".replace("ＣＯ", "CO")) is not None
    assert rules.detect("Co中毒") is not None


def test_a_pattern_that_can_match_nothing_never_reports_an_empty_match() -> None:
    rules = EmergencyRules({"report": ["x*"], "mention": ["ガス漏れ"]})
    assert rules.detect("ガス漏れ") == EmergencyMatch(0, 4, "mention", "ガス漏れ")


def test_unknown_sections_and_a_missing_report_section_are_refused() -> None:
    with pytest.raises(ValueError):
        EmergencyRules({"report": ["ガス臭"], "reports": ["ガス漏れ"]})
    with pytest.raises(ValueError):
        EmergencyRules({"mention": ["ガス漏れ"]})


# --------------------------------------------------------------------------- component


@pytest.fixture(scope="module")
def detector():
    from nlu.components.emergency import EmergencyDetector

    return EmergencyDetector(EmergencyDetector.get_default_config())


def _classified(text: str):
    from rasa.shared.nlu.training_data.message import Message

    message = Message(data={"text": text})
    message.set("intent", {"name": "faq_security", "confidence": 0.8}, add_to_output=True)
    message.set(
        "intent_ranking",
        [
            {"name": "faq_security", "confidence": 0.8},
            {"name": "out_of_scope", "confidence": 0.15},
            {"name": "greet", "confidence": 0.05},
        ],
        add_to_output=True,
    )
    message.set(
        "entities",
        [{"entity": "phone_number", "start": 9, "end": 20, "value": "09012345678"}],
        add_to_output=True,
    )
    return message


def test_detector_overrides_intent_and_adds_entity(detector) -> None:
    [out] = detector.process([_classified("ガスくさいです。電話は09012345678")])
    assert out.get("intent") == {"name": "out_of_scope", "confidence": 1.0}
    assert out.get("intent_ranking") == [
        {"name": "out_of_scope", "confidence": 1.0},
        {"name": "faq_security", "confidence": 0.8},
        {"name": "greet", "confidence": 0.05},
    ]
    entities = out.get("entities")
    assert entities[0]["entity"] == "phone_number"
    assert entities[1] == {
        "entity": "emergency",
        "start": 0,
        "end": 4,
        "value": "gas",
        "confidence": 1.0,
        "extractor": "EmergencyDetector",
    }
    parse = out.as_dict(only_output_properties=True)
    assert parse["intent"]["name"] == "out_of_scope"


def test_detector_leaves_other_messages_alone(detector) -> None:
    [out] = detector.process([_classified("漏洩・火災自動通報サービスについて教えて")])
    assert out.get("intent") == {"name": "faq_security", "confidence": 0.8}
    assert [e["entity"] for e in out.get("entities")] == ["phone_number"]


def test_detector_without_previous_classification(detector) -> None:
    from rasa.shared.nlu.training_data.message import Message

    [out] = detector.process([Message(data={"text": "ガス漏れです"})])
    assert out.get("intent") == {"name": "out_of_scope", "confidence": 1.0}
    assert out.get("intent_ranking") == [{"name": "out_of_scope", "confidence": 1.0}]
    assert [e["value"] for e in out.get("entities")] == ["gas"]


def test_detector_is_idempotent(detector) -> None:
    [out] = detector.process(detector.process([_classified("ガス漏れです")]))
    assert [r["name"] for r in out.get("intent_ranking")].count("out_of_scope") == 1
    assert [e["entity"] for e in out.get("entities")].count("emergency") == 1


def test_detector_skips_button_payloads(detector) -> None:
    from rasa.shared.nlu.training_data.message import Message

    [out] = detector.process([Message(data={"text": "/inform_gas_smell"})])
    assert out.get("intent") is None


def test_detector_terms_file_can_be_configured(tmp_path) -> None:
    from nlu.components.emergency import EmergencyDetector

    terms = tmp_path / "terms.yml"
    terms.write_text('report: ["テスト緊急"]\n', encoding="utf-8")
    detector = EmergencyDetector({"terms_file": str(terms)})
    assert detector.detect("テスト緊急です")
    assert not detector.detect("ガスくさい")
