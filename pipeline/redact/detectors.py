"""Structured PII detectors: regular expressions plus the checks that make them precise.

Each ``find_*`` function returns the ``(start, end)`` character spans of one kind in a text.
The patterns are compiled at import (cheap; no model is loaded here). What each detector
accepts, and what it deliberately leaves alone, is in docs/security.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qsl, unquote, urlsplit

Span = tuple[int, int]

# ---------------------------------------------------------------------------------------------
# Email

_EMAIL = re.compile(
    r"(?<![\w.%+'-])"
    r"[^\W_](?:[\w.%+'-]{0,63})"
    r"@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,24}"
    r"(?![\w-])"
)
_DOT = r"\s*(?:\[dot\]|\(dot\)|\{dot\}|\s+dot\s+)\s*"
_EMAIL_SPELLED = re.compile(
    r"(?<![\w.])[\w.+-]{2,64}\s*(?:\[at\]|\(at\)|\{at\}|\s+at\s+)\s*[\w-]{2,63}"
    rf"(?:{_DOT}[a-z]{{2,10}}){{0,2}}{_DOT}"
    r"(?:com|net|org|edu|gov|io|co|info|me|biz|de|fr|es|it|nl|in|au|ca|uk|za|ru|br|jp|ie|nz)\b",
    re.IGNORECASE,
)
"""'jane [at] example [dot] com' and 'jane at gmail dot com' (a known TLD is required)."""


def find_emails(text: str) -> list[Span]:
    """Email addresses, including 'name [at] domain [dot] com' spellings."""
    spans = [m.span() for m in _EMAIL.finditer(text)]
    spans += [m.span() for m in _EMAIL_SPELLED.finditer(text)]
    return spans


# ---------------------------------------------------------------------------------------------
# URLs that carry secrets

_URL = re.compile(
    r"(?<![\w@.-])(?:(?:https?|ftp)://|www\.)[^\s<>\"'`{}|\\^]+"
    r"|(?<![\w@./-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}[/?#][^\s<>\"'`{}|\\^]*",
    re.IGNORECASE,
)
_URL_TRAILING = ".,;:!?'\")]}>"
_SECRET_PARAM = re.compile(
    r"token|secret|passw|pwd|auth|sig|^key$|apikey|api_key|access_?key|credential|session|"
    r"^sid$|^jwt$|^otp$|^reset|e-?mail|^mail$|^phone$|^tel$|^mobile$",
    re.IGNORECASE,
)
"""Query/fragment parameter names whose value is a credential or a personal identifier."""
_WEAK_PARAM = re.compile(
    r"^(?:code|hash|k|t|s|state|nonce|uid|user(?:name|_?id)?|login|customer(?:_?id)?|account|"
    r"e|u)$",
    re.IGNORECASE,
)
"""Parameter names whose value is a secret when it looks like one (10+ mixed characters);
plain ``id`` is not among them (order, parcel and product ids are not secrets)."""
_SECRET_PATH_WORDS = frozenset(
    {
        *("reset", "reset-password", "password", "verify", "verification", "confirm", "activate"),
        *("activation", "unsubscribe", "invite", "invitation", "token", "magic", "magic-link"),
        *("login", "auth", "signin", "sign-in", "optout", "opt-out", "share"),
    }
)
"""A path segment after one of these is a secret when it looks like a token (8+ characters)."""
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_JWT = re.compile(r"eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{4,}")


def _looks_like_token(value: str, minimum: int = 16) -> bool:
    """A random-looking credential: long, letters and digits mixed, not a word-slug."""
    value = unquote(value)
    if _UUID.search(value) or _JWT.search(value):
        return True
    for piece in re.split(r"[-_.~/]", value):
        if len(piece) < minimum:
            continue
        digits = sum(c.isdigit() for c in piece)
        letters = sum(c.isalpha() for c in piece)
        if digits == len(piece):
            continue  # order numbers and other plain ids
        if digits >= 2 and letters >= 2:
            return True
        upper = sum(c.isupper() for c in piece)
        if letters == len(piece) and 3 <= upper < len(piece) - 2 and len(piece) >= 20:
            return True  # base64-ish mixed case without digits
    return False


def _url_has_secret(url: str) -> bool:
    """Whether a URL carries credentials, a token, or an email address."""
    if _EMAIL.search(unquote(url)):
        return True
    try:
        parts = urlsplit(url if "://" in url else "http://" + url)
        netloc = parts.netloc
    except ValueError:
        return False
    if "@" in netloc:  # user:password@host
        return True
    for query in (parts.query, parts.fragment):
        for name, value in parse_qsl(query, keep_blank_values=True):
            if not value:
                continue
            if _SECRET_PARAM.search(name) or _looks_like_token(value):
                return True
            if _WEAK_PARAM.match(name) and _looks_like_token(value, 10):
                return True
    segments = [s for s in parts.path.split("/") if s]
    for position, segment in enumerate(segments):
        after_keyword = position > 0 and segments[position - 1].lower() in _SECRET_PATH_WORDS
        if _looks_like_token(segment, 8 if after_keyword else 16):
            return True
    return False


def _trim_url(text: str, start: int, end: int) -> int:
    """The end of a URL without trailing punctuation (a ')' stays when the URL opened one)."""
    while end > start and text[end - 1] in _URL_TRAILING:
        if text[end - 1] == ")" and text.count("(", start, end) >= text.count(")", start, end):
            break
        end -= 1
    return end


def find_urls(text: str) -> list[Span]:
    """URLs that carry a token, credentials or an email address (plain URLs are left)."""
    spans = []
    for match in _URL.finditer(text):
        start = match.start()
        end = _trim_url(text, start, match.end())
        if end > start and _url_has_secret(text[start:end]):
            spans.append((start, end))
    return spans


# ---------------------------------------------------------------------------------------------
# Payment cards

_CARD = re.compile(r"(?<![\w+.,/])(?<!\d[ -])\d(?:[ -]?\d){12,18}(?!\d)(?![ -]\d)(?![.,]\d)")
_CARD_WORDS = re.compile(r"card|visa|master|amex|american express|credit|debit|cc\b", re.I)
_ORDER_WORDS = re.compile(
    r"(?:order|tracking|track|ref|reference|invoice|ticket|case|booking|confirmation|serial|"
    r"sku|model|imei|account (?:no|num|number|#)|a/c|acct|meter|policy|awb|parcel|package|"
    r"shipment|consignment|transaction|txn|receipt|barcode|isbn|ean|upc|item|part)\b[^.!?\n]{0,12}$|#\s*$|\bno\.?\s*$",
    re.IGNORECASE,
)
"""Words just before a number that make it an order, tracking or reference number."""


_IBAN_SHAPED = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){0,7} ?$")
"""The start of an IBAN-shaped string: digits that continue it are not a card number."""


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum of a string of digits."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _before(text: str, start: int, width: int = 32) -> str:
    return text[max(0, start - width) : start]


def find_cards(text: str) -> list[Span]:
    """Payment card numbers: 13-19 digits, one kind of separator, a card prefix, Luhn-valid."""
    spans = []
    for match in _CARD.finditer(text):
        raw = match.group()
        if "-" in raw and " " in raw:
            continue
        digits = raw.replace(" ", "").replace("-", "")
        if not 13 <= len(digits) <= 19 or digits[0] not in "23456" or not luhn_valid(digits):
            continue
        before = _before(text, match.start())
        if _ORDER_WORDS.search(before) and not _CARD_WORDS.search(before):
            continue
        if _IBAN_SHAPED.search(_before(text, match.start(), 40)):
            continue
        spans.append(match.span())
    return spans


# ---------------------------------------------------------------------------------------------
# IBAN

IBAN_LENGTHS: dict[str, int] = {
    **{"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22},
    **{"BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27},
    **{"DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27},
    **{"GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22},
    **{"IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32},
    **{"LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19},
    **{"MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24},
    **{"PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31},
    **{"SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23},
    **{"TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30},
}
"""IBAN length by country (the SWIFT IBAN registry)."""

_IBAN_START = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2})(\d{2})(?=[ -]?[A-Za-z0-9])")


def iban_valid(iban: str) -> bool:
    """Country length and the ISO 13616 mod-97 check of an IBAN without spaces."""
    iban = iban.upper()
    if IBAN_LENGTHS.get(iban[:2]) != len(iban) or not iban.isalnum():
        return False
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1


def find_ibans(text: str) -> list[Span]:
    """IBANs, with or without spaces in groups, that pass the country length and mod-97."""
    spans = []
    for match in _IBAN_START.finditer(text):
        length = IBAN_LENGTHS.get(match.group(1).upper())
        if length is None:
            continue
        chars: list[str] = []
        position = match.start()
        while position < len(text) and len(chars) < length:
            char = text[position]
            if char.isascii() and char.isalnum():
                chars.append(char)
            elif not (char in " -" and position + 1 < len(text) and text[position + 1].isalnum()):
                break
            position += 1
        if len(chars) != length:
            continue
        if position < len(text) and text[position].isalnum():
            continue  # longer than the country's IBAN: not one
        if iban_valid("".join(chars)):
            spans.append((match.start(), position))
    return spans


# ---------------------------------------------------------------------------------------------
# Phone numbers

_PHONE = re.compile(
    r"(?:(?<![\w+#$£€¥/-])\+|(?<![\w+#$£€¥./:-])(?:00|\()?)"
    r"\d[\d \-.()\u00a0]{5,24}\d(?:\s?(?:ext|x)\.?\s?\d{1,5})?"
)
_PHONE_WORDS = re.compile(
    r"\b(?:phone|tel|telephone|mobile|mob|cell|cellphone|call(?:ed|ing)?|ring|text|sms|"
    r"whatsapp|fax|landline|reach me|contact me|my number|dial(?:led)?)\b[^.!?\n]{0,20}$",
    re.IGNORECASE,
)
_GROUPS = re.compile(r"\d+")


def _phone_shape_ok(raw: str) -> bool:
    """Separators consistent: at most one of '-' and '.', no doubled separators."""
    if "-" in raw and "." in raw:
        return False
    return not re.search(r"[ .\-]{2,}|\.\s|\s\.", raw.replace("(", "").replace(")", ""))


def _is_phone(raw: str, before: str) -> bool:
    """Whether a phone-like candidate is a phone number (see docs/security.md)."""
    digits = re.sub(r"\D", "", raw.split("x")[0].split("ext")[0])
    groups = [len(g) for g in _GROUPS.findall(raw)]
    if not _phone_shape_ok(raw):
        return False
    context = bool(_PHONE_WORDS.search(before))
    if _ORDER_WORDS.search(before) and not context:
        return False
    if raw.startswith("+"):
        return 8 <= len(digits) <= 15 and (len(groups) >= 2 or len(digits) >= 10)
    if raw.startswith("00"):
        return 10 <= len(digits) <= 17 and len(groups) >= 2
    if re.match(r"\(\d{2,5}\)", raw) or re.match(r"1[ .-]?\(\d{3}\)", raw):
        return 10 <= len(digits) <= 11
    if groups in ([3, 3, 4], [1, 3, 3, 4]) and (groups[0] != 1 or digits[0] == "1"):
        return True  # North American: 555-123-4567, 1-800-555-0199
    if digits.startswith("0") and 10 <= len(digits) <= 11:
        if len(groups) >= 2 and min(groups) >= 2:
            return True  # trunk prefix: 020 7946 0958, 07700 900123, 01 23 45 67 89
        if len(groups) == 1 and digits[1] != "0":
            return True  # written without spaces: 07700900123, 0722000000
    if groups == [5, 5] and digits[0] in "6789":
        return True  # Indian mobile: 98765 43210
    return context and 7 <= len(digits) <= 15


def find_phones(text: str) -> list[Span]:
    """Phone numbers in international and common national formats (see docs/security.md)."""
    spans = []
    for match in _PHONE.finditer(text):
        start, end = match.span()
        raw = match.group()
        # A closing parenthesis that opened nowhere is punctuation, not part of the number.
        while raw and raw[-1] in ")" and raw.count("(") < raw.count(")"):
            raw, end = raw[:-1], end - 1
        if raw.startswith("(") and ")" not in raw:
            raw, start = raw[1:], start + 1
        stripped = raw.rstrip(" .-(")
        end -= len(raw) - len(stripped)
        raw = stripped
        following = text[end : end + 2]
        if re.match(r"[\w/]|[.,:]\d|[ -]\d", following):
            continue  # part of a longer number, a date, a time or a price
        if _is_phone(raw, _before(text, start)):
            spans.append((start, end))
    return spans


# ---------------------------------------------------------------------------------------------
# Street addresses and postcodes

_STREET_TYPES = (
    "street|st|avenue|ave|av|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|place|pl|square|"
    "sq|terrace|ter|way|close|crescent|cres|parkway|pkwy|highway|hwy|gardens|gdns|grove|mews|"
    "expressway|freeway|turnpike"
)
_WEAK_STREET_TYPES = (
    "row|circle|cir|trail|trl|walk|parade|pde|alley|plaza|hill|rise|green|wharf|quay|causeway|"
    "pike|loop|path|vale|park"
)
"""Street types that are also common words: an address with one needs a unit, a postcode or
address words before it ("5 South Park" alone is a TV show)."""
_UK_POSTCODE = r"(?:[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})"
_US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|"
    "NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY"
)
_NAME_WORD = r"(?:[A-Z][A-Za-z'’.-]*|\d{1,3}(?:st|nd|rd|th))"
_CITY = r"[A-Z][A-Za-z'’.-]+(?:[ -][A-Z][A-Za-z'’.-]+){0,2}"
_AU_STATES = "NSW|VIC|QLD|SA|WA|TAS|ACT|NT"
_TAIL = (
    rf"(?:,?\s*(?:{_US_STATES})\s+\d{{5}}(?:-\d{{4}})?\b|,?\s*{_UK_POSTCODE}\b"
    rf"|,?\s*(?:{_AU_STATES})\s+\d{{4}}\b"
    r"|,?\s*\d{5}\b(?=\s*$|[.,;!?)]))"
)
_STREET = re.compile(
    r"(?<![\w/.:,-])"
    r"(?:(?i:flat|apt|apartment|unit|suite|ste)\.?\s*#?[A-Za-z0-9-]{1,5},?\s+)?"
    r"\d{1,5}[A-Za-z]?(?:[-/]\d{1,5}[A-Za-z]?)?\s+"
    rf"(?:{_NAME_WORD}\s+){{1,3}}(?i:{_STREET_TYPES})\b\.?"
    r"(?:\s+(?:N|S|E|W|NE|NW|SE|SW)\b\.?)?"
    r"(?:,?\s*(?:(?i:apt|apartment|suite|ste|unit|flat|floor|fl)\.?\s*#?|#\s?)[A-Za-z0-9-]{1,6}\b)?"
    rf"(?:(?:,\s*{_CITY})?{_TAIL})?"
)
_STREET_ANY_CASE = re.compile(
    r"(?<![\w/.:,-])"
    r"(?P<unit>(?:flat|apt|apartment|unit|suite)\.?\s*#?[a-z0-9-]{1,5},?\s+)?"
    r"\d{1,5}[a-z]?\s+(?:[a-z][a-z'’.-]*\s+){1,3}"
    rf"(?:{_STREET_TYPES}|{_WEAK_STREET_TYPES})\b\.?"
    r"(?P<tail>(?:,\s*[a-z][a-z'’.-]+(?:\s[a-z][a-z'’.-]+)?)?,?\s*"
    rf"(?:{_UK_POSTCODE}|(?:{_US_STATES})\s+\d{{5}}(?:-\d{{4}})?)\b)?",
    re.IGNORECASE,
)
"""Any case, and the weak street types: kept only with a unit, a postcode or address words."""
_ADDRESS_WORDS = re.compile(
    r"(?:address|live[sd]? at|living at|deliver(?:ed|y)? to|ship(?:ped)? to|sen[dt] (?:it )?to|"
    r"went to|outside|postcode|moved to|at my|to my)\b\W{0,3}(?:is\W{0,3})?$",
    re.IGNORECASE,
)
_EUROPEAN_STREET = re.compile(
    r"\b[A-ZÄÖÜ][a-zäöüß]+(?:straße|strasse|str\.|weg|platz|allee|gasse|damm|ring)\s+"
    r"\d{1,4}[a-z]?\b(?:,\s*\d{5}\s+[A-ZÄÖÜ][a-zäöüß]+)?"
    r"|\b\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?i:rue|avenue|boulevard|bd|place|chemin|allée|impasse|"
    r"quai)\s+(?:(?:de|du|des|la|le|l'|d')\s*)*[A-ZÉ][\w'-]+(?:\s+[A-Z][\w'-]+)*"
    r"(?:,\s*\d{5}\s+[A-Z][\w'-]+)?"
    r"|\b(?:Calle|Avenida|Paseo|Carrer|Via|Viale|Piazza|Rua|Avenida)\s+"
    r"(?:(?:de|del|la|las|los|di|della|da|do)\s+)*[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)*,?\s+\d{1,4}\b"
)
_PO_BOX = re.compile(r"\b(?i:p\.?\s?o\.?\s+box|post\s+office\s+box)\s+\d{1,6}\b")
_POSTCODE_AFTER_WORD = re.compile(
    r"(?i:post\s?code|zip(?:\s?code)?|postal code)\W{0,3}(?i:is\W{0,3})?"
    rf"(?P<code>(?i:{_UK_POSTCODE}))\b"
)
"""A UK postcode in any case after the word postcode ("my postcode is sw1a 1aa")."""
_POSTCODE_ALONE = re.compile(
    rf"(?<![\w-])(?:{_UK_POSTCODE}|(?:{_US_STATES})\s+\d{{5}}(?:-\d{{4}})?)(?![\w-])"
)


_ABBREVIATIONS = frozenset(
    {
        *("st", "ave", "av", "rd", "blvd", "ln", "dr", "ct", "pl", "sq", "ter", "cres", "pkwy"),
        *("hwy", "gdns", "cir", "trl", "pde", "str", "n", "s", "e", "w"),
    }
)


def _without_full_stop(text: str, start: int, end: int) -> Span:
    """A span without a final full stop, unless it ends an abbreviation ("St.", "Ave.")."""
    if text[end - 1] == "." and text[start:end].split()[-1][:-1].lower() not in _ABBREVIATIONS:
        end -= 1
    return start, end


def find_addresses(text: str) -> list[Span]:
    """Street addresses (number, street name, street type, unit, city, postcode), PO boxes,
    German/French/Spanish-style streets, and UK postcodes or US state + ZIP on their own."""
    return [_without_full_stop(text, a, b) for a, b in _find_addresses(text)]


def _find_addresses(text: str) -> list[Span]:
    spans = [m.span() for m in _STREET.finditer(text)]
    for match in _STREET_ANY_CASE.finditer(text):
        if (
            match.group("unit")
            or match.group("tail")
            or _ADDRESS_WORDS.search(_before(text, match.start()))
        ):
            spans.append(match.span())
    spans += [m.span() for m in _EUROPEAN_STREET.finditer(text)]
    spans += [m.span() for m in _PO_BOX.finditer(text)]
    spans += [m.span() for m in _POSTCODE_ALONE.finditer(text)]
    spans += [m.span("code") for m in _POSTCODE_AFTER_WORD.finditer(text)]
    return spans


StructuredFinder = Callable[[str], list[Span]]

FINDERS: dict[str, StructuredFinder] = {
    "url": find_urls,
    "email": find_emails,
    "iban": find_ibans,
    "card": find_cards,
    "phone": find_phones,
    "address": find_addresses,
}
"""The structured detectors, in priority order: an earlier kind wins an overlap."""
