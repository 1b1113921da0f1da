"""The model view: what the models read, never what the output keeps."""

from __future__ import annotations

import pytest

from steplens.pipeline.model_view import model_view, step_view, without_addressing


@pytest.mark.parametrize(
    ("text", "view"),
    [
        ("@united thank you", "@user thank you"),
        ("@VirginAmerica thanks so much!", "@user thanks so much!"),
        ("thanks @Delta_help and @jet_blue", "thanks @user and @user"),
        ("see http://t.co/abc123 now", "see http now"),
        ("see https://example.com/a?b=c, then", "see http, then"),
        ("www.example.com/help and bit.ly/3xYz", "http and http"),
        ("mail me at jane.doe@example.com", "mail me at email"),
        ("call me on 07700 900123 please", "call me on phone number please"),
        ("call (555) 123-4567", "call phone number"),
        ("Order #A1234567 never arrived", "Order number never arrived"),
        ("ticket 88213344 is still open", "ticket number is still open"),
        ("fish &amp; chips &lt;3", "fish & chips <3"),
        ("#CustomerService was #fail", "Customer Service was fail"),
        ("soooooo slowwww", "soo sloww"),
        ("love it 😍", "love it smiling face with heart-shaped eyes"),
        ("👍🏽 great", "thumbs up sign great"),
        ("my [EMAIL] and [PHONE]", "my email and phone number"),
        ("thanks to [NAME]!", "thanks to Alex !"),
        ("  spaced\n\tout  ", "spaced out"),
    ],
)
def test_model_view_normalises(text: str, view: str) -> None:
    assert model_view(text) == view


@pytest.mark.parametrize(
    "text",
    [
        "I waited 40 minutes and made 2 calls",
        "It cost $25.99 on 12/05/2024 at 10:30",
        "iPhone 15 Pro, COVID-19, B2B, 4G",
        "the delivery was fast and the driver was lovely",
        "it took 1234 steps",  # four digits: a number that may matter, not a reference
        "£12000 for a car",
        "",
    ],
)
def test_what_carries_meaning_is_left_alone(text: str) -> None:
    assert model_view(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "@united thank you http://t.co/x &amp; #GreatService 😍 order #12345678",
        "soooo [EMAIL] call 07700 900123",
        "plain text",
    ],
)
def test_model_view_is_idempotent(text: str) -> None:
    once = model_view(text)
    assert model_view(once) == once


def test_handle_and_url_variants_read_the_same() -> None:
    views = {
        model_view(t)
        for t in (
            "@united thank you https://t.co/aaa",
            "@Delta thank you http://bit.ly/bbb",
            "@user thank you http",
        )
    }
    assert views == {"@user thank you http"}


@pytest.mark.parametrize(
    ("text", "view"),
    [
        ("@united my bag is lost @delta", "my bag is lost"),
        (".@AmericanAir @united: Thank you!", "Thank you!"),
        ("lost my bag @united.", "lost my bag."),
        ("great flight @united https://t.co/x http://t.co/y", "great flight"),
        # handles inside the sentence are part of it, and so is a link there
        ("thanks to @bob for the help", "thanks to @user for the help"),
        ("see http://x.com for info", "see http for info"),
        # nothing but handles and links: the model view is kept, never an empty text
        ("@united @delta", "@user @user"),
        ("@united https://t.co/x", "@user http"),
    ],
)
def test_step_view_drops_whom_a_text_is_addressed_to(text: str, view: str) -> None:
    assert step_view(text) == view
    assert step_view(view) == view  # idempotent
    assert without_addressing(model_view(text)) == view


def test_a_reply_reads_the_same_to_the_steps_whoever_it_is_addressed_to() -> None:
    """Invariance: the step of a text does not depend on the handles around it."""
    replies = ("@united Thank you!", "@AmericanAir @united Thank you!", "Thank you! @Delta")
    assert {step_view(text) for text in replies} == {"Thank you!"}
