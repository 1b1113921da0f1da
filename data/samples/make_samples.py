#!/usr/bin/env python3
"""Build the steplens demo sample data for the `ecommerce` journey.

Everything written here is SYNTHETIC.  The customer comments below were written
by hand for the steplens demo; they are not real customers and not real
feedback.  Dates, channels, ids and NPS scores are assigned with a seeded random
generator, and the weekly metrics are simulated, so running this script always
reproduces exactly the same files.

Writes, next to this script:
  ecommerce_feedback.csv          id, created_at, channel, nps, text
  ecommerce_feedback_labels.csv   id, step  (the author's intended step labels)
  ecommerce_metrics.csv           step, period, entered, completed, median_time_s, support_contacts
  README.md                       description, counts and the planted pattern

Usage:  python data/samples/make_samples.py
Standard library only.  Licence of the generated data: CC0-1.0.
"""

import csv
import datetime
import os
import random
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))

FEEDBACK_SEED = 20260629
METRICS_SEED = 20260823

STEPS = [
    "discovery",
    "product_info",
    "account",
    "basket",
    "checkout",
    "payment",
    "order_tracking",
    "delivery",
    "product_experience",
    "returns",
    "refunds",
    "customer_support",
]

YEAR = 2026
WEEKS = list(range(27, 35))  # ISO weeks 2026-W27 .. 2026-W34
EARLY_WEEKS = [27, 28, 29, 30]  # checkout still fine
# Checkout address-lookup problem starts in W31 and gets worse: the late
# checkout comments are spread over W31-W34 with this repeating pattern
# (2 : 3 : 3 : 4), so the volume ramps up week by week.
LATE_CYCLE = [31, 32, 33, 34, 32, 33, 34, 31, 33, 34, 32, 34]

CHANNELS = {"web": "web", "app": "app", "email": "email_survey", "chat": "chat"}

# NPS drawn per comment from the pool that matches the tone it was written in.
NPS_POOLS = {
    "pos": [8, 9, 9, 10, 10],
    "neu": [6, 7, 7, 8],
    "mix": [4, 5, 6, 6, 7],
    "neg": [1, 2, 3, 3, 4, 5],
    "vneg": [0, 0, 1, 1, 2],
}
# Comments about the broken checkout (weeks W31-W34) score lower still.
NPS_POOLS_LATE = {
    "pos": [7, 8, 9],
    "neu": [5, 6, 7],
    "mix": [3, 4, 4, 5],
    "neg": [0, 1, 1, 2, 2, 3],
    "vneg": [0, 0, 0, 1],
}

# ---------------------------------------------------------------------------
# The comments.  Each entry: (channel, tone, steps, when, text)
#   channel: web / app / email (-> email_survey) / chat
#   tone:    pos / neu / mix / neg / vneg   (drives the NPS score)
#   steps:   space-separated step ids the author meant; "" = no step (unassigned)
#   when:    any   -> any week W27-W34
#            early -> W27-W30 (checkout before the address-lookup problem)
#            late  -> W31-W34 (checkout after the address-lookup problem appears)
# Every text was written by hand.
# ---------------------------------------------------------------------------
COMMENTS = [
    # --- discovery (search & browsing) ------------------------------------
    ("app", "pos", "discovery", "any", "search is fast, found what i needed straight away"),
    (
        "web",
        "neg",
        "discovery",
        "any",
        "Your search is useless. Typed 'black running shoes size 10' and got phone cases and a lawnmower??",
    ),
    (
        "app",
        "neg",
        "discovery",
        "any",
        "every time i open a product and go back im dumped at the top of the results again and have to scroll from the start",
    ),
    (
        "email",
        "neu",
        "discovery",
        "any",
        "Browsing the categories was fine, although the sale section was quite hard to find from the homepage.",
    ),
    ("web", "pos", "discovery", "any", "love the new 'shop the look' bit on the homepage 😍"),
    ("app", "neg", "discovery", "any", "search bar crashes the app on android 14"),
    (
        "web",
        "neg",
        "discovery",
        "any",
        "had to scroll thru 9 pages of results because the price filter doesnt work",
    ),
    (
        "email",
        "pos",
        "discovery",
        "any",
        "I found the item quickly using the size and colour filters. Very easy to use.",
    ),
    (
        "chat",
        "neu",
        "discovery",
        "any",
        "hi is there a way to search by brand only? cant see the option anywhere",
    ),
    ("app", "mix", "discovery", "any", "good range but search results are all over the place"),
    ("web", "neg", "discovery", "any", "why does sorting by price low-high show £80 items first"),
    (
        "email",
        "neg",
        "discovery",
        "any",
        "It took me about 20 minutes to find a basic white t-shirt in my size. The results are full of items that are sold out in every size.",
    ),
    ("app", "pos", "discovery", "any", "easy to browse 👍"),
    ("web", "neu", "discovery", "any", "too many sponsored products at the top of search tbh"),
    ("app", "vneg", "discovery", "any", "SEARCH DOESNT WORK"),
    (
        "email",
        "pos",
        "discovery",
        "any",
        "The recommendations on the home page were actually relevant for once, I bought two things I wouldn't have found otherwise.",
    ),
    ("web", "neg", "discovery", "any", 'searched "kettle", got kettlebells. come on'),
    ("app", "pos", "discovery", "any", "the barcode scanner search is genius"),
    (
        "chat",
        "neg",
        "discovery",
        "any",
        "i keep getting 'no results' for stuff i literally saw on your instagram yesterday",
    ),
    (
        "web",
        "mix",
        "discovery",
        "any",
        "nice site, hard to navigate on mobile though. menus inside menus inside menus",
    ),
    (
        "app",
        "neu",
        "discovery",
        "any",
        "would be nice to filter by brand AND price at the same time",
    ),
    (
        "email",
        "mix",
        "discovery",
        "any",
        "Searching works well if you know the exact product name, but browsing by category is confusing because the same items appear under several headings.",
    ),
    ("web", "pos", "discovery", "any", "new category pages are much cleaner, well done"),
    (
        "web",
        "neg",
        "discovery",
        "any",
        "the link in your newsletter goes to an empty search page https://www.example.com/search?q=summer-sale-2026",
    ),
    # --- product_info (product pages) -------------------------------------
    (
        "web",
        "neg",
        "product_info",
        "any",
        "product page showed 12 colours, only 2 are actually selectable. why list them",
    ),
    (
        "email",
        "pos",
        "product_info",
        "any",
        "The product descriptions were detailed and the size guide was accurate.",
    ),
    ("app", "neg", "product_info", "any", "photos are so low res i couldnt see the pattern at all"),
    (
        "web",
        "neg",
        "product_info",
        "any",
        "no height listed for the wardrobe, had to google the manufacturer's site to find out if it'd fit under my sloped ceiling",
    ),
    (
        "app",
        "pos",
        "product_info",
        "any",
        "love that you show real customer photos on the product pages",
    ),
    (
        "email",
        "neu",
        "product_info",
        "any",
        "It would be helpful if the product pages listed the fabric composition more clearly, e.g. the percentage of cotton.",
    ),
    (
        "web",
        "neg",
        "product_info",
        "any",
        "reviews section wont load on any product page, just spins",
    ),
    (
        "chat",
        "neu",
        "product_info",
        "any",
        "hello, the page for the blue rain jacket doesnt say if its waterproof or just water resistant? thanks",
    ),
    ("app", "mix", "product_info", "any", "decent info but size chart is cm only, pls add inches"),
    (
        "web",
        "pos",
        "product_info",
        "any",
        "The comparison table on the laptop pages is genuinely useful.",
    ),
    (
        "email",
        "neg",
        "product_info",
        "any",
        "The price on the product page was different from the price shown in the app for the same item. Confusing, and it makes me trust your prices less.",
    ),
    ("app", "neg", "product_info", "any", "video on the product page autoplays with sound. why"),
    ("web", "pos", "product_info", "any", "Clear photos, honest reviews. Appreciated."),
    (
        "web",
        "neu",
        "product_info",
        "any",
        "delivery info is buried right at the bottom of the product page",
    ),
    (
        "app",
        "neg",
        "product_info",
        "any",
        "half the product descriptions are copy pasted from a different product lol",
    ),
    (
        "email",
        "pos",
        "product_info",
        "any",
        "I liked that the product page showed the care instructions and the country of manufacture.",
    ),
    (
        "web",
        "neg",
        "product_info",
        "any",
        "Q&A section on product pages has questions from 2022 with no answers",
    ),
    # --- account (sign-up / log-in) ---------------------------------------
    (
        "app",
        "neg",
        "account",
        "any",
        "reset my password 3 times and it still says 'incorrect credentials'",
    ),
    ("web", "pos", "account", "any", "made an account in like a minute, no fuss"),
    ("app", "pos", "account", "any", "face id login 👌"),
    (
        "web",
        "neg",
        "account",
        "any",
        "never recieved the verification email so couldn't finish registering",
    ),
    (
        "chat",
        "neg",
        "account",
        "any",
        "hi my account got locked after entering the wrong password twice?? i need to get in to see my orders",
    ),
    (
        "app",
        "neg",
        "account",
        "any",
        "app forgets me every few hours, typing my email on a phone keyboard gets old",
    ),
    (
        "email",
        "neu",
        "account",
        "any",
        "Creating an account was straightforward but the password rules were unnecessarily strict (14 characters, symbols, etc.).",
    ),
    (
        "web",
        "neg",
        "account",
        "any",
        "changed my email in my account settings and now I can't log in with either the old or the new one",
    ),
    ("app", "pos", "account", "any", "google sign in made it super easy"),
    (
        "web",
        "neg",
        "account",
        "any",
        "2FA text arrives after the code has already expired. every time",
    ),
    (
        "email",
        "pos",
        "account",
        "any",
        "Logging in works seamlessly across the app and the website, which I appreciate.",
    ),
    ("app", "neg", "account", "any", "Sign up page just says 'something went wrong' 😤"),
    ("chat", "neu", "account", "any", "how do i delete my account pls"),
    (
        "web",
        "mix",
        "account",
        "any",
        "account page is ok but I can't work out how to stop the marketing emails",
    ),
    ("app", "neg", "account", "any", "WHY do I have to log in again every single time"),
    (
        "email",
        "neg",
        "account",
        "any",
        "The password reset link expired before the email even reached me. I had to request it four times.",
    ),
    (
        "app",
        "vneg",
        "account",
        "any",
        "UPDATE: still can't log in. 3rd day. tried resetting, tried reinstalling, tried another phone. nothing. 1 star until fixed",
    ),
    # --- basket -----------------------------------------------------------
    ("app", "neg", "basket", "any", "stuff i put in my basket last night was gone this morning"),
    ("web", "pos", "basket", "any", "basket synced between my phone and laptop which was handy"),
    (
        "app",
        "neg",
        "basket",
        "any",
        "the + and - buttons in the basket are so tiny i keep deleting things by accident",
    ),
    ("web", "neg", "basket", "any", "added 3 things to basket, only 2 showed up"),
    ("app", "pos", "basket", "any", "save for later in the basket is great"),
    (
        "web",
        "neg",
        "basket",
        "any",
        "basket wouldn't update after I removed an item, had to clear cookies to fix it",
    ),
    ("app", "neu", "basket", "any", "basket icon count is wrong lol"),
    (
        "email",
        "pos",
        "basket",
        "any",
        "Adding items to the basket and reviewing them was simple and quick.",
    ),
    (
        "app",
        "mix",
        "basket",
        "any",
        "basket fine, but the 'you might also like' popups every time you add something are too much",
    ),
    (
        "web",
        "neg",
        "basket",
        "any",
        "item kept going out of stock while sitting in my basket, 3 times",
    ),
    (
        "email",
        "neu",
        "basket",
        "any",
        "It would be useful if the basket showed which items are reserved for me and for how long.",
    ),
    ("web", "pos", "basket", "any", "like that the basket shows how much I'm saving"),
    (
        "chat",
        "neu",
        "basket",
        "any",
        "hey quick q, how long do items stay in my basket before they're removed?",
    ),
    ("app", "neg", "basket", "any", "basket page takes forever to load with more than 5 items"),
    # --- checkout, weeks W27-W30 (before the problem) -----------------------
    (
        "web",
        "pos",
        "checkout",
        "early",
        "Checkout was painless, took maybe 2 minutes with the kids shouting at me",
    ),
    ("app", "pos", "checkout", "early", "smooth checkout, saved address filled in automatically"),
    (
        "email",
        "pos",
        "checkout",
        "early",
        "The checkout process was very straightforward and the delivery options were clearly explained.",
    ),
    (
        "web",
        "neg",
        "checkout",
        "early",
        "promo code SUMMER15 gets rejected at checkout, 'code not applicable to items in your order'. it's a sitewide code??",
    ),
    ("app", "pos", "checkout", "early", "checkout 10/10 🙌"),
    (
        "email",
        "neu",
        "checkout",
        "early",
        "Checkout was fine. I would like a nominated-day delivery option though.",
    ),
    ("web", "pos", "checkout", "early", "love the one page checkout, no faff"),
    (
        "chat",
        "neu",
        "checkout",
        "early",
        "hi, can i change the delivery option after checkout? i picked standard by mistake",
    ),
    ("app", "neu", "checkout", "early", "checkout ok"),
    ("web", "pos", "checkout", "early", "Really easy to choose click & collect at checkout."),
    (
        "email",
        "mix",
        "checkout",
        "early",
        "The checkout itself was easy, but the promo code box was hard to find - it's hidden behind a tiny link.",
    ),
    (
        "web",
        "pos",
        "checkout",
        "early",
        "address autocomplete is handy, typed my postcode and it found my flat straight away",
    ),
    ("app", "pos", "checkout", "early", "placed my order in like 30 seconds. impressive"),
    (
        "email",
        "pos",
        "checkout",
        "early",
        "Quick, simple checkout with no unnecessary steps. Well done.",
    ),
    (
        "web",
        "neu",
        "checkout",
        "early",
        "checkout fine. the gift message box only allows 100 characters though",
    ),
    ("app", "pos", "checkout", "early", "express checkout ftw"),
    # --- checkout, weeks W31-W34 (address lookup / page freezes) -------------
    (
        "web",
        "vneg",
        "checkout",
        "late",
        "Checkout page freezes after entering my address. Tried 4 times. Gave up.",
    ),
    ("app", "vneg", "checkout", "late", "CHECKOUT IS BROKEN. address page just hangs"),
    (
        "email",
        "neg",
        "checkout",
        "late",
        "When I entered my postcode the address lookup spun forever and the Continue button stayed greyed out. I had to switch to a different browser before it worked, which took around 40 minutes in total.",
    ),
    (
        "chat",
        "neg",
        "checkout",
        "late",
        "hi im stuck on checkout, i type my address and the page just freezes? ive refreshed like 5 times",
    ),
    (
        "web",
        "neg",
        "checkout",
        "late",
        "address lookup can't find my street, which has existed since 1890",
    ),
    ("app", "neg", "checkout", "late", "app freezes at the address step every single time 😡"),
    (
        "web",
        "neg",
        "checkout",
        "late",
        'Entered the address manually because the lookup wouldn\'t work, then it said "address invalid". Spent half an hour on it.',
    ),
    (
        "email",
        "neg",
        "checkout",
        "late",
        "The checkout has become very slow recently. The address section in particular takes a long time to respond, and I had to re-enter my details twice.",
    ),
    ("app", "vneg", "checkout", "late", "cant get past address. uninstalling"),
    (
        "web",
        "neg",
        "checkout",
        "late",
        "Fix your checkout!! page freezes after the postcode lookup #fail",
    ),
    (
        "chat",
        "neg",
        "checkout",
        "late",
        "Customer: the address thing isnt loading\nAgent: Could you try clearing your cache and cookies?\nCustomer: did that twice already, still frozen",
    ),
    (
        "web",
        "neg",
        "checkout",
        "late",
        "used to be quick, now checkout takes forever. the address box freezes the whole page",
    ),
    (
        "email",
        "vneg",
        "checkout",
        "late",
        "I tried to place my order three times on Tuesday evening. Each time the checkout froze after I entered my address. In the end I ordered from a competitor.",
    ),
    (
        "web",
        "neg",
        "checkout",
        "late",
        "'We couldn't find any addresses for this postcode' - it's a real postcode, i definately live here",
    ),
    (
        "app",
        "neg",
        "checkout",
        "late",
        "stuck on the loading wheel after address. wasted my whole lunch break",
    ),
    (
        "web",
        "vneg",
        "checkout",
        "late",
        "Worst checkout ever. Lookup broke, manual entry broke, gave up after an hour.",
    ),
    (
        "chat",
        "neg",
        "checkout",
        "late",
        "hello?? ur checkout keeps crashing when i put my address in, can u place the order for me",
    ),
    (
        "email",
        "neg",
        "checkout",
        "late",
        "The new address lookup is a step backwards. It kept selecting the wrong flat number and wouldn't let me edit it.",
    ),
    (
        "app",
        "neg",
        "checkout",
        "late",
        "address field won't let me type, whole screen freezes. iPhone 13, latest update",
    ),
    (
        "web",
        "neg",
        "checkout",
        "late",
        "took me 25 min to check out bc the address page kept timing out",
    ),
    (
        "web",
        "neu",
        "checkout",
        "late",
        "checkout froze once at the address step but worked on the second try",
    ),
    ("app", "neg", "checkout", "late", "had to restart the app 3x to get past the address screen"),
    (
        "web",
        "neg",
        "checkout",
        "late",
        "The address autocomplete is broken - typing anything freezes the tab in Chrome. Had to use Firefox.",
    ),
    (
        "chat",
        "neg",
        "checkout",
        "late",
        "it wont let me continue past address, the button is just greyed out?? tried my work address too, same",
    ),
    ("app", "vneg", "checkout", "late", "checkout freezes. every. time."),
    (
        "web",
        "neg",
        "checkout",
        "late",
        "@brightcart_help is the checkout down? address lookup just sits there loading",
    ),
    (
        "email",
        "neg",
        "checkout",
        "late",
        "The address lookup did not recognise my new-build address, and manual entry froze the page. A very frustrating experience overall.",
    ),
    ("app", "neg", "checkout", "late", "freezes after address. fix it pls"),
    (
        "web",
        "vneg",
        "checkout",
        "late",
        "3 attempts, 2 browsers, 1 hour. checkout address page still frozen. unbelievable",
    ),
    (
        "chat",
        "neg",
        "checkout",
        "late",
        "hiya, is there a known issue with the checkout? the page locks up as soon as i pick my address from the list",
    ),
    (
        "email",
        "mix",
        "checkout",
        "late",
        "Once I got through it the rest was fine, but the checkout froze twice on the address page first.",
    ),
    ("app", "neg", "checkout", "late", "address step broken since the last update"),
    (
        "email",
        "neg",
        "checkout",
        "late",
        "Checkout took me nearly 45 minutes because the address section froze repeatedly. I only persevered because the item was on sale.",
    ),
    ("app", "neg", "checkout", "late", "address lookup useless now, used to work fine"),
    (
        "chat",
        "neg",
        "checkout",
        "late",
        "checkout is stuck again. this is the 3rd day in a row i've tried to order",
    ),
    ("web", "neg", "checkout", "late", "page goes unresponsive the moment I enter my address 🙄🙄"),
    (
        "app",
        "neg",
        "checkout",
        "late",
        "could not place order, address screen frozen. by the time it worked my delivery slot was gone",
    ),
    ("web", "neu", "checkout", "late", "address lookup is slow but got there eventually"),
    (
        "chat",
        "neg",
        "checkout",
        "late",
        "Customer: I've been trying to check out for an hour\nAgent: I'm sorry to hear that, is it the address page?\nCustomer: yes!! same as everyone else apparently",
    ),
    ("web", "vneg", "checkout", "late", "FIX THE ADDRESS LOOKUP. cannot order anything"),
    ("app", "neg", "checkout", "late", "white screen after i tap 'use this address'"),
    (
        "web",
        "neg",
        "checkout",
        "late",
        "Error 504 on the delivery address step, four times in a row. Never had problems before this month.",
    ),
    (
        "email",
        "neg",
        "checkout",
        "late",
        "I have ordered from you for years without issue, but the checkout now freezes whenever I type my address. Please sort this out, it's costing you sales.",
    ),
    (
        "app",
        "neg",
        "checkout",
        "late",
        "the keyboard closes and the page freezes when i type my postcode on android. seperate bug from the search one i think",
    ),
    (
        "web",
        "neg",
        "checkout",
        "late",
        "Address page froze, hit back, whole checkout reset. Entered everything again. Froze again.",
    ),
    (
        "email",
        "vneg",
        "checkout",
        "late",
        "Impossible de valider ma commande : la page se bloque après avoir saisi mon adresse. J'ai essayé trois fois.",
    ),
    # --- payment ----------------------------------------------------------
    (
        "app",
        "neg",
        "payment",
        "any",
        "card declined 3 times, rang my bank, they said the payment never even reached them",
    ),
    ("web", "pos", "payment", "any", "paypal option made it super quick"),
    ("app", "pos", "payment", "any", "apple pay 👌"),
    (
        "web",
        "neg",
        "payment",
        "any",
        "payment page kept timing out so I typed my card number in 3 times",
    ),
    (
        "email",
        "neu",
        "payment",
        "any",
        "It would be good to have Klarna or another pay-later option.",
    ),
    (
        "web",
        "neg",
        "payment",
        "any",
        "the bank verification popup opens behind the page on my ipad and then times out",
    ),
    ("app", "vneg", "payment", "any", "says payment failed. my banking app says otherwise 😠"),
    ("web", "pos", "payment", "any", "Paying by card was quick, it remembered my details"),
    ("app", "neg", "payment", "any", "google pay doesn't work"),
    (
        "chat",
        "neu",
        "payment",
        "any",
        "can i pay with a credit card from another country? mine's Irish",
    ),
    (
        "web",
        "neg",
        "payment",
        "any",
        "payment page said 'declined' but my bank shows a pending charge of £64.99",
    ),
    ("email", "pos", "payment", "any", "Payment was secure and straightforward."),
    ("web", "mix", "payment", "any", "paypal works, cards don't, go figure"),
    ("app", "vneg", "payment", "any", "DOUBLE CHARGED!!!! sort it out"),
    (
        "email",
        "neg",
        "payment",
        "any",
        "My card was declined with a generic error. It worked immediately on another website, so the problem is on your side.",
    ),
    (
        "chat",
        "neg",
        "payment",
        "any",
        "hi, payment keeps failing with 'transaction could not be completed', tried 2 different cards",
    ),
    # --- order_tracking ---------------------------------------------------
    (
        "web",
        "neg",
        "order_tracking",
        "any",
        "ordered at 10pm, confirmation email turned up at 3pm next day. spent the morning thinking it failed",
    ),
    ("app", "pos", "order_tracking", "any", "tracking updates were spot on"),
    (
        "email",
        "neg",
        "order_tracking",
        "any",
        "The tracking link in the dispatch email led to a 404 page.",
    ),
    ("web", "pos", "order_tracking", "any", "Loved the live map tracking on the day"),
    (
        "chat",
        "neu",
        "order_tracking",
        "any",
        "hi i didnt get an order number, can u check if my order exists? name is on the account",
    ),
    (
        "email",
        "pos",
        "order_tracking",
        "any",
        "I received clear emails at every stage, from order confirmation to dispatch.",
    ),
    (
        "web",
        "neg",
        "order_tracking",
        "any",
        "confirmation email showed someone else's name?? bit worrying",
    ),
    ("app", "neu", "order_tracking", "any", "tracking fine, notifications a bit spammy"),
    (
        "web",
        "neg",
        "order_tracking",
        "any",
        "the tracking number in my email gives 'invalid reference' on https://track.example-courier.com/parcel?id=EX482913",
    ),
    (
        "email",
        "neg",
        "order_tracking",
        "any",
        "My order page has shown 'preparing your order' since last Thursday, with no dispatch email.",
    ),
    (
        "app",
        "pos",
        "order_tracking",
        "any",
        "push notifications for the delivery updates are handy",
    ),
    (
        "web",
        "neg",
        "order_tracking",
        "any",
        "got 4 identical order confirmation emails. spam much?",
    ),
    (
        "chat",
        "neg",
        "order_tracking",
        "any",
        "Customer: where's my order? tracking hasn't moved since monday\nAgent: Let me check that for you.\nCustomer: thats what the last person said",
    ),
    ("app", "neg", "order_tracking", "any", "tracking page blank"),
    (
        "email",
        "neu",
        "order_tracking",
        "any",
        "The 'your order is on its way' email arrived while I was already unboxing it.",
    ),
]
COMMENTS += [
    # --- delivery ---------------------------------------------------------
    ("app", "neg", "delivery", "any", "delivery took 2 weeks. said 3-5 days"),
    ("web", "pos", "delivery", "any", "arrived next day, well packed"),
    (
        "email",
        "neg",
        "delivery",
        "any",
        "The parcel arrived damaged, the box was crushed on one side and taped back up.",
    ),
    ("app", "neg", "delivery", "any", "courier left it in the bin 🗑️"),
    (
        "web",
        "vneg",
        "delivery",
        "any",
        "Says delivered, with a photo of a door that is not my door. Still no parcel 10 days later.",
    ),
    (
        "chat",
        "neg",
        "delivery",
        "any",
        "hi my parcel is lost, the courier says it's with you and you say it's with them",
    ),
    ("app", "neg", "delivery", "any", "late again"),
    ("web", "pos", "delivery", "any", "Delivery was on time and the driver was lovely"),
    (
        "email",
        "vneg",
        "delivery",
        "any",
        "I took a day off work for a delivery that didn't turn up. No notice, no apology.",
    ),
    ("app", "neg", "delivery", "any", "courier threw the parcel over the fence"),
    ("web", "neu", "delivery", "any", "delivery ok, a day later than promised"),
    (
        "email",
        "mix",
        "delivery",
        "any",
        "Delivery was a bit slow, but everything arrived in good condition.",
    ),
    ("app", "vneg", "delivery", "any", "never arrived"),
    (
        "web",
        "neg",
        "delivery",
        "any",
        "driver didn't even knock, just left a 'sorry we missed you' card while I was sat at home",
    ),
    (
        "chat",
        "neg",
        "delivery",
        "any",
        "my order was meant to arrive yesterday, it's now 4 days late and no one can tell me where it is",
    ),
    ("app", "pos", "delivery", "any", "fast delivery 🚚💨"),
    (
        "web",
        "neg",
        "delivery",
        "any",
        "parcel 'left with neighbour at no. 14'. there is no number 14 on my road",
    ),
    (
        "email",
        "neg",
        "delivery",
        "any",
        "The delivery window was 7am to 9pm, which is useless. It arrived at 8:55pm.",
    ),
    ("app", "neg", "delivery", "any", "half my order came, the rest is god knows where"),
    (
        "web",
        "neg",
        "delivery",
        "any",
        "box was sitting in a puddle when I got home, cardboard was mush",
    ),
    (
        "email",
        "neu",
        "delivery",
        "any",
        "Standard delivery took 5 working days, which is what was stated.",
    ),
    ("app", "neg", "delivery", "any", "courier rude af"),
    (
        "web",
        "vneg",
        "delivery",
        "any",
        "Third late delivery in a row. Paying for premium next-day and getting it in 3 days.",
    ),
    (
        "chat",
        "neg",
        "delivery",
        "any",
        "hello, courier marked my parcel as 'refused' but i never refused anything??",
    ),
    ("app", "mix", "delivery", "any", "slow delivery but it came"),
    ("web", "pos", "delivery", "any", "delivered to the parcel locker, super convenient"),
    ("app", "neg", "delivery", "any", "4th day waiting for a 'next day' delivery"),
    (
        "email",
        "neg",
        "delivery",
        "any",
        "Two of the three boxes arrived on Monday and the third on Friday. Nobody told me the order would be split.",
    ),
    (
        "web",
        "neg",
        "delivery",
        "any",
        "left on the doorstep in full view of the street. anyone could've taken it",
    ),
    ("app", "neu", "delivery", "any", "delivery was fine"),
    (
        "email",
        "mix",
        "delivery",
        "any",
        "The driver was polite, but the parcel came two days after the estimated date.",
    ),
    (
        "web",
        "neg",
        "delivery",
        "any",
        "courier took it back to a depot 40 miles away because 'access problem'. it's a house with a front door",
    ),
    ("app", "neg", "delivery", "any", "delivery always late with you guys. every time"),
    (
        "web",
        "mix",
        "delivery",
        "any",
        "Courier was early which is nice, but he left it in the recycling bin.",
    ),
    ("app", "neg", "delivery", "any", "parcel arrvied smashed"),
    (
        "web",
        "neg",
        "delivery",
        "any",
        "El paquete llegó con una semana de retraso y nadie me avisó. Muy mal servicio.",
    ),
    # --- product_experience (the product itself) ----------------------------
    ("app", "pos", "product_experience", "any", "great quality, true to size"),
    ("web", "neg", "product_experience", "any", "fabric is see-through, nothing like the photos"),
    (
        "email",
        "pos",
        "product_experience",
        "any",
        "The blender is powerful and easy to clean. Very happy with it.",
    ),
    ("app", "neg", "product_experience", "any", "wrong size sent"),
    (
        "web",
        "neg",
        "product_experience",
        "any",
        "Received the wrong item entirely. Ordered a grey hoodie, got a pink dressing gown 😂",
    ),
    ("app", "pos", "product_experience", "any", "LOVE IT ❤️❤️"),
    (
        "email",
        "neg",
        "product_experience",
        "any",
        "The sole came unglued after about a fortnight of normal wear.",
    ),
    ("web", "neu", "product_experience", "any", "product is fine. nothing special for the price"),
    ("app", "vneg", "product_experience", "any", "cheap plastic, broke first day"),
    ("web", "pos", "product_experience", "any", "Exactly what I expected, good value"),
    (
        "email",
        "mix",
        "product_experience",
        "any",
        "The coat is warm and well made, though the sleeves are a little long.",
    ),
    ("app", "neg", "product_experience", "any", "the 'sage green' is basically grey"),
    (
        "web",
        "neg",
        "product_experience",
        "any",
        "the rug had a really strong plasticky smell for days",
    ),
    (
        "chat",
        "neg",
        "product_experience",
        "any",
        "hi i received a phone case for an iphone 12 but i ordered the 15 one",
    ),
    ("app", "pos", "product_experience", "any", "my daughter loves it 🥰"),
    (
        "web",
        "neg",
        "product_experience",
        "any",
        "Missing screws in the box, cannot assemble the desk",
    ),
    (
        "email",
        "pos",
        "product_experience",
        "any",
        "The quality exceeded my expectations, especially at this price point.",
    ),
    ("app", "neu", "product_experience", "any", "runs small, size up"),
    ("web", "mix", "product_experience", "any", "looks great, bit flimsy"),
    (
        "email",
        "neg",
        "product_experience",
        "any",
        "The mattress has a noticeable dip after only a month of use.",
    ),
    ("app", "pos", "product_experience", "any", "bought 3 more for my friends"),
    ("web", "neg", "product_experience", "any", "earbuds only charge in one ear. dud"),
    (
        "app",
        "neg",
        "product_experience",
        "any",
        "broken on arrival, box was fine so it's the product not the courier",
    ),
    (
        "email",
        "pos",
        "product_experience",
        "any",
        "Fantastic coffee machine. Makes a better flat white than my local cafe!",
    ),
    ("web", "neg", "product_experience", "any", "the 'leather' bag is obviously plastic"),
    ("app", "pos", "product_experience", "any", "comfy af"),
    (
        "email",
        "neu",
        "product_experience",
        "any",
        "The product does what it says. Nothing more, nothing less.",
    ),
    (
        "web",
        "neg",
        "product_experience",
        "any",
        "Ordered a double duvet cover, received a single. Label on the packet says double though!",
    ),
    (
        "app",
        "mix",
        "product_experience",
        "any",
        "the colour is a bit wierd in person but i like it",
    ),
    # --- returns ----------------------------------------------------------
    (
        "web",
        "pos",
        "returns",
        "any",
        "returned via the post office counter, they scanned the code on my phone, no printing needed",
    ),
    ("app", "neg", "returns", "any", "no option to return in the app, had to go on the website"),
    (
        "email",
        "neg",
        "returns",
        "any",
        "The returns portal kept saying my order was not eligible even though it was well within 30 days.",
    ),
    (
        "chat",
        "neg",
        "returns",
        "any",
        "how do i get a return label? the link in the email is broken",
    ),
    ("app", "pos", "returns", "any", "QR code return at the locker, took 2 minutes"),
    (
        "web",
        "neg",
        "returns",
        "any",
        "why is there no swap option?? had to send the 12 back and reorder the 14, which had sold out by then",
    ),
    (
        "email",
        "neu",
        "returns",
        "any",
        "Returns were fine, although having to pay for return postage was disappointing.",
    ),
    ("web", "neg", "returns", "any", "drop-off point listed on the label closed down months ago"),
    ("app", "neg", "returns", "any", "return label wont generate, tried 3 times"),
    (
        "web",
        "pos",
        "returns",
        "any",
        "Exchange was processed super quickly, the new size was with me in 3 days",
    ),
    ("chat", "neu", "returns", "any", "can i return something i bought in the sale?"),
    (
        "app",
        "mix",
        "returns",
        "any",
        "easy returns, but the only drop-off near me is in a petrol station that's never open",
    ),
    (
        "web",
        "neg",
        "returns",
        "any",
        "courier collection for my return never showed up, waited in all day",
    ),
    (
        "email",
        "pos",
        "returns",
        "any",
        "The returns process was clear and I liked being able to choose between drop-off and collection.",
    ),
    ("app", "neu", "returns", "any", "returns ok"),
    ("web", "neg", "returns", "any", "return form asks for the original packaging. who keeps that"),
    ("web", "pos", "returns", "any", "@sarah_j you were right about the returns, so easy"),
    # --- refunds ----------------------------------------------------------
    (
        "web",
        "vneg",
        "refunds",
        "any",
        "Your warehouse signed for my return on the 2nd. It's now the 23rd. Where is my money?",
    ),
    ("app", "pos", "refunds", "any", "refund came through in 2 days 👍"),
    (
        "email",
        "neg",
        "refunds",
        "any",
        "I was refunded the wrong amount - postage was deducted even though the item was faulty.",
    ),
    ("chat", "neg", "refunds", "any", "hi, where is my refund? it's been 14 days"),
    ("web", "neu", "refunds", "any", "refund arrived, took about a week"),
    ("app", "neg", "refunds", "any", "no refund yet. 18 days."),
    (
        "email",
        "pos",
        "refunds",
        "any",
        "The refund was processed quickly and I was kept informed throughout.",
    ),
    (
        "web",
        "neg",
        "refunds",
        "any",
        "got a voucher code instead of my money?? nowhere did I tick 'store credit'",
    ),
    (
        "app",
        "neg",
        "refunds",
        "any",
        "refund sent to a card I reported stolen in may, bank says they can't redirect it",
    ),
    ("web", "pos", "refunds", "any", "Quick refund, no questions asked"),
    (
        "email",
        "vneg",
        "refunds",
        "any",
        "My refund has been 'pending' for 20 days with no explanation whatsoever.",
    ),
    ("app", "neu", "refunds", "any", "got my money back eventually"),
    ("web", "neg", "refunds", "any", "sent back 3 items, refund only covers 2"),
    (
        "email",
        "mix",
        "refunds",
        "any",
        "The refund arrived in full, but it took twelve working days, which seems long.",
    ),
    # --- customer_support -------------------------------------------------
    ("web", "vneg", "customer_support", "any", "2 hours on hold. 2 HOURS."),
    (
        "app",
        "pos",
        "customer_support",
        "any",
        "Priya in the chat was a legend, fixed it before my tea went cold",
    ),
    (
        "email",
        "neg",
        "customer_support",
        "any",
        "I sent four separate emails to customer service and received the same copy-pasted reply each time.",
    ),
    (
        "chat",
        "pos",
        "customer_support",
        "any",
        "thanks so much, that's all sorted now! really appreciate it",
    ),
    (
        "web",
        "neg",
        "customer_support",
        "any",
        "the bot keeps offering me the FAQ page. I don't want the FAQ page, I want a person",
    ),
    (
        "email",
        "pos",
        "customer_support",
        "any",
        "The phone agent was patient and friendly and resolved my issue on the first call.",
    ),
    ("app", "neg", "customer_support", "any", "support never replies"),
    ("web", "mix", "customer_support", "any", "agent was nice but couldn't actually do anything"),
    (
        "chat",
        "neg",
        "customer_support",
        "any",
        "i've been transferred 4 times now, can someone just help me",
    ),
    (
        "email",
        "neu",
        "customer_support",
        "any",
        "A response from support took 48 hours, which is acceptable but could be quicker.",
    ),
    (
        "web",
        "pos",
        "customer_support",
        "any",
        "customer service went above and beyond, sent a replacement without me even asking #customerservice",
    ),
    (
        "app",
        "neg",
        "customer_support",
        "any",
        "called 3 times. answer 1: wait. answer 2: it's been cancelled. answer 3: what order?",
    ),
    (
        "chat",
        "neg",
        "customer_support",
        "any",
        "Agent: Is there anything else I can help you with today?\nCustomer: you haven't helped with the first thing yet",
    ),
    ("web", "pos", "customer_support", "any", "Live chat was quick and the answer was clear"),
    (
        "email",
        "vneg",
        "customer_support",
        "any",
        "Support closed my ticket without resolving anything, and the survey link they sent was the only reply I got.",
    ),
    ("app", "neu", "customer_support", "any", "support ok"),
    (
        "web",
        "neg",
        "customer_support",
        "any",
        "why is the contact us page just a link to more FAQs!!",
    ),
    ("chat", "pos", "customer_support", "any", "omg thank you, you're a star ⭐"),
    (
        "email",
        "mix",
        "customer_support",
        "any",
        "The first agent I spoke to was unhelpful, but the second one fixed the problem within minutes.",
    ),
    ("app", "pos", "customer_support", "any", "quick helpful support, thx"),
    ("web", "neg", "customer_support", "any", "52 min in the chat queue, then it disconnected"),
    (
        "chat",
        "mix",
        "customer_support",
        "any",
        "ok that kind of helps but i still don't understand why it happened in the first place",
    ),
    (
        "email",
        "pos",
        "customer_support",
        "any",
        "Polite, knowledgeable staff. Called back exactly when they said they would.",
    ),
    (
        "web",
        "neg",
        "customer_support",
        "any",
        "your agents clearly aren't allowed to actually fix anything, they just read a script",
    ),
]
COMMENTS += [
    # --- two steps --------------------------------------------------------
    ("web", "mix", "checkout delivery", "early", "checkout was quick but delivery took two weeks"),
    ("app", "mix", "product_experience delivery", "any", "lovely dress, shame it came 5 days late"),
    (
        "email",
        "vneg",
        "delivery customer_support",
        "any",
        "My parcel went missing and when I contacted customer services I was on hold for 50 minutes before being cut off.",
    ),
    (
        "web",
        "mix",
        "discovery product_experience",
        "any",
        "search is rubbish but the stuff itself is good quality",
    ),
    ("app", "mix", "delivery refunds", "any", "parcel lost, refund was quick tho"),
    (
        "email",
        "neg",
        "returns refunds",
        "any",
        "My return was received by your warehouse on the 4th and I still haven't had my refund. The returns process itself was easy enough.",
    ),
    (
        "chat",
        "neg",
        "order_tracking customer_support",
        "any",
        "ive asked 3 times on chat for a tracking update and nobody knows anything",
    ),
    (
        "web",
        "pos",
        "product_info product_experience",
        "any",
        "Size guide was spot on, jeans fit perfectly",
    ),
    (
        "app",
        "neg",
        "payment customer_support",
        "any",
        "charged twice, chat agent said wait 5 days. it's been 9",
    ),
    (
        "web",
        "mix",
        "basket checkout",
        "early",
        "basket kept forgetting items but checkout itself was painless",
    ),
    (
        "email",
        "mix",
        "delivery product_experience",
        "any",
        "The sofa is beautiful, but the delivery team scratched one of the legs bringing it in.",
    ),
    (
        "web",
        "neg",
        "product_experience returns",
        "any",
        "Wrong colour sent and now the return label won't print. Great.",
    ),
    (
        "app",
        "pos",
        "discovery checkout",
        "early",
        "found it in seconds and checkout was instant. perfect",
    ),
    (
        "chat",
        "mix",
        "delivery customer_support",
        "any",
        "Customer: my parcel is 3 days late\nAgent: I've escalated this with the courier and added a £5 credit to your account\nCustomer: ok thanks, that's fair",
    ),
    (
        "email",
        "neg",
        "account order_tracking",
        "any",
        "I can't see my previous orders in my account, so I have no way of tracking the current one.",
    ),
    (
        "web",
        "vneg",
        "product_experience refunds",
        "any",
        "Kettle leaked on day one. Refund took a month.",
    ),
    ("app", "mix", "payment delivery", "any", "paying with apple pay is great, delivery less so"),
    (
        "web",
        "neg",
        "returns customer_support",
        "any",
        "Returns page is a maze. Called support, 40 minutes wait, they emailed me a label in the end",
    ),
    (
        "email",
        "pos",
        "checkout delivery",
        "early",
        "The checkout was effortless and my order arrived the next morning. Brilliant.",
    ),
    (
        "web",
        "neg",
        "order_tracking delivery",
        "any",
        "Tracking said out for delivery all day, then at 9pm it changed to 'delayed'.",
    ),
    (
        "app",
        "mix",
        "product_info product_experience",
        "any",
        "photos look nothing like what arrived. quality ok tho",
    ),
    (
        "chat",
        "vneg",
        "refunds customer_support",
        "any",
        "this is my 4th time contacting you about the same refund. please escalate",
    ),
    (
        "web",
        "mix",
        "account checkout",
        "early",
        "sign in was annoying (password reset AGAIN) but checkout was smooth after that",
    ),
    (
        "email",
        "neg",
        "delivery returns",
        "any",
        "The item arrived broken in transit, and then I had to pay to send it back myself.",
    ),
    (
        "app",
        "vneg",
        "payment order_tracking",
        "any",
        "payment taken, no order confirmation, no email, nothing",
    ),
    (
        "web",
        "pos",
        "customer_support refunds",
        "any",
        "Support sorted my refund in one call, money back within 48h",
    ),
    (
        "app",
        "mix",
        "discovery product_info",
        "any",
        "easy to find stuff but the product pages barely have any info",
    ),
    (
        "web",
        "neg",
        "product_experience customer_support",
        "any",
        "Jacket zip broke within a week. Support asked me for photos 3 times.",
    ),
    (
        "email",
        "mix",
        "order_tracking delivery",
        "any",
        "Tracking was accurate to the hour, but the driver left the parcel in full view on the doorstep.",
    ),
    (
        "chat",
        "neu",
        "returns refunds",
        "any",
        "hi i sent my return back last week, when should i expect the refund?",
    ),
    (
        "web",
        "neg",
        "basket payment",
        "any",
        "basket total was £43, payment page charged £51. hidden fees?",
    ),
    ("app", "pos", "delivery product_experience", "any", "came early and it's gorgeous ✨"),
    (
        "email",
        "neg",
        "checkout payment",
        "late",
        "After the checkout froze at the address step I tried again and the payment failed, so I had to re-enter my card twice. It took forever.",
    ),
    (
        "web",
        "vneg",
        "checkout customer_support",
        "late",
        "checkout freezes after address, called support, 50 mins on hold, they placed the order for me in the end",
    ),
    (
        "app",
        "neg",
        "checkout delivery",
        "late",
        "took me 3 tries to get past the address screen and then delivery was late anyway 🙃",
    ),
    (
        "chat",
        "neg",
        "checkout customer_support",
        "late",
        "hi, yesterday the agent said the address bug would be fixed today but checkout still freezes for me",
    ),
    (
        "email",
        "mix",
        "checkout product_experience",
        "late",
        "Love the product, but the checkout experience this time was awful - it kept freezing when I entered my address.",
    ),
    (
        "web",
        "neg",
        "discovery checkout",
        "late",
        "Found what I wanted easily enough but the checkout hung on the address page for ages",
    ),
    (
        "app",
        "mix",
        "checkout delivery",
        "late",
        "checkout froze twice on address but once through, delivery was next day",
    ),
    (
        "web",
        "neg",
        "basket checkout",
        "late",
        "basket fine, checkout broken. address lookup spins forever",
    ),
    (
        "email",
        "vneg",
        "account checkout",
        "late",
        "The address lookup failed, so I tried adding the address to my account instead, which also froze. I eventually gave up.",
    ),
    (
        "chat",
        "neg",
        "checkout payment",
        "late",
        "Customer: checkout froze after my address and now I see a pending payment\nAgent: That's a temporary authorisation, it will drop off in 3-5 days\nCustomer: and my order??",
    ),
    (
        "web",
        "neg",
        "checkout customer_support",
        "late",
        'Your chatbot told me to "try again later" about the address freeze. I did, for 3 days.',
    ),
    (
        "app",
        "neg",
        "product_info checkout",
        "late",
        "product page says 'order within 2h for next day'. spent the 2h fighting the address box at checkout",
    ),
    (
        "email",
        "neg",
        "checkout delivery",
        "late",
        "Because the checkout kept freezing I missed the next-day cut-off, so the delivery arrived two days later than I needed it.",
    ),
    (
        "web",
        "mix",
        "checkout returns",
        "late",
        "returns were easy as always but placing the new order was a pain, address page froze twice",
    ),
    (
        "app",
        "neg",
        "checkout order_tracking",
        "late",
        "checkout hung after address, then 2 confirmation emails for 1 order? did it order twice?",
    ),
    (
        "web",
        "neu",
        "checkout payment",
        "early",
        "Checkout and payment both fine, nothing to report",
    ),
    (
        "email",
        "pos",
        "checkout payment",
        "early",
        "Checkout and PayPal payment worked perfectly and very quickly.",
    ),
    ("app", "pos", "basket checkout", "early", "basket -> checkout -> done. 2 mins. love it"),
    (
        "web",
        "mix",
        "checkout delivery",
        "early",
        "easy checkout, but the courier left it at the wrong house",
    ),
    (
        "chat",
        "neu",
        "checkout order_tracking",
        "early",
        "hi i chose next day at checkout but the tracking says 3-5 days, which one is right?",
    ),
    (
        "web",
        "neg",
        "product_info delivery",
        "any",
        "The product page said 'ships in 24 hours' and it clearly did not. Took 6 days to even dispatch.",
    ),
    (
        "email",
        "neg",
        "account checkout",
        "early",
        "Why must I register to buy a single phone charger? A guest option would be appreciated.",
    ),
    (
        "email",
        "neu",
        "basket checkout",
        "early",
        "The basket page was clear, but postage jumped from 'from £2.99' to £6.50 once I got into checkout.",
    ),
    (
        "chat",
        "neg",
        "basket product_info",
        "any",
        "my basket says the item is £12 but the product page said £9.99??",
    ),
    (
        "web",
        "vneg",
        "basket account",
        "any",
        "Logged in on my laptop and the basket I built on my phone over an hour was empty.",
    ),
    (
        "email",
        "neg",
        "payment refunds",
        "any",
        "I was charged twice for one order and it took over a week for the second charge to be refunded.",
    ),
    (
        "chat",
        "neg",
        "payment order_tracking",
        "any",
        "hi my payment went through but i got an error message, did my order go through?? no email",
    ),
    (
        "email",
        "neg",
        "payment account",
        "any",
        "My gift card balance was not applied at payment, even though it showed in my account.",
    ),
    (
        "app",
        "neg",
        "order_tracking delivery",
        "any",
        "tracking has said 'awaiting collection from sender' for 6 days",
    ),
    (
        "app",
        "vneg",
        "order_tracking delivery",
        "any",
        "tracking says delivered. it was NOT delivered",
    ),
    (
        "email",
        "neg",
        "delivery order_tracking",
        "any",
        "The delivery estimate changed three times after I placed the order, with no explanation.",
    ),
    (
        "app",
        "mix",
        "delivery product_experience",
        "any",
        "box was battered but the vase survived somehow 😅",
    ),
    (
        "web",
        "pos",
        "returns refunds",
        "any",
        "Sent it back Monday, refund Thursday. Can't complain.",
    ),
    ("app", "neg", "returns customer_support", "any", "return label link broken, chat bot useless"),
    (
        "email",
        "mix",
        "customer_support delivery",
        "any",
        "The agent I spoke to about my late delivery was very helpful, though the parcel still hasn't arrived.",
    ),
    (
        "web",
        "neg",
        "discovery product_info",
        "any",
        "search shows items as £20 then the product page says £35",
    ),
    (
        "app",
        "pos",
        "account order_tracking",
        "any",
        "love seeing all my orders & tracking in one place in the app",
    ),
    (
        "web",
        "vneg",
        "product_experience returns",
        "any",
        "Shrunk after one wash. Returns portal says 'not eligible' because I washed it. Seriously?",
    ),
    (
        "email",
        "pos",
        "delivery customer_support",
        "any",
        "A glass arrived cracked; I messaged support and a replacement was sent the same day. Excellent service.",
    ),
    (
        "chat",
        "pos",
        "order_tracking customer_support",
        "any",
        "thanks for checking the tracking for me, good to know it's on its way 😊",
    ),
    (
        "web",
        "mix",
        "discovery basket",
        "any",
        "browsing is nice, but the basket keeps losing stuff",
    ),
    (
        "app",
        "neg",
        "checkout payment",
        "late",
        "address page froze and when it finally loaded my saved card was gone, had to type it all in again",
    ),
    (
        "email",
        "neg",
        "delivery refunds",
        "any",
        "My order was lost in the post. I was told I'd be refunded within 5 days; it took 19.",
    ),
    (
        "app",
        "neg",
        "product_info basket",
        "any",
        "product page says in stock, basket says out of stock. which is it",
    ),
    (
        "web",
        "pos",
        "customer_support returns",
        "any",
        "Agent on chat set up a free collection for my return. 10/10",
    ),
    (
        "email",
        "neu",
        "product_experience delivery",
        "any",
        "Product as described. Delivery took the full 5 days.",
    ),
    (
        "app",
        "neg",
        "delivery customer_support",
        "any",
        "parcel missing, support just says 'wait 48 hours' every time i ask",
    ),
    (
        "web",
        "mix",
        "product_experience refunds",
        "any",
        "The lamp was faulty but the refund was fast so no hard feelings",
    ),
    (
        "chat",
        "vneg",
        "account customer_support",
        "any",
        "I've been locked out of my account for 3 days and your team keeps sending me the same reset link that doesn't work",
    ),
    ("app", "pos", "checkout payment", "early", "checkout + paypal sorted in 40 seconds, nice"),
    (
        "web",
        "neg",
        "discovery customer_support",
        "any",
        "the search is so bad I had to ask customer service to find the product for me",
    ),
    (
        "email",
        "mix",
        "order_tracking product_experience",
        "any",
        "Confirmation and tracking emails were timely. Unfortunately the item itself was smaller than expected.",
    ),
    ("app", "vneg", "returns refunds", "any", "returned it a month ago. no refund. no reply."),
    (
        "web",
        "mix",
        "basket product_experience",
        "any",
        "basket kept glitching but the candles are lovely",
    ),
    (
        "email",
        "neg",
        "product_experience customer_support",
        "any",
        "The headphones stopped working after a week. Customer service told me to contact the manufacturer, which I found unhelpful.",
    ),
    (
        "chat",
        "neu",
        "delivery order_tracking",
        "any",
        "hi, the tracking says it's been at the local depot since yesterday, will it come today?",
    ),
    (
        "web",
        "neg",
        "checkout delivery",
        "late",
        "Address lookup picked the wrong house number and my parcel got delivered next door",
    ),
    (
        "app",
        "mix",
        "checkout product_experience",
        "late",
        "the shirt is nice but ordering it was a nightmare, address page kept freezing",
    ),
    (
        "email",
        "vneg",
        "checkout customer_support",
        "late",
        "I spent an hour trying to check out because the address screen froze, then another 45 minutes on hold to place the order by phone.",
    ),
    (
        "web",
        "neg",
        "basket checkout",
        "late",
        "basket is fine until you hit checkout, then the address page locks up and you lose the lot",
    ),
    (
        "app",
        "neg",
        "account checkout",
        "late",
        "cant save a new address in my account or at checkout, both freeze",
    ),
    (
        "chat",
        "neg",
        "checkout customer_support",
        "late",
        "I'm on my 2nd chat today about the checkout freezing, the last agent said it was fixed",
    ),
    (
        "web",
        "neg",
        "checkout payment",
        "late",
        "Had to re-enter my card 3 times because the address page kept crashing and resetting the form",
    ),
    (
        "email",
        "neg",
        "discovery checkout",
        "late",
        "Browsing and search were as good as ever, but the checkout is now almost unusable. It freezes as soon as the address is entered.",
    ),
    (
        "web",
        "neg",
        "delivery customer_support",
        "any",
        "Parcel left outside in the rain. Support offered 10% off my next order. Not good enough.",
    ),
    (
        "app",
        "mix",
        "discovery delivery",
        "any",
        "easy to find what I want, deliveries always late though",
    ),
    (
        "email",
        "pos",
        "product_info product_experience",
        "any",
        "The detailed measurements on the product page meant the table fit my space exactly.",
    ),
    (
        "web",
        "neg",
        "account payment",
        "any",
        "had to log in again at payment and lost the card details I'd already typed",
    ),
    (
        "chat",
        "mix",
        "returns customer_support",
        "any",
        "hi the return label isn't working again, the agent yesterday was really helpful so hoping you can fix it :)",
    ),
    (
        "web",
        "neg",
        "refunds customer_support",
        "any",
        "Asked about my refund on chat 3 times, got 3 different dates. Still nothing.",
    ),
    (
        "email",
        "mix",
        "checkout order_tracking",
        "early",
        "The ordering process was painless. I didn't receive a confirmation email though, which made me unsure whether it had worked.",
    ),
    ("app", "pos", "returns refunds", "any", "return + refund super smooth 👍"),
    (
        "web",
        "neg",
        "delivery returns",
        "any",
        "the courier damaged it, and now I'm expected to pay return postage?",
    ),
    (
        "web",
        "mix",
        "order_tracking delivery",
        "any",
        "tracking said 1pm-2pm and it arrived at 1:30. impressive. shame the box was crushed",
    ),
    (
        "email",
        "neg",
        "customer_support order_tracking",
        "any",
        "Nobody in customer service could tell me where my order was. The tracking page just says 'in transit' and has done for a week.",
    ),
    ("app", "neg", "account basket", "any", "keeps logging me out so my basket resets. fix pls"),
    (
        "chat",
        "mix",
        "payment customer_support",
        "any",
        "Customer: hi, my card was declined but I have money in the account\nAgent: Sorry about that! Sometimes banks block first-time payments, could you try PayPal?\nCustomer: ok that worked, thanks",
    ),
    (
        "email",
        "neg",
        "product_experience returns",
        "any",
        "The dress was lovely in the photos but the fabric felt cheap and the stitching was coming apart at the hem.\n\nI started a return, but the portal only offers drop-off at a shop 30 minutes away, and there is no collection option for my area. Quite disappointing overall, I probably won't order clothes again.",
    ),
    (
        "app",
        "mix",
        "discovery payment",
        "any",
        "Great app for browsing, paying with klarna is a bit clunky though",
    ),
    (
        "web",
        "pos",
        "product_info returns",
        "any",
        "Honest sizing notes on the product page, and knowing returns are free made me order two sizes.",
    ),
    (
        "email",
        "neg",
        "order_tracking refunds",
        "any",
        "I cancelled the order within ten minutes and got a cancellation email, but the status page still says 'processing' and no refund has appeared.",
    ),
    ("app", "pos", "payment delivery", "any", "paypal, done, next day delivery. perfect"),
    # --- three steps ------------------------------------------------------
    (
        "email",
        "vneg",
        "delivery customer_support refunds",
        "any",
        "Parcel never arrived, support took 10 days to respond, and I'm still waiting on the refund. Appalling.",
    ),
    (
        "web",
        "mix",
        "discovery checkout delivery",
        "early",
        "Search was great, checkout super easy, but delivery took 9 days.",
    ),
    (
        "app",
        "vneg",
        "checkout payment customer_support",
        "late",
        "address page froze, got charged anyway, support says no order exists. wtf",
    ),
    (
        "email",
        "mix",
        "product_experience returns refunds",
        "any",
        "The trainers were too narrow, but returning them was simple and the refund arrived within four days.",
    ),
    (
        "chat",
        "neg",
        "order_tracking delivery customer_support",
        "any",
        "tracking hasn't updated in a week, courier says they never got it and your agents just keep telling me to wait",
    ),
    (
        "web",
        "vneg",
        "checkout delivery customer_support",
        "late",
        "Checkout froze on the address (again), then the parcel came late, then support hung up on me. Terrible week.",
    ),
    (
        "app",
        "pos",
        "discovery product_info product_experience",
        "any",
        "found it fast, great descriptions, and it's exactly what i wanted",
    ),
    (
        "email",
        "neg",
        "account payment order_tracking",
        "any",
        "I couldn't log in to my account, so I paid as a guest, and now I can't see or track my order anywhere.",
    ),
    (
        "web",
        "mix",
        "checkout payment refunds",
        "late",
        "checkout froze after entering my address and the payment was taken twice. at least the duplicate was refunded in 2 days",
    ),
    (
        "chat",
        "vneg",
        "returns refunds customer_support",
        "any",
        "I returned the item 3 weeks ago, the refund still hasn't arrived, and this is my third chat about it",
    ),
    (
        "app",
        "neg",
        "checkout payment order_tracking",
        "late",
        "checkout froze, then I got charged?? but no order confirmation",
    ),
    (
        "email",
        "vneg",
        "checkout payment customer_support",
        "late",
        "I have been a loyal customer for six years and this is the first time I've felt the need to complain. On Sunday I tried to buy a birthday present. The checkout froze every time I entered my address, so I tried the app, which did exactly the same thing. On the fourth attempt it finally went through, but I was charged twice. I then spent 1 hour 20 minutes on hold to get the duplicate charge cancelled. Honestly, what has happened to you?",
    ),
    (
        "web",
        "vneg",
        "delivery product_experience customer_support",
        "any",
        "Ordered a bed frame on the 3rd. Delivery slot booked for the 10th, nobody came. Rebooked for the 14th, nobody came. Called, was told the courier had 'capacity issues'. Rebooked for the 18th and they turned up with the WRONG BED!!! I now have a bed frame I didn't order blocking my hallway and no bed. I've spent more time on the phone to you than sleeping. Absolutely shambolic.",
    ),
    # --- no step / off-topic ----------------------------------------------
    ("app", "pos", "", "any", "love you guys"),
    ("web", "neu", "", "any", "n/a"),
    ("email", "neu", "", "any", "thanks"),
    ("app", "neu", "", "any", "asdf"),
    ("chat", "neu", "", "any", "what is the weather like tomorrow"),
    ("web", "neu", "", "any", ""),
    ("app", "neu", "", "any", "   "),
    ("email", "neu", "", "any", " \n "),
    ("web", "neu", "", "any", "no comment"),
    ("app", "pos", "", "any", "👍"),
    ("email", "neu", "", "any", "Nothing to add."),
    ("chat", "neu", "", "any", "hello?"),
    ("web", "neu", "", "any", "test"),
    ("app", "mix", "", "any", "meh"),
    ("email", "pos", "", "any", "Keep up the good work!"),
    ("web", "neu", "", "any", "."),
    ("chat", "neu", "", "any", "is this a real person"),
    ("app", "pos", "", "any", "5 stars"),
    ("web", "neu", "", "any", "why do you need my feedback"),
    ("email", "neu", "", "any", "I don't really have an opinion."),
    ("app", "pos", "", "any", "best shop ever 🔥🔥🔥"),
    ("web", "mix", "", "any", "your survey is too long"),
    ("chat", "neu", "", "any", "ok"),
    ("app", "neg", "", "any", "hate this app"),
    ("web", "neu", "", "any", "see previous comment"),
    ("email", "neu", "", "any", "Please remove me from the mailing list."),
    ("app", "neu", "", "any", "first"),
    ("web", "pos", "", "any", "#blessed"),
    ("chat", "neu", "", "any", "can you recommend a good pizza place lol"),
    ("email", "neu", "", "any", "N/A - first order"),
    ("app", "neg", "", "any", "👎👎"),
    ("web", "neu", "", "any", "who designed your new logo, it's giving 2009"),
    ("app", "neu", "", "any", "hi"),
    ("web", "neu", "", "any", "I'm only filling this in for the prize draw"),
    ("email", "pos", "", "any", "Thank you for asking for my feedback."),
    ("web", "neu", "", "any", "check out my shop https://example.com/my-handmade-candles lol"),
]


# ---------------------------------------------------------------------------
# Feedback: weeks, dates, NPS, ids
# ---------------------------------------------------------------------------
def period_of(week):
    return "%d-W%02d" % (YEAR, week)


def build_feedback():
    """Return the comments as dicts, sorted by date, with ids assigned."""
    items = []
    for channel, tone, steps, when, text in COMMENTS:
        assert channel in CHANNELS, channel
        assert tone in NPS_POOLS, tone
        assert when in ("any", "early", "late"), when
        step_list = steps.split()
        for s in step_list:
            assert s in STEPS, s
        # the checkout comments carry the planted trend, so they all have a period
        assert ("checkout" in step_list) == (when != "any"), text
        items.append(
            {
                "channel": CHANNELS[channel],
                "tone": tone,
                "steps": sorted(step_list, key=STEPS.index),
                "when": when,
                "text": text,
            }
        )
    texts = [it["text"] for it in items]
    dupes = [t for t, n in Counter(texts).items() if n > 1]
    assert not dupes, dupes

    rng = random.Random(FEEDBACK_SEED)

    # Weeks.  Checkout comments follow the planted pattern (early / late).
    # Every other comment is placed greedily, in shuffled order, in the week
    # where its steps have had the fewest comments so far, and the fewest of
    # the same tone, with a little random jitter, so that each step's volume
    # and tone stay roughly stable over the 8 weeks (also counting the other
    # steps named in the checkout comments).
    fixed = [it for it in items if it["when"] != "any"]
    free = [it for it in items if it["when"] == "any"]
    for when, cycle in (("early", EARLY_WEEKS), ("late", LATE_CYCLE)):
        group = [it for it in fixed if it["when"] == when]
        rng.shuffle(group)
        offset = rng.randrange(len(cycle))
        for i, it in enumerate(group):
            it["week"] = cycle[(i + offset) % len(cycle)]

    def tone_class(it):
        return {"vneg": "neg", "mix": "neu"}.get(it["tone"], it["tone"])

    count = defaultdict(Counter)          # step -> week -> comments
    tone_count = defaultdict(Counter)     # (step, tone class) -> week -> comments
    for it in fixed:
        for s in it["steps"]:
            if s != "checkout":
                count[s][it["week"]] += 1
                tone_count[(s, tone_class(it))][it["week"]] += 1
    rng.shuffle(free)
    free.sort(key=lambda it: -len(it["steps"]))
    for it in free:
        keys = it["steps"] or ["unassigned"]
        best = None
        for w in WEEKS:
            cost = sum(count[s][w] + tone_count[(s, tone_class(it))][w] for s in keys)
            cost += rng.random() * 1.5
            if best is None or cost < best[0]:
                best = (cost, w)
        it["week"] = best[1]
        for s in keys:
            count[s][it["week"]] += 1
            tone_count[(s, tone_class(it))][it["week"]] += 1

    for it in items:
        day = rng.randint(1, 7)
        it["date"] = datetime.date.fromisocalendar(YEAR, it["week"], day)
        pools = NPS_POOLS_LATE if it["when"] == "late" else NPS_POOLS
        it["nps"] = rng.choice(pools[it["tone"]])
        it["tiebreak"] = rng.random()

    items.sort(key=lambda it: (it["date"], it["tiebreak"]))
    for n, it in enumerate(items, 1):
        it["id"] = "fb-%04d" % n
    return items


# ---------------------------------------------------------------------------
# Metrics: simulated weekly funnel numbers per step
# ---------------------------------------------------------------------------
# step: (entered per week, completion rate, median_time_s, support contacts per week)
# median_time_s is the median time spent in the step.  For the fulfilment steps
# it is a duration in days written in seconds: delivery = order placed -> parcel
# delivered, product_experience = delivered -> first rating or issue report,
# refunds = return received -> money back.
METRIC_BASE = {
    "discovery": (120000, 0.70, 95, 15),
    "product_info": (80000, 0.38, 70, 40),
    "account": (30000, 0.86, 48, 130),
    "basket": (25000, 0.74, 40, 25),
    "checkout": (18000, 0.78, 100, 60),
    "payment": (14000, 0.93, 35, 180),
    "order_tracking": (12000, 0.97, 22, 320),
    "delivery": (12000, 0.95, 267840, 540),
    "product_experience": (11500, 0.94, 432000, 260),
    "returns": (1800, 0.88, 190, 210),
    "refunds": (1500, 0.91, 388800, 240),
    "customer_support": (2500, 0.76, 510, 90),
}
# Checkout from 2026-W31: (completion rate, median_time_s, support contacts)
CHECKOUT_DEGRADED = {
    31: (0.72, 128, 115),
    32: (0.66, 148, 170),
    33: (0.62, 162, 215),
    34: (0.60, 170, 250),
}


def build_metrics():
    rng = random.Random(METRICS_SEED)
    rows = []
    for step in STEPS:
        entered0, rate0, time0, contacts0 = METRIC_BASE[step]
        for week in WEEKS:
            rate, time_s, contacts = rate0, time0, contacts0
            if step == "checkout" and week in CHECKOUT_DEGRADED:
                rate, time_s, contacts = CHECKOUT_DEGRADED[week]
            entered = int(round(entered0 * (1 + rng.gauss(0, 0.03))))
            rate = min(0.995, max(0.0, rate + rng.gauss(0, 0.007)))
            completed = min(entered, int(round(entered * rate)))
            median = int(round(time_s * (1 + rng.gauss(0, 0.03))))
            support = max(0, int(round(contacts * (1 + rng.gauss(0, 0.07)))))
            rows.append(
                {
                    "step": step,
                    "period": period_of(week),
                    "entered": entered,
                    "completed": completed,
                    "median_time_s": median,
                    "support_contacts": support,
                }
            )
    return rows


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------
def write_csv(path, fieldnames, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fieldnames, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row[k] for k in fieldnames})


def table(headers, rows):
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(x) for x in r) + " |")
    return "\n".join(out)


def build_readme(items, label_rows, metric_rows):
    n = len(items)
    n_labels = len(label_rows)
    step_counts = Counter(r["step"] for r in label_rows)
    n_steps = Counter(len(it["steps"]) for it in items)
    blank = sum(1 for it in items if not it["text"].strip())
    channels = Counter(it["channel"] for it in items)

    week_rows = []
    for w in WEEKS:
        wk = [it for it in items if it["week"] == w]
        co = [it for it in wk if "checkout" in it["steps"]]
        co_neg = sum(1 for it in co if it["tone"] in ("neg", "vneg"))
        mean_all = sum(it["nps"] for it in wk) / len(wk)
        mean_co = ("%.1f" % (sum(it["nps"] for it in co) / len(co))) if co else "-"
        week_rows.append([period_of(w), len(wk), "%.1f" % mean_all, len(co), co_neg, mean_co])

    chk = [r for r in metric_rows if r["step"] == "checkout"]
    chk_rows = [
        [
            r["period"],
            r["entered"],
            r["completed"],
            "%.2f" % (r["completed"] / r["entered"]),
            r["median_time_s"],
            r["support_contacts"],
        ]
        for r in chk
    ]

    avg_rows = []
    for step in STEPS:
        rs = [r for r in metric_rows if r["step"] == step]
        ent = sum(r["entered"] for r in rs) / len(rs)
        rate = sum(r["completed"] for r in rs) / sum(r["entered"] for r in rs)
        med = sorted(r["median_time_s"] for r in rs)
        sup = sum(r["support_contacts"] for r in rs) / len(rs)
        avg_rows.append(
            [step, "%d" % round(ent), "%.2f" % rate, "%d-%d" % (med[0], med[-1]), "%d" % round(sup)]
        )

    step_rows = [[s, step_counts[s]] for s in STEPS] + [["unassigned", step_counts["unassigned"]]]
    chan_rows = [[c, channels[c]] for c in ("web", "app", "email_survey", "chat")]

    return README_TEMPLATE.format(
        n_feedback=n,
        n_labels=n_labels,
        n_metrics=len(metric_rows),
        n_one=n_steps[1],
        n_two=n_steps[2],
        n_three=n_steps[3],
        n_none=n_steps[0],
        pct_two=100.0 * n_steps[2] / n,
        pct_none=100.0 * n_steps[0] / n,
        n_blank=blank,
        first_date=items[0]["date"].isoformat(),
        last_date=items[-1]["date"].isoformat(),
        step_table=table(["step", "labelled comments"], step_rows),
        week_table=table(
            [
                "week",
                "comments",
                "mean NPS (all)",
                "checkout comments",
                "checkout negative",
                "checkout mean NPS",
            ],
            week_rows,
        ),
        channel_table=table(["channel", "comments"], chan_rows),
        checkout_table=table(
            [
                "period",
                "entered",
                "completed",
                "completion rate",
                "median_time_s",
                "support_contacts",
            ],
            chk_rows,
        ),
        avg_table=table(
            [
                "step",
                "mean entered / week",
                "completion rate",
                "median_time_s range",
                "mean support contacts / week",
            ],
            avg_rows,
        ),
    )


README_TEMPLATE = """# steplens demo data: `ecommerce` journey

**These files are SYNTHETIC.** The customer comments in `ecommerce_feedback.csv`
were written by hand for the steplens demo. They are not from real customers and
not taken from any real shop, survey or app store. The weekly step metrics in
`ecommerce_metrics.csv` are simulated. Any resemblance to a real retailer, courier,
person or social media account (e.g. `@brightcart_help`, `@sarah_j`) is
accidental; URLs point at `example.com`-style reserved domains.

Licence: [CC0-1.0](https://creativecommons.org/publicdomain/zero/1.0/) (public
domain dedication). Use them for anything.

The data matches the `ecommerce` journey in `data/journeys/ecommerce.yaml`
(steps: discovery, product_info, account, basket, checkout, payment,
order_tracking, delivery, product_experience, returns, refunds,
customer_support) and covers 8 ISO weeks, `2026-W27` to `2026-W34`
(2026-06-29 to 2026-08-23).

## Files

### `ecommerce_feedback.csv` ({n_feedback} rows)

| column | meaning |
|---|---|
| `id` | `fb-0001` ... in date order, unique |
| `created_at` | ISO date `YYYY-MM-DD` ({first_date} to {last_date}) |
| `channel` | `web`, `app` (app store style review), `email_survey` (post-order survey), `chat` (live chat message or transcript excerpt) |
| `nps` | integer 0-10, consistent with the tone of the comment |
| `text` | the comment as the customer wrote it |

The texts are deliberately messy: very short and long comments, informal spelling
and typos, ALL CAPS, emoji, URLs, @mentions and #hashtags, chat transcripts with
line breaks, commas and quotes inside the text (standard CSV quoting, UTF-8).
{n_blank} rows have an empty or whitespace-only `text` and are kept on purpose, and two
comments are not in English (one Spanish, one French). The channel of each comment
was chosen by hand along with its text (app reviews are short, chat messages are
conversational, survey answers are fuller sentences); weeks, dates and ids are
assigned by the script with a fixed seed, and NPS is drawn with a fixed seed from
a range that matches the tone the comment was written in.

- comments that mention one step: {n_one}
- comments that mention two steps: {n_two} ({pct_two:.0f}%)
- comments that mention three steps: {n_three}
- comments that mention no step (off-topic, empty, "n/a", ...): {n_none} ({pct_none:.0f}%)

Comments per channel:

{channel_table}

Comments per week, with the checkout comments (labelled `checkout` in the
reference labels; "negative" = written as a negative comment):

{week_table}

### `ecommerce_feedback_labels.csv` ({n_labels} rows)

Columns `id,step`: one row per (comment, step) pair. These are the **author's
intent labels**: the steps the author had in mind while writing each comment.
They are meant for evaluating steplens's clause classification later; they were
not produced by steplens and are not an independent annotation. A comment that
mentions no step has a single row with step `unassigned` (this includes the
empty rows). Every `id` in the feedback file appears at least once.

Labelled comments per step:

{step_table}

### `ecommerce_metrics.csv` ({n_metrics} rows)

Columns `step,period,entered,completed,median_time_s,support_contacts`, one row per
(step, ISO week) for all 12 steps and 8 weeks.

| column | meaning |
|---|---|
| `step` | step id from the journey |
| `period` | ISO week, e.g. `2026-W27` |
| `entered` | sessions/orders that entered the step that week |
| `completed` | of those, how many completed the step (`completed <= entered`) |
| `median_time_s` | median time in the step, in seconds. For delivery (order placed to delivered), product_experience (delivered to first rating or issue report) and refunds (return received to money back) this is a duration of days, written in seconds |
| `support_contacts` | customer support contacts tagged with this step that week |

The traffic is funnel-like with mild week-to-week noise:

{avg_table}

## The planted pattern: checkout gets worse from 2026-W31

One step visibly degrades so the demo report has something to find.

- **Comments.** In `2026-W27`-`2026-W30` the checkout comments are few and mostly
  positive or neutral (quick, easy, the odd promo-code complaint). From `2026-W31`
  a new problem appears: the **address lookup fails / the checkout page freezes
  after entering the address**. Checkout comments become much more frequent, are
  mostly negative with high customer effort (tried 4 times, 45 minutes, had to
  switch browser, had to phone to place the order, had to re-enter the card) and
  their NPS drops. All other steps are spread evenly over the 8 weeks; delivery is
  moderately negative throughout and customer_support is mixed.
- **Metrics.** Checkout completion drops from about 0.78 to about 0.60 over
  W31-W34, its median time rises from about 100 s to about 170 s, and support
  contacts about checkout go from about 60 to about 250 a week. The other steps
  only have noise (their `entered` volumes were left stable too, even though in a
  real funnel fewer checkout completions would also shrink the later steps).

Checkout metrics by week:

{checkout_table}

## Regenerating

```
python data/samples/make_samples.py
```

The script (standard library only) holds the hand-written comment texts as
literal data, assigns weeks, dates, channels, NPS and ids with fixed seeds,
simulates the metrics with a fixed seed, and writes all four files (including
this README with the counts above). Running it again reproduces the committed
files exactly.
"""


def main():
    items = build_feedback()
    write_csv(
        os.path.join(HERE, "ecommerce_feedback.csv"),
        ["id", "created_at", "channel", "nps", "text"],
        [dict(it, created_at=it["date"].isoformat()) for it in items],
    )

    label_rows = []
    for it in items:
        for step in it["steps"] or ["unassigned"]:
            label_rows.append({"id": it["id"], "step": step})
    write_csv(os.path.join(HERE, "ecommerce_feedback_labels.csv"), ["id", "step"], label_rows)

    metric_rows = build_metrics()
    write_csv(
        os.path.join(HERE, "ecommerce_metrics.csv"),
        ["step", "period", "entered", "completed", "median_time_s", "support_contacts"],
        metric_rows,
    )

    with open(os.path.join(HERE, "README.md"), "w", encoding="utf-8", newline="\n") as fh:
        fh.write(build_readme(items, label_rows, metric_rows))

    print(
        "wrote %d comments, %d labels, %d metric rows to %s"
        % (len(items), len(label_rows), len(metric_rows), HERE)
    )


if __name__ == "__main__":
    main()
