"""A PII test set: real customer texts with generated PII planted at recorded spans, and decoys.

    python -m bench.pii_testset [--seed 0] [--out FILE.jsonl]   # writes or prints the set

Base texts are real: 420 complaint tweets to brands (``data/signals/complaints_twitter``) and
180 dialogue turns and reviews from the effort set (``data/effort/effort.csv``: USS, MAMS,
SemEval), drawn once with a fixed seed (``BASE_SEED``). Every detection the redactor made in
those 600 base texts was read by a person: the real PII among them is listed in
``ORIGINAL_PII`` (it counts as correct), ``AMBIGUOUS`` spans count neither way, and every
other detection in base text counts against precision.

Into copies of them, ``build(seed)`` plants generated PII sentences (emails, phones in many
countries' formats, Luhn-valid cards in several layouts, mod-97-valid IBANs from 16 countries,
URLs carrying tokens or emails, street addresses, person names of many origins) at the start,
the end or a sentence boundary, and records each value's span. Decoy sentences (order and
tracking numbers, dates, times, prices, Luhn-invalid card numbers, IBANs with a bad checksum,
plain URLs, product names, the journeys' own words) measure precision.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import string
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from urllib.parse import quote

from steplens.pipeline.paths import data_dir
from steplens.pipeline.redact.detectors import luhn_valid

BASE_SEED = 0
BASE_TWEETS = 420
BASE_OTHERS = 180
PLANTED_TEXTS = 560
DECOY_TEXTS = 280
STRUCTURED = ("email", "phone", "card", "iban", "url", "address")
KINDS = (*STRUCTURED, "name")

ORIGINAL_PII: dict[str, tuple[tuple[str, str], ...]] = {
    "tweet:811135030345035776": (("name", "Alice"),),
    "tweet:959077597765304321": (("name", "Amy"),),
    "tweet:940643375040122881": (("name", "Michelle"),),
    "tweet:946758071963013122": (("name", "Leanne"),),
    "tweet:507728579376185345": (("name", "Oprah"),),
    "tweet:953836611007143936": (("name", "Raj"),),
    "tweet:680871512161685504": (("name", "Lena"),),
    "tweet:941080255304957952": (("name", "Felicia"),),
    "effort:e0611": (("name", "Richard"),),
    "effort:e3365": (("name", "Scott Heather"),),
    "tweet:960853123664199680": (("phone", "8384052361"),),
    "tweet:956841697987760128": (("phone", "0722000000"),),
    "tweet:942683445117022208": (("address", "DA17 5DB"),),
    "tweet:908716451380563969": (("address", "4 bridge lane ca11 8gt"),),
}
"""Real PII in the base texts, by reading every detection the redactor made in them."""
AMBIGUOUS: dict[str, tuple[str, ...]] = {"effort:e1695": ("Mac Jack",)}
"""Base-text spans a reader could not call (a dish or a person?): detections there are ignored."""

_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z@])")


@dataclass(frozen=True)
class Planted:
    """One PII value in a text: its kind, span and value."""

    kind: str
    start: int
    end: int
    value: str


@dataclass(frozen=True)
class Example:
    """A test text: the PII planted in it (recall and precision), the real PII of its base text
    (``known``: precision only), and spans where detections count neither way."""

    id: str
    text: str
    planted: tuple[Planted, ...]
    known: tuple[Planted, ...] = ()
    ignore: tuple[tuple[int, int], ...] = ()
    decoys: tuple[str, ...] = ()


def base_texts() -> list[tuple[str, str]]:
    """The fixed pool of real texts: (source id, text)."""
    root = data_dir()
    tweets, others, seen = [], [], set()
    path = root / "signals" / "complaints_twitter" / "complaints-data.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        for tweet_id, text, _, domain in csv.reader(handle):
            text = _SPACE.sub(" ", text).strip()
            if domain not in ("random_reply", "random_tweet") and len(text.split()) >= 6:
                tweets.append((f"tweet:{tweet_id}", text))
    sources = ("uss_satisfaction", "mams_acsa", "semeval14_restaurants", "semeval16_laptops")
    with (root / "effort" / "effort.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            text = _SPACE.sub(" ", row["text"]).strip()
            if row["source"].split(":")[0] in sources and len(text.split()) >= 6:
                others.append((f"effort:{row['id']}", text))
    unique_tweets, unique_others = [], []
    for pool, unique in ((tweets, unique_tweets), (others, unique_others)):
        for key, text in sorted(pool):
            if text not in seen:
                seen.add(text)
                unique.append((key, text))
    rng = random.Random(BASE_SEED)
    return rng.sample(unique_tweets, BASE_TWEETS) + rng.sample(unique_others, BASE_OTHERS)


# ---------------------------------------------------------------------------------------------
# Generated values

FIRST_NAMES = (
    *("James", "Emily", "Oliver", "Charlotte", "Liam", "Hannah", "Connor", "Siobhan", "Ewan"),
    *("Maria", "José", "Lucía", "Alejandro", "Camila", "João", "Beatriz", "Giulia", "Marco"),
    *("Hans", "Katrin", "Élodie", "Mathieu", "Agnieszka", "Piotr", "Olga", "Dmitri", "Ingrid"),
    *("Chinedu", "Ngozi", "Oluwaseun", "Kwame", "Abena", "Wanjiru", "Tendai", "Amara", "Tariq"),
    *("Fatima", "Omar", "Layla", "Youssef", "Mehmet", "Elif", "Parisa", "Reza", "Priya"),
    *("Arjun", "Ananya", "Rahul", "Lakshmi", "Harpreet", "Sanjay", "Ayesha", "Imran", "Wei"),
    *("Mei", "Xiaoling", "Jun", "Min-jun", "Seo-yeon", "Haruto", "Yuki", "Thi", "Minh"),
    *("Maricel", "Jose Rizal", "Putri", "Budi", "Aroha", "Kai", "Dylan", "Grace", "Noah"),
)
LAST_NAMES = (
    *("Smith", "Johnson", "Williams", "Brown", "O'Neill", "MacLeod", "Murphy", "Taylor"),
    *("García", "Rodríguez", "Fernandes", "Silva", "Rossi", "Bianchi", "Müller", "Schneider"),
    *("Dubois", "Lefèvre", "Kowalski", "Nowak", "Ivanova", "Petrov", "Johansson", "Andersen"),
    *("Okafor", "Adeyemi", "Mensah", "Owusu", "Kamau", "Moyo", "Diallo", "Haddad", "Al-Farsi"),
    *("Yilmaz", "Demir", "Hosseini", "Sharma", "Patel", "Iyer", "Singh", "Chatterjee", "Khan"),
    *("Zhang", "Wang", "Li", "Chen", "Kim", "Park", "Tanaka", "Sato", "Nguyen", "Tran"),
    *("Santos", "Reyes", "Wijaya", "Ngata", "Cohen", "Levi", "Novak", "Horvat", "Papadopoulos"),
)
TITLES = ("Mr", "Mrs", "Ms", "Dr", "Mr.", "Ms.")
EMAIL_DOMAINS = (
    *("gmail.com", "yahoo.co.uk", "outlook.com", "hotmail.fr", "proton.me", "icloud.com"),
    *("web.de", "libero.it", "mail.ru", "company.co.za", "uni-example.edu", "shop-mail.com.au"),
)
STREETS_US = ("Maple", "Oak", "Pennsylvania", "Sunset", "Elm", "Washington", "Lincoln", "Cedar")
STREETS_US2 = ("Martin Luther King", "Old Mill", "5th", "42nd", "Lake Shore", "Pine Ridge")
STREET_TYPES_US = ("Street", "St", "Avenue", "Ave", "Road", "Rd", "Boulevard", "Blvd", "Drive")
STREET_TYPES_US2 = ("Dr", "Lane", "Ln", "Court", "Ct", "Way", "Place", "Terrace", "Parkway")
CITIES_US = (("Springfield", "IL"), ("Austin", "TX"), ("Portland", "OR"), ("Denver", "CO"))
CITIES_US2 = (("Brooklyn", "NY"), ("Seattle", "WA"), ("Miami", "FL"), ("Columbus", "OH"))
STREETS_UK = ("Baker", "Station", "High", "Church", "Victoria", "Mill", "Queen's", "Kings")
STREET_TYPES_UK = ("Street", "Road", "Lane", "Avenue", "Close", "Crescent", "Gardens", "Way")
CITIES_UK = ("London", "Manchester", "Leeds", "Bristol", "Glasgow", "Cardiff", "Belfast")
IBAN_FORMATS = {
    # country: BBAN layout, 'n' digit, 'a' upper letter, 'c' alphanumeric
    "GB": "aaaannnnnnnnnnnnnn",
    "DE": "nnnnnnnnnnnnnnnnnn",
    "FR": "nnnnnnnnnncccccccccccnn",
    "ES": "nnnnnnnnnnnnnnnnnnnn",
    "IT": "annnnnnnnnncccccccccccc",
    "NL": "aaaannnnnnnnnn",
    "BE": "nnnnnnnnnnnn",
    "IE": "aaaannnnnnnnnnnnnn",
    "PL": "nnnnnnnnnnnnnnnnnnnnnnnn",
    "PT": "nnnnnnnnnnnnnnnnnnnnn",
    "CH": "nnnnncccccccccccc",
    "SE": "nnnnnnnnnnnnnnnnnnnn",
    "AT": "nnnnnnnnnnnnnnnn",
    "DK": "nnnnnnnnnnnnnn",
    "NO": "nnnnnnnnnnn",
    "FI": "nnnnnnnnnnnnnn",
}


def _digits(rng: random.Random, n: int, first: str = string.digits) -> str:
    return rng.choice(first) + "".join(rng.choice(string.digits) for _ in range(n - 1))


def _fill(rng: random.Random, pattern: str) -> str:
    """'#' a digit, '@' a digit 2-9: '+44 20 7946 ####' -> '+44 20 7946 0958'."""
    return "".join(
        rng.choice(string.digits) if c == "#" else rng.choice("23456789") if c == "@" else c
        for c in pattern
    )


def _ascii(name: str) -> str:
    table = str.maketrans("áàâäãéèêëíìîïóòôöõúùûüçñßłø", "aaaaaeeeeiiiiooooouuuucnslo")
    return re.sub(r"[^a-z]", "", name.lower().translate(table))


def person(rng: random.Random) -> tuple[str, str]:
    """A (first, last) name."""
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def email(rng: random.Random) -> str:
    """An address built from a name, in a common local-part layout."""
    first, last = map(_ascii, person(rng))
    domain = rng.choice(EMAIL_DOMAINS)
    layouts = (
        f"{first}.{last}",
        f"{first[0]}{last}{rng.randint(1, 99)}",
        f"{first}_{last}",
        f"{first}.{last}+shop",
        f"{last}.{first}{rng.randint(1970, 2005)}",
        f"{first}{rng.randint(100, 999)}",
    )
    local = rng.choice(layouts)
    if rng.random() < 0.1:
        local = local.capitalize()
    return f"{local}@{domain}"


PHONE_FORMATS = (
    *("+44 20 7946 ####", "020 7946 ####", "+44 (0)20 7946 ####", "+44 7700 9#####"),
    *("07700 9#####", "07700900###", "(@##) @##-####", "@##-@##-####", "@##.@##.####"),
    *("+1 @## @## ####", "+1-800-@##-####", "1-800-@##-####", "+1 (@##) @##-####"),
    *("+49 30 ########", "+49 (0)30 #### ####", "030 ########", "+33 1 ## ## ## ##"),
    *("06 ## ## ## ##", "+91 9#### #####", "9#### #####", "+61 2 #### ####", "0412 ### ###"),
    *("+81 3-####-####", "03-####-####", "+55 11 9####-####", "+34 6## ### ###"),
    *("+353 87 ### ####", "+234 803 ### ####", "0803 ### ####", "+254 7## ### ###"),
    *("07########", "+27 82 ### ####", "+52 55 #### ####", "+86 138 #### ####"),
    *("0044 20 7946 ####", "+39 06 #### ####", "+31 6 ########", "+48 5## ### ###"),
)


def phone(rng: random.Random) -> str:
    """A phone number in one of many countries' written formats."""
    return _fill(rng, rng.choice(PHONE_FORMATS))


CARD_PREFIXES = (("4", 16), ("4", 13), ("4", 19), ("51", 16), ("55", 16), ("2221", 16))
CARD_PREFIXES2 = (("34", 15), ("37", 15), ("6011", 16), ("36", 14), ("35", 16), ("62", 16))


def card_number(rng: random.Random, valid: bool = True) -> str:
    """Digits of a card number; Luhn-valid unless ``valid`` is False."""
    prefix, length = rng.choice(CARD_PREFIXES + CARD_PREFIXES2)
    body = prefix + _digits(rng, length - len(prefix) - 1)
    for check in string.digits:
        if luhn_valid(body + check) == valid:
            return body + check
    raise AssertionError("unreachable")


def card_layout(rng: random.Random, digits: str) -> str:
    """Digits laid out as people write them: groups of 4 with spaces or dashes, or none."""
    style = rng.choice(("space", "space", "dash", "none"))
    if style == "none":
        return digits
    if len(digits) in (14, 15):  # Amex and Diners: 4-6-5, 4-6-4
        groups = [digits[:4], digits[4:10], digits[10:]]
    else:
        groups = [digits[i : i + 4] for i in range(0, len(digits), 4)]
    return (" " if style == "space" else "-").join(groups)


def _iban_check(country: str, bban: str) -> str:
    number = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{98 - int(number) % 97:02d}"


def iban(rng: random.Random, valid: bool = True) -> str:
    """An IBAN of a random country, mod-97 valid unless ``valid`` is False, maybe grouped."""
    country = rng.choice(sorted(IBAN_FORMATS))
    bban = "".join(
        rng.choice(string.digits)
        if c == "n"
        else rng.choice(string.ascii_uppercase)
        if c == "a"
        else rng.choice(string.ascii_uppercase + string.digits)
        for c in IBAN_FORMATS[country]
    )
    check = _iban_check(country, bban)
    if not valid:
        check = f"{(int(check) + rng.randint(1, 96)) % 97 + 2:02d}"[-2:]
        if check == _iban_check(country, bban):
            check = f"{(int(check) + 1) % 100:02d}"
    compact = country + check + bban
    if rng.random() < 0.6:
        return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
    return compact


def _token(rng: random.Random, n: int) -> str:
    letters = string.ascii_letters + string.digits
    while True:
        value = "".join(rng.choice(letters) for _ in range(n))
        if sum(c.isdigit() for c in value) >= 2 and sum(c.isalpha() for c in value) >= 2:
            return value


def secret_url(rng: random.Random) -> str:
    """A URL that carries a token, a key, credentials or an email address."""
    host = rng.choice(("shop.example.com", "www.example.co.uk", "app.example.io", "example.net"))
    address = email(rng)
    hexes = "".join(rng.choice("0123456789abcdef") for _ in range(32))
    uuid = "-".join(
        "".join(rng.choice("0123456789abcdef") for _ in range(n)) for n in (8, 4, 4, 4, 12)
    )
    jwt = f"eyJhbGciOiJIUzI1NiJ9.{_token(rng, 24)}.{_token(rng, 22)}"
    choices = (
        f"https://{host}/account/reset?token={_token(rng, 24)}",
        f"https://{host}/orders/track?email={quote(address)}",
        f"https://{host}/orders/track?email={address}&order={_digits(rng, 8)}",
        f"https://{host}/login/magic/{_token(rng, 32)}",
        f"https://{host}/unsubscribe?e={quote(address)}&sig={hexes}",
        f"https://files.{host.split('.', 1)[1]}/share/{uuid}",
        f"https://{_ascii(person(rng)[0])}:{_token(rng, 10)}@ftp.example.org/invoice.pdf",
        f"https://{host}/verify/{jwt}",
        f"https://api.{host.split('.', 1)[1]}/v1/orders?api_key={_token(rng, 28)}",
        f"{host}/password/reset/{_token(rng, 20)}",
        f"https://{host}/invoice/{uuid}.pdf?session={_token(rng, 16)}",
    )
    return rng.choice(choices)


def address(rng: random.Random) -> str:
    """A street address: US, UK, German or French layout (a few written in lower case)."""
    style = rng.choice(("us", "us", "us2", "uk", "uk", "uk2", "de", "fr"))
    number = rng.randint(1, 9999)
    if style in ("us", "us2"):
        street = rng.choice(STREETS_US + STREETS_US2)
        kind = rng.choice(STREET_TYPES_US + STREET_TYPES_US2)
        city, state = rng.choice(CITIES_US + CITIES_US2)
        zip_code = _digits(rng, 5, "123456789")
        if style == "us":
            return f"{number} {street} {kind}, {city}, {state} {zip_code}"
        unit = rng.choice(("Apt 4B", "Suite 200", "Unit 12", "#3"))
        return f"{number} {street} {kind} {unit}"
    if style in ("uk", "uk2"):
        street = f"{rng.choice(STREETS_UK)} {rng.choice(STREET_TYPES_UK)}"
        postcode = (
            rng.choice(("SW1A", "NW1", "M1", "LS6", "BS8", "G12", "CF10", "BT7", "EC2R"))
            + f" {rng.randint(0, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
            + rng.choice("ABDEFGHJLNPQRSTUWXYZ")
        )
        house = f"{rng.randint(1, 300)}{rng.choice(('', '', 'A', 'B'))}"
        if style == "uk":
            text = f"{house} {street}, {rng.choice(CITIES_UK)} {postcode}"
        else:
            text = f"Flat {rng.randint(1, 20)}, {house} {street}"
        return text.lower() if rng.random() < 0.1 else text
    if style == "de":
        street = rng.choice(("Hauptstraße", "Bahnhofstraße", "Lindenweg", "Marktplatz"))
        return f"{street} {rng.randint(1, 120)}, {_digits(rng, 5, '123456789')} Berlin"
    street = rng.choice(("rue de la Paix", "avenue Victor Hugo", "boulevard Saint-Germain"))
    return f"{rng.randint(1, 200)} {street}, 750{rng.randint(10, 20)} Paris"


# ---------------------------------------------------------------------------------------------
# Sentences around the values

TEMPLATES: dict[str, tuple[str, ...]] = {
    "email": (
        *("My email is {}.", "Email me at {} please.", "Contact: {}", "(sent from {})"),
        *("You have the wrong address, it's {} not the old one.", "{} is my account login."),
        *("Reply to {} instead of the app.", "I registered with {} and never got a code."),
    ),
    "phone": (
        *("Call me on {}.", "My number is {}.", "You can reach me at {} after 5pm."),
        *("Tel: {}", "I rang {} three times and nobody picked up.", "{} never answers."),
        *("Please text {} when the driver is close.", "Whatsapp {} if easier."),
        *("The courier called from {} and hung up.", "mobile {}"),
    ),
    "card": (
        *("My card {} was charged twice.", "They charged {} without asking.", "Card: {}"),
        *("Card number {} keeps getting declined.", "I paid with {} and got no receipt."),
        *("Refund it to the Visa ending... actually the full number is {}.",),
    ),
    "iban": (
        *("Please refund to IBAN {}.", "My IBAN is {}.", "IBAN: {}"),
        *("Send the money back to {} today.", "The transfer to {} bounced."),
    ),
    "url": (
        *("The link {} just errors.", "I clicked {} and got a 404.", "({})"),
        *("Your email sent me to {} which is blank.", "Tried {} twice, still broken."),
    ),
    "address": (
        *("Deliver to {} please.", "The parcel went to {} instead of my house."),
        *("I live at {}.", "My address is {}.", "Ship it to {} next time."),
        *("The driver left it outside {} in the rain.",),
    ),
    "name": (
        *("I spoke to {} on the phone.", "{} in your support team was no help."),
        *("Thanks to {} for sorting it out.", "Ask {} about my case.", "Regards, {}"),
        *("My wife {} placed the order.", "{} promised a callback that never came."),
        *("Your agent {} hung up on me.", "The order is under the name {}.", "Signed, {}"),
        *("The driver, {}, left it at the door.", "Please tell {} thanks from us."),
        *("{} here, still waiting for my refund.", "My son {} can't log in either."),
    ),
}
TITLE_TEMPLATES = ("I asked for {} but got no answer.", "Your manager {} never replied.")

DECOYS: tuple[Callable[[random.Random], str], ...] = (
    lambda r: f"Order #{_digits(r, 9)} still hasn't arrived.",
    lambda r: f"Order {_digits(r, 3)}-{_digits(r, 7)}-{_digits(r, 7)} is missing an item.",
    lambda r: f"Order number {_digits(r, 10, '123456789')} shows as delivered.",
    lambda r: f"Tracking 1Z{_token(r, 6).upper()}{_digits(r, 10)} hasn't moved in days.",
    lambda r: f"Tracking number {' '.join(_digits(r, 4) for _ in range(5))} {_digits(r, 2)}.",
    lambda r: f"Royal Mail ref {''.join(r.choice('ABCDEFGH') for _ in range(2))}{_digits(r, 9)}GB.",
    lambda r: (
        f"Ordered on {r.randint(1, 28):02d}/{r.randint(1, 12):02d}/2024 at "
        f"{r.randint(8, 20)}:{r.choice(('00', '15', '30', '45'))}."
    ),
    lambda r: (
        f"It was due 2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d} between 9:00 and 17:30."
    ),
    lambda r: f"Paid £{r.randint(1, 9)},{_digits(r, 3)}.{_digits(r, 2)} for it.",
    lambda r: f"The refund of ${r.randint(10, 999)}.{_digits(r, 2)} never came.",
    lambda r: f"Card {card_layout(r, card_number(r, valid=False))} was declined.",
    lambda r: f"IBAN {iban(r, valid=False)} was rejected as invalid.",
    lambda r: "The help page https://www.example.com/help/returns is useless.",
    lambda r: f"See https://t.co/{_token(r, 10)} for the photo.",
    lambda r: "The iPhone 15 Pro I ordered came with a Galaxy S23 case.",
    lambda r: f"Model SM-G991B, serial {_digits(r, 11)}.",
    lambda r: "Checkout froze again. Delivery was late. Returns portal is broken.",
    lambda r: "Apple Pay worked but Klarna declined me at Checkout.",
    lambda r: "Customer Support said Refunds take 5 days.",
    lambda r: "Version 14.2.1 of the app logs me out every 10 minutes.",
    lambda r: f"Case {_digits(r, 8)} was closed without a reply.",
    lambda r: "I bought 3 items, 2 x 500ml and 1,000,000 points later nothing.",
    lambda r: "5 Star service my foot, the 2 Day Delivery took a week.",
    lambda r: f"Flight BA {_digits(r, 4)} on the 2019-2023 fleet.",
    lambda r: f"Invoice INV-2024-{_digits(r, 5)} is wrong.",
    lambda r: "Amazon, Tesco and DPD all blame each other.",
    lambda r: "The Premium plan and the Pro plan cost the same.",
    lambda r: f"My loyalty number {_digits(r, 12)} shows no points.",
    lambda r: f"Booking ref {''.join(r.choice(string.ascii_uppercase) for _ in range(6))}.",
    lambda r: f"Ticket {_digits(r, 7)} at 10.30am, still nothing.",
)


def _plant(rng: random.Random, kind: str) -> tuple[str, int, int, str]:
    """A sentence with one value of ``kind``: (sentence, start, end, value) of the value."""
    if kind == "name":
        first, last = person(rng)
        roll = rng.random()
        if roll < 0.15:
            value = last
            shown = f"{rng.choice(TITLES)} {last}"
            sentence = rng.choice(TITLE_TEMPLATES).format(shown)
            start = sentence.index(shown) + len(shown) - len(last)
            return sentence, start, start + len(value), value
        value = f"{first} {last}" if roll < 0.75 else first
        template = rng.choice(TEMPLATES["name"])
    elif kind == "email":
        value = email(rng)
        if rng.random() < 0.05:
            local, domain = value.split("@")
            value = f"{local} at {domain.replace('.', ' dot ')}"
        template = rng.choice(TEMPLATES["email"])
    elif kind == "phone":
        value, template = phone(rng), rng.choice(TEMPLATES["phone"])
    elif kind == "card":
        value = card_layout(rng, card_number(rng))
        template = rng.choice(TEMPLATES["card"])
    elif kind == "iban":
        value, template = iban(rng), rng.choice(TEMPLATES["iban"])
    elif kind == "url":
        value, template = secret_url(rng), rng.choice(TEMPLATES["url"])
    else:
        value, template = address(rng), rng.choice(TEMPLATES["address"])
    before, after = template.split("{}")
    sentence = before + value + after
    return sentence, len(before), len(before) + len(value), value


def _boundaries(text: str) -> list[int]:
    """Offsets in ``text`` where a sentence can be inserted: start, sentence ends, end."""
    return [0, *[m.end() for m in _SENTENCE_END.finditer(text)], len(text)]


@dataclass
class _Builder:
    """A text being assembled from base text and inserted sentences, with spans kept."""

    parts: list[str] = field(default_factory=list)
    planted: list[Planted] = field(default_factory=list)
    known: list[Planted] = field(default_factory=list)
    ignore: list[tuple[int, int]] = field(default_factory=list)
    length: int = 0

    def add_base(self, text: str, key: str) -> None:
        offset = self._add(text)
        for kind, value in ORIGINAL_PII.get(key, ()):
            for match in re.finditer(re.escape(value), text):
                start = offset + match.start()
                self.known.append(Planted(kind, start, start + len(value), value))
        for value in AMBIGUOUS.get(key, ()):
            for match in re.finditer(re.escape(value), text):
                self.ignore.append((offset + match.start(), offset + match.end()))

    def add_sentence(self, sentence: str, value: tuple[str, int, int, str] | None = None) -> None:
        offset = self._add(sentence)
        if value is not None:
            kind, start, end, text = value
            self.planted.append(Planted(kind, offset + start, offset + end, text))

    def _add(self, piece: str) -> int:
        """Append ``piece`` (after a space when needed); its offset in the text."""
        if self.parts and not self.parts[-1].endswith(" ") and not piece.startswith(" "):
            self.parts.append(" ")
            self.length += 1
        offset = self.length
        self.parts.append(piece)
        self.length += len(piece)
        return offset

    def text(self) -> str:
        return "".join(self.parts)


Insert = tuple[str, "tuple[str, int, int, str] | None"]


def _compose(key: str, base: str, inserts: Sequence[Insert], rng: random.Random) -> _Builder:
    """Base text with each sentence inserted at the start, the end or a sentence boundary."""
    cuts = sorted(rng.choice(_boundaries(base)) for _ in inserts)
    builder, cursor = _Builder(), 0
    for cut, (sentence, value) in zip(cuts, inserts, strict=True):
        if cut > cursor:
            builder.add_base(base[cursor:cut].strip(), key)
        builder.add_sentence(sentence, value)
        cursor = cut
    if cursor < len(base):
        builder.add_base(base[cursor:].strip(), key)
    return builder


def build(
    seed: int = 0, planted_texts: int = PLANTED_TEXTS, decoy_texts: int = DECOY_TEXTS
) -> list[Example]:
    """The test set: ``planted_texts`` texts with 1-2 PII sentences each (kinds in rotation, a
    third with a decoy too) and ``decoy_texts`` texts with 1-2 decoy sentences and no planted
    PII, over the fixed base pool; the same ``seed`` gives the same set."""
    rng = random.Random(seed)
    pool = base_texts()
    examples = []
    kinds = [KINDS[i % len(KINDS)] for i in range(planted_texts * 2)]
    rng.shuffle(kinds)
    for index in range(planted_texts):
        key, base = rng.choice(pool)
        count = 1 if rng.random() < 0.6 else 2
        inserts: list[Insert] = []
        for _ in range(count):
            kind = kinds.pop()
            sentence, start, end, value = _plant(rng, kind)
            inserts.append((sentence, (kind, start, end, value)))
        decoys = []
        if rng.random() < 0.33:
            decoys.append(rng.choice(DECOYS)(rng))
            inserts.append((decoys[-1], None))
        rng.shuffle(inserts)
        built = _compose(key, base, inserts, rng)
        examples.append(
            Example(
                f"p{index:04d}:{key}",
                built.text(),
                tuple(built.planted),
                tuple(built.known),
                tuple(built.ignore),
                tuple(decoys),
            )
        )
    for index in range(decoy_texts):
        key, base = rng.choice(pool)
        decoys = [rng.choice(DECOYS)(rng) for _ in range(rng.choice((1, 2)))]
        built = _compose(key, base, [(d, None) for d in decoys], rng)
        examples.append(
            Example(
                f"d{index:04d}:{key}",
                built.text(),
                tuple(built.planted),
                tuple(built.known),
                tuple(built.ignore),
                tuple(decoys),
            )
        )
    for example in examples:
        for planted in (*example.planted, *example.known):
            assert example.text[planted.start : planted.end] == planted.value, example.id
    return examples


def main(argv: Sequence[str] | None = None) -> None:
    """Write the test set as JSON Lines (to --out, or standard output)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="JSON Lines file [default: stdout]")
    args = parser.parse_args(argv)
    lines = [json.dumps(asdict(example), ensure_ascii=False) for example in build(args.seed)]
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
    else:
        sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
