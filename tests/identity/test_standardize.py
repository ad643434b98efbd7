"""Standardisation: what two spellings of one name, street, email or company share."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journeyhub.identity import standardize as std


@pytest.mark.parametrize(
    ("raw", "given_name", "family_name", "title", "salutation"),
    [
        ("Müller, Anna", "Anna", "Müller", None, None),
        ("MÜLLER, ANNA", "Anna", "Müller", None, None),
        ("Dr. Anna Müller", "Anna", "Müller", "Dr.", None),
        ("Frau Prof. Dr. Eva von der Heydt", "Eva", "von der Heydt", "Prof. Dr.", "Frau"),
        ("Herr Hans von Goethe", "Hans", "von Goethe", None, "Herr"),
        ("Mr John Smith", "John", "Smith", None, "Mr"),
        ("anna-lena schmidt", "Anna-Lena", "Schmidt", None, None),
    ],
)
def test_full_names_are_split_into_parts(raw, given_name, family_name, title, salutation):
    name = std.split_full_name(raw)
    assert (name.given_name, name.family_name, name.title, name.salutation) == (
        given_name, family_name, title, salutation,
    )  # fmt: skip


def test_umlaut_transliteration_and_case_share_one_key():
    assert std.family_key("Müller") == std.family_key("Mueller") == std.family_key("MÜLLER")
    assert std.family_key("Weiß") == std.family_key("Weiss")
    assert std.family_key("von Müller") == "mueller"
    assert std.family_key("Schmidt") != std.family_key("Schmitt")


def test_nicknames_resolve_to_the_full_given_name():
    assert std.given_key("Hans") == std.given_key("Johannes") == "johannes"
    assert std.given_key("Bob") == std.given_key("Robert")
    assert std.given_key("Sepp") == "josef"
    assert std.given_key("Anna") != std.given_key("Anne")


@pytest.mark.parametrize(
    ("raw", "country", "street", "house"),
    [
        ("Hauptstr. 12 a", "DE", "Hauptstraße", "12a"),
        ("hauptstrasse 12", "DE", "Hauptstraße", "12"),
        ("Bahnhofstrasse 5", "CH", "Bahnhofstrasse", "5"),
        ("Am Markt 3-5", "DE", "Am Markt", "3-5"),
        ("12 Station Road", "GB", "Station Road", "12"),
        ("Rue de la Paix 124", "FR", "Rue de la Paix", "124"),
    ],
)
def test_street_and_house_number_are_split(raw, country, street, house):
    assert std.split_street(raw, country) == (street, house)


def test_street_spellings_share_one_key():
    assert (
        std.street_key("Hauptstraße")
        == std.street_key("Hauptstr.")
        == std.street_key("HAUPTSTRASSE")
    )


def test_postcodes_take_their_country_shape():
    assert std.standardize_address(postcode="sw1a1aa", country="UK").postcode == "SW1A 1AA"
    assert std.standardize_address(postcode="1012ab", country="NL").postcode == "1012 AB"
    assert std.standardize_address(postcode="1067", country="Deutschland").postcode == "01067"
    # without a country on the record, a four-digit code may be Austrian: left alone
    assert std.standardize_address(postcode="1070", default_country="DE").postcode == "1070"
    # a shape only one country writes names the country the record left out
    british = std.standardize_address(postcode="m11ae", default_country="DE")
    assert (british.postcode, british.country) == ("M1 1AE", "GB")
    assert std.standardize_address(postcode="3011aa", default_country="DE").postcode == "3011 AA"
    assert std.standardize_address(postcode="M1 1AE", country="DE").country == "DE"
    assert std.postcode_is_valid("80331", "DE") and not std.postcode_is_valid("8033", "DE")


def test_emails_are_lowered_and_provider_aliases_removed():
    assert std.standardize_email(" Anna.Mueller@Example.DE ") == "anna.mueller@example.de"
    assert std.standardize_email("not an email") is None
    assert std.email_key("anna.mueller+shop@googlemail.com") == "annamueller@gmail.com"
    assert std.email_key("anna.mueller+shop@gmx.de") == "anna.mueller+shop@gmx.de"


def test_email_halves_survive_one_typo_and_skip_short_addresses():
    right = std.email_halves("daniela.bauer92@gmx.at")
    typo = std.email_halves("daniela.abuer92@gmx.at")
    assert right == ("daniela.bau", "er92@gmx.at") and right[1] == typo[1]
    assert std.email_halves("daniela.bauer92@gmx.ta")[0] == right[0]  # a typo in the domain
    # the tail holds part of the mailbox name, never the bare domain everyone shares
    assert std.email_halves("thomas@gmail.com") == (None, None)
    assert std.email_halves(None) == (None, None)


def test_phones_become_e164_in_the_records_country():
    assert std.standardize_phone("089 / 12 34 56", "DE") == "+4989123456"
    assert std.standardize_phone("0161/1039595", "GB") == "+441611039595"
    assert std.standardize_phone("0043 1 5134567", "DE") == "+4315134567"
    assert std.standardize_phone("hello", "DE") is None


@pytest.mark.parametrize(
    ("raw", "name", "form"),
    [
        ("Scholz Metallbau GmbH", "Scholz Metallbau", "GmbH"),
        ("Scholz Metallbau G.m.b.H.", "Scholz Metallbau", "GmbH"),
        ("Krüger Handel GmbH & Co. KG", "Krüger Handel", "GmbH & Co. KG"),
        ("Meier e.K.", "Meier", "e.K."),
        ("ACME Ltd.", "ACME", "Ltd"),
        ("Initech, Inc.", "Initech", "Inc"),
        ("Stadtwerke München", "Stadtwerke München", None),
    ],
)
def test_legal_forms_are_split_off_organisation_names(raw, name, form):
    assert std.split_legal_form(raw) == (name, form)


def test_organisation_key_ignores_legal_form_spelling():
    assert std.organisation_key("Scholz Metallbau GmbH") == std.organisation_key(
        "SCHOLZ METALLBAU G.m.b.H."
    )


def test_dates_in_german_iso_and_compact_forms():
    assert str(std.standardize_date("20.04.1943")) == "1943-04-20"
    assert str(std.standardize_date("19430420")) == "1943-04-20"
    assert std.standardize_date("31.02.1980") is None


@given(st.text())
def test_match_key_is_idempotent_and_ascii(text):
    key = std.match_key(text)
    assert key is None or (key.isascii() and std.match_key(key) == key)


@given(st.sampled_from(["ä", "ö", "ü", "ß"]), st.text(alphabet="abcdefghij", min_size=1))
def test_umlaut_and_its_transliteration_always_agree(umlaut, stem):
    spelled = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}[umlaut]
    assert std.match_key(stem + umlaut + stem) == std.match_key(stem + spelled + stem)
