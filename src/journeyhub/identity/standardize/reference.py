"""Reference lists that standardisation reads: titles, particles, nicknames, legal forms.

Kept as plain data so that a workspace can extend them without touching the rules.
"""

from __future__ import annotations

SALUTATIONS: dict[str, tuple[str, str]] = {
    # spelling (lower-case, no dots) -> (standard salutation, gender)
    "herr": ("Herr", "m"), "hr": ("Herr", "m"), "frau": ("Frau", "f"), "fr": ("Frau", "f"),
    "mr": ("Mr", "m"), "mister": ("Mr", "m"), "mrs": ("Mrs", "f"), "ms": ("Ms", "f"),
    "miss": ("Ms", "f"), "divers": ("Divers", "d"), "mx": ("Mx", "d"),
}  # fmt: skip

# Academic titles in the order they are written; matched case-insensitively before a name.
TITLES = (
    "Prof. Dr. Dr.", "Prof. Dr.", "Prof.", "Dr. Dr.", "Dr. med. dent.", "Dr. med.", "Dr. rer. nat.",
    "Dr. jur.", "Dr.-Ing.", "Dr.", "Dipl.-Ing.", "Dipl.-Kfm.", "Dipl.-Kff.", "Mag.", "DI", "Ing.",
)  # fmt: skip

# Name particles that are part of the family name but written lower-case.
PARTICLES = (
    "von und zu", "von der", "von dem", "von", "vom", "zu", "van der", "van den", "van",
    "de la", "de", "der", "den", "di", "da", "del", "dos", "le", "la", "ten", "ter",
)  # fmt: skip

# nickname or short form -> full given name (both lower-case ASCII keys)
NICKNAMES: dict[str, str] = {
    "hans": "johannes", "jo": "johannes", "johann": "johannes", "kathi": "katharina",
    "kati": "katharina", "käthe": "katharina", "lisa": "elisabeth", "liesel": "elisabeth",
    "sissi": "elisabeth", "grete": "margarete", "gretel": "margarete", "max": "maximilian",
    "alex": "alexander", "sascha": "alexander", "chris": "christian", "christoph": "christoph",
    "steffi": "stefanie", "franzi": "franziska", "resi": "theresa", "tobi": "tobias",
    "basti": "sebastian", "fritz": "friedrich", "lutz": "ludwig", "gabi": "gabriele",
    "babsi": "barbara", "bärbel": "barbara", "sepp": "josef", "seppi": "josef", "jupp": "josef",
    "hannes": "johannes", "uli": "ulrich", "ulli": "ulrich", "wolfi": "wolfgang",
    "michi": "michael", "micha": "michael", "andi": "andreas", "flo": "florian",
    "domi": "dominik", "conny": "cornelia", "susi": "susanne", "moni": "monika",
    "rike": "friederike", "heinz": "heinrich", "heini": "heinrich", "klaus": "nikolaus",
    "bill": "william", "will": "william", "billy": "william", "bob": "robert", "rob": "robert",
    "bobby": "robert", "dick": "richard", "rick": "richard", "liz": "elizabeth",
    "beth": "elizabeth", "betty": "elizabeth", "kate": "katherine", "katie": "katherine",
    "kathy": "katherine", "matt": "matthew", "becky": "rebecca", "tom": "thomas",
    "tommy": "thomas", "jim": "james", "jimmy": "james", "mike": "michael", "dave": "david",
    "dan": "daniel", "danny": "daniel", "joe": "joseph", "jen": "jennifer", "jenny": "jennifer",
    "sam": "samuel", "ben": "benjamin", "nick": "nicholas", "tony": "anthony", "andy": "andrew",
    "steve": "stephen", "pete": "peter", "ed": "edward", "ted": "edward", "sue": "susan",
    "meg": "margaret", "maggie": "margaret", "peggy": "margaret", "jess": "jessica",
    "vicky": "victoria", "chuck": "charles", "charlie": "charles", "jon": "jonathan",
}  # fmt: skip

# Legal forms, longest first; each spelling maps to its standard form.
LEGAL_FORMS: dict[str, str] = {
    "gmbh & co. kg": "GmbH & Co. KG", "gmbh & co kg": "GmbH & Co. KG",
    "gmbh und co. kg": "GmbH & Co. KG", "ug (haftungsbeschränkt)": "UG (haftungsbeschränkt)",
    "ug (haftungsbeschraenkt)": "UG (haftungsbeschränkt)", "g.m.b.h.": "GmbH", "gmbh": "GmbH",
    "ges.m.b.h.": "GmbH", "gesmbh": "GmbH", "ag": "AG", "a.g.": "AG", "se": "SE", "kg": "KG",
    "ohg": "OHG", "e.k.": "e.K.", "e. k.": "e.K.", "ek": "e.K.", "e.kfm.": "e.K.", "e.v.": "e.V.",
    "ev": "e.V.", "eg": "eG", "e.g.": "eG", "gbr": "GbR", "ug": "UG", "kgaa": "KGaA",
    "ltd.": "Ltd", "ltd": "Ltd", "limited": "Ltd", "plc": "PLC", "llp": "LLP", "inc.": "Inc",
    "inc": "Inc", "incorporated": "Inc", "llc": "LLC", "l.l.c.": "LLC", "corp.": "Corp",
    "corp": "Corp", "co.": "Co", "s.a.": "SA", "sa": "SA", "s.a.r.l.": "SARL", "sarl": "SARL",
    "s.r.l.": "Srl", "srl": "Srl", "b.v.": "BV", "bv": "BV", "n.v.": "NV", "nv": "NV",
    "s.p.a.": "SpA", "spa": "SpA", "oy": "Oy", "ab": "AB", "as": "AS", "aps": "ApS",
}  # fmt: skip

COUNTRIES: dict[str, str] = {
    "de": "DE", "d": "DE", "deu": "DE", "deutschland": "DE", "germany": "DE",
    "at": "AT", "a": "AT", "aut": "AT", "österreich": "AT", "oesterreich": "AT", "austria": "AT",
    "ch": "CH", "che": "CH", "schweiz": "CH", "switzerland": "CH", "suisse": "CH",
    "gb": "GB", "uk": "GB", "united kingdom": "GB", "great britain": "GB", "england": "GB",
    "us": "US", "usa": "US", "united states": "US", "fr": "FR", "frankreich": "FR",
    "france": "FR", "nl": "NL", "niederlande": "NL", "netherlands": "NL", "it": "IT",
    "italien": "IT", "italy": "IT", "es": "ES", "spanien": "ES", "spain": "ES", "pl": "PL",
    "polen": "PL", "poland": "PL", "be": "BE", "belgien": "BE", "belgium": "BE", "lu": "LU",
    "dk": "DK", "se": "SE", "no": "NO", "cz": "CZ", "li": "LI", "ie": "IE",
}  # fmt: skip

# Postcode shape per country; a postcode that does not fit is invalid, not corrected.
POSTCODE_PATTERNS: dict[str, str] = {
    "DE": r"^\d{5}$", "AT": r"^\d{4}$", "CH": r"^\d{4}$", "LI": r"^\d{4}$",
    "NL": r"^\d{4} [A-Z]{2}$", "GB": r"^[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}$",
    "US": r"^\d{5}(-\d{4})?$", "FR": r"^\d{5}$", "IT": r"^\d{5}$", "ES": r"^\d{5}$",
    "PL": r"^\d{2}-\d{3}$", "BE": r"^\d{4}$", "DK": r"^\d{4}$",
}  # fmt: skip

# Countries that write the house number before the street ("12 Station Road").
NUMBER_FIRST = frozenset({"GB", "US", "IE", "FR", "CA", "AU", "NZ"})

# Free-mail providers whose addresses ignore dots and/or "+tag" suffixes in the local part.
EMAIL_DOTS_IGNORED = frozenset({"gmail.com", "googlemail.com"})
EMAIL_PLUS_TAGS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "icloud.com",
    "me.com", "yahoo.com", "yahoo.de", "posteo.de", "mailbox.org", "protonmail.com",
    "proton.me", "fastmail.com",
})  # fmt: skip
EMAIL_DOMAIN_ALIASES = {"googlemail.com": "gmail.com"}
