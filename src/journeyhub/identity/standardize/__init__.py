"""Cleansing and standardisation of customer data, German and international.

Each function takes one raw value and returns the standard form (or ``None`` when the value
cannot be one); ``*_key`` functions return what two spellings of the same thing share and are
what matching compares.
"""

from journeyhub.identity.standardize.addresses import (
    Address,
    country_of_postcode,
    postcode_is_valid,
    split_street,
    standardize_address,
    standardize_country,
    street_key,
)
from journeyhub.identity.standardize.contact import (
    email_halves,
    email_key,
    standardize_email,
    standardize_phone,
)
from journeyhub.identity.standardize.dates import standardize_date, standardize_year
from journeyhub.identity.standardize.names import (
    PersonName,
    family_key,
    given_key,
    split_full_name,
    standardize_family,
    standardize_given,
    standardize_salutation,
    standardize_title,
)
from journeyhub.identity.standardize.organisations import (
    organisation_key,
    split_legal_form,
    standardize_legal_form,
    standardize_vat_id,
)
from journeyhub.identity.standardize.text import ascii_fold, match_key

__all__ = [
    "Address", "PersonName", "ascii_fold", "country_of_postcode", "email_halves", "email_key",
    "family_key", "given_key", "match_key", "organisation_key", "postcode_is_valid",
    "split_full_name", "split_legal_form", "split_street", "standardize_address",
    "standardize_country", "standardize_date", "standardize_email", "standardize_family",
    "standardize_given", "standardize_legal_form", "standardize_phone",
    "standardize_salutation", "standardize_title", "standardize_vat_id", "standardize_year",
    "street_key",
]  # fmt: skip
