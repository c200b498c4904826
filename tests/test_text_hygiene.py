"""The text-hygiene step of decoding: invisible format characters dropped, certain mojibake repaired, and
nothing else changed. Every sentence here is invented."""

from __future__ import annotations

import pytest

from pipeline.text.clean import clean_article
from pipeline.text.decode import decode_bytes
from pipeline.text.normalise import remove_invisibles_and_mojibake

# Curly quotes, dashes, an ellipsis, no-break spaces, accents, emoji (a ZWJ family, a flag, a heart with
# its presentation selector): what a clean news text holds and the step must leave alone.
CLEAN = (
    "Harbour master Ana Müller said: “We’ll wait — and see…” on Tuesday.\n"
    "The ferry left at 9\u00a0am; 12\u202f000 people – and a café owner, José – cheered. "
    "👨\u200d👩\u200d👧 🏳\ufe0f\u200d🌈 ❤\ufe0f 👍🏽 ‘yes’ «non» „ja“ 1/2 ½ £5 €3\n\n"
    "Second paragraph with a decomposed e\u0301 and a ligature ﬁ."
)


def _decode(text: str) -> str:
    return decode_bytes(text.encode("utf-8")).text


# --- invisible format characters ------------------------------------------------------------------------


def test_zero_width_space_inside_a_name_is_removed() -> None:
    assert _decode("Harbour master Ma\u200bria Lopez said the port would close.") == (
        "Harbour master Maria Lopez said the port would close."
    )


def test_soft_hyphen_inside_a_word_is_removed() -> None:
    assert _decode("The news\u00adpaper editor Tom\u00adas Brandt resigned.") == (
        "The newspaper editor Tomas Brandt resigned."
    )


def test_byte_order_mark_in_the_middle_of_the_text_is_removed() -> None:
    text = "\ufeffFirst part of a pasted story.\n\ufeffSecond part, pas\ufeffted again."
    assert _decode(text) == "First part of a pasted story.\nSecond part, pasted again."


def test_bidi_marks_and_other_zero_width_characters_are_removed() -> None:
    marks = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2060\u200c\u200d\u180e"
    text = f"Mayor {marks}Ingrid{marks} Solberg{marks} spoke at the {marks}town hall."
    assert _decode(text) == "Mayor Ingrid Solberg spoke at the town hall."


def test_invisible_characters_spelt_as_html_entities_are_removed() -> None:
    page = (
        "<html><body><h1>Bridge opens</h1><p>Engineer Ma&#8203;ria Lo&shy;pez cut the rib&zwnj;bon "
        "on Fri&lrm;day.</p></body></html>"
    )
    decoded = decode_bytes(page.encode("utf-8"))
    assert decoded.encoding == "utf-8+html"
    assert decoded.text == "Bridge opens\n\nEngineer Maria Lopez cut the ribbon on Friday."


def test_zero_width_joiner_is_kept_only_inside_emoji_sequences() -> None:
    family, rainbow, cook = "👨\u200d👩\u200d👧", "🏳\ufe0f\u200d🌈", "👩🏽\u200d🍳"
    text = f"Fans sent {family} {rainbow} {cook} to Li\u200dna Park and ok\u200d👍 too"
    assert (
        remove_invisibles_and_mojibake(text)
        == f"Fans sent {family} {rainbow} {cook} to Lina Park and ok👍 too"
    )


def test_tag_characters_of_a_subdivision_flag_are_kept() -> None:
    flag = "🏴\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f"
    assert remove_invisibles_and_mojibake(f"Fans waved {flag} flags.") == f"Fans waved {flag} flags."


# --- mojibake ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("broken", "repaired"),
    [
        ("RenÃ©e Dubois said the talks had stalled.", "Renée Dubois said the talks had stalled."),
        ("“I donâ€™t know,” the minister said.", "“I don’t know,” the minister said."),
        (
            "â€œWe will rebuild,â€\x9d said Ana MÃ¼ller â€” twice.",
            "“We will rebuild,” said Ana Müller — twice.",
        ),
        ("Tickets cost Â£5 â€¦ or more.", "Tickets cost £5 … or more."),
        ("Only here: the cafÃ© in Zürich.", "Only here: the café in Zürich."),  # mojibake next to right UTF-8
    ],
)
def test_utf8_read_as_cp1252_is_repaired(broken: str, repaired: str) -> None:
    assert _decode(broken) == repaired


def test_mojibake_repair_changes_nothing_but_the_mojibake() -> None:
    broken = CLEAN.replace("café", "cafÃ©").replace("José", "JosÃ©")
    assert broken != CLEAN
    assert remove_invisibles_and_mojibake(broken) == CLEAN


def test_mojibake_of_a_zero_width_space_is_repaired_then_removed() -> None:
    assert _decode("Ma\u00e2\u20ac\u2039ria Lopez arrived.") == "Maria Lopez arrived."  # "â€‹" = U+200B


def test_a_guess_is_not_a_repair() -> None:
    # A lone "Ã" before a space might once have been "à" with its no-break space lost: not certain, kept.
    assert remove_invisibles_and_mojibake("SÃO PAULO and IRMÃ stay") == "SÃO PAULO and IRMÃ stay"
    # C1 controls on their own are the decoder's business (dropped, NEL read as a line break), not cp1252.
    assert _decode("Ports\x85closed\x9b today.") == "Ports\nclosed today."


# --- nothing else -------------------------------------------------------------------------------------------


def test_clean_text_is_unchanged_byte_for_byte() -> None:
    assert remove_invisibles_and_mojibake(CLEAN) == CLEAN
    assert _decode(CLEAN).encode("utf-8") == CLEAN.encode("utf-8")


def test_quotes_dashes_ellipses_and_line_breaks_are_untouched() -> None:
    text = "“Quoted,” he said — ‘really’ – … \"straight\" 'single'\r\nnext line\n\n\tindented"
    assert remove_invisibles_and_mojibake(text) == text


# --- end to end through the model ---------------------------------------------------------------------------

ARTICLE_WITH_HIDDEN_CHARACTERS = (
    "Storm closes three ports\n\n"
    "Ferry services were cancelled on Tuesday, said harbour master Ma\u200bria Lopez, who has worked at the "
    "port for twenty years.\n"
)


def test_a_name_with_a_zero_width_space_is_one_person_entity(nlp) -> None:
    text = decode_bytes(ARTICLE_WITH_HIDDEN_CHARACTERS.encode("utf-8")).text
    body = clean_article(text).body
    persons = [ent.text for ent in nlp(body).ents if ent.label_ == "PERSON"]
    assert "Maria Lopez" in persons
    assert not any("\u200b" in name or name in {"Maria", "Ma", "ria"} for name in persons)
    start = body.index("Maria Lopez")
    assert body[start : start + len("Maria Lopez")] == "Maria Lopez"  # offsets index the cleaned body
