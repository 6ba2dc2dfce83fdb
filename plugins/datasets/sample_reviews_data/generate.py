"""Generate the bundled "sample-reviews" sentiment dataset.

Writes three CSV files next to this script:

    train.csv       540 rows (270 positive / 270 negative)
    validation.csv   90 rows  (45 positive /  45 negative)
    test.csv         90 rows  (45 positive /  45 negative)

Each file has the header ``text,label``; ``label`` is ``positive`` or
``negative``.  The texts are short English customer reviews (1-3 sentences,
6-45 words) of products, movies, restaurants, apps, hotels and home services.

The reviews are synthetic: they are assembled from the slot lists and
template families below.  Many templates are deliberately built so that a
bag of single keywords cannot decide the label - negation ("I can't
recommend it" vs "I can't recommend it enough"), contrast ("X, but Y" where
Y decides) and word order ("great at first, but now broken" vs "rough at
first, but now great") carry the sentiment instead.  Every template still
has one clear sentiment a human reader would agree on; there are no neutral
examples.

The output is fully deterministic (fixed seed, stdlib only), so re-running
reproduces byte-identical files.  To regenerate, run from the repo root:

    python plugins/datasets/sample_reviews_data/generate.py
"""

import csv
import io
import os
import random
import re

SEED = 20240611
HERE = os.path.dirname(os.path.abspath(__file__))

# Examples per class in each split; equal counts keep every split balanced.
PER_CLASS = {"train": 270, "validation": 45, "test": 45}

MIN_WORDS, MAX_WORDS = 6, 45
MAX_SENTENCES = 3

# Two same-label texts sharing this large a fraction of their word set are
# treated as near-duplicates and the later one is rejected.
NEAR_DUPLICATE_JACCARD = 0.7

# Kinds of example, recorded only for the summary printed at the end.
# "plain" examples can be decided from sentiment keywords; the other kinds
# need negation, contrast or word order to get the label right.
PLAIN, NEGATION, CONTRAST, ORDER = "plain", "negation", "contrast", "order"


# ---------------------------------------------------------------------------
# Slot lists.  Each domain carries its own subjects and aspect clauses so
# that sentences stay coherent (no "the plot was cold" for a hotel), plus a
# little grammar (tense, pronoun) because hotels and films are reviewed in
# the past tense, products and apps in the present, services as "they".
#
# Aspect clauses may carry a "[topic]" prefix.  Templates that put a good
# and a bad clause in one review never pick two clauses sharing a topic, so
# a review cannot say "they showed up late" and "they showed up on time".
# "minor_*" clauses are small points that do not decide a review on their
# own; "early_*"/"late_*" clauses describe how an experience started and
# ended.
# ---------------------------------------------------------------------------

DOMAINS = [
    {
        "name": "product",
        "be": "is", "be_not": "isn't",
        "pron": "it", "pron_was_not": "it wasn't",
        "subjects": [
            "this blender", "the coffee grinder", "this vacuum cleaner",
            "the desk lamp", "this air fryer", "the backpack",
            "this electric kettle", "the mechanical keyboard",
            "this office chair", "the rice cooker", "this space heater",
            "the bluetooth speaker", "this hair dryer", "the standing desk",
            "this toaster",
        ],
        "contexts": [
            "Bought this a month ago.", "Ordered it for my small apartment.",
            "Got this as a birthday gift.",
            "I've had it for about three weeks now.",
            "Picked it up during a sale.", "It replaced my old one.",
            "Bought it after reading a lot of reviews.",
            "I use it almost every day.",
        ],
        "pos": [
            "[build] it feels solid and well built",
            "setup took less than ten minutes",
            "[listing,works] it does exactly what the listing promised",
            "[works,build] it has held up perfectly to daily use",
            "[build] the quality is far better than I expected for the price",
            "[noise] it's quiet, compact and easy to clean",
            "[build] every part fits together perfectly",
            "[works,build] it still works like new after months of use",
            "[build] the materials feel premium",
            "it's a genuine pleasure to use",
        ],
        "neg": [
            "[works] it stopped working after nine days",
            "[build,works] a plastic hinge snapped the first week",
            "[build] it feels cheap and wobbly",
            "[listing] it looks nothing like the photos",
            "[build] half the screws were missing from the box",
            "[noise] it makes a horrible rattling noise",
            "[build,works] the finish started peeling within a month",
            "[works] it overheats and shuts itself off",
            "[works] the buttons stopped responding after a few uses",
            "the seller ignored my refund request",
        ],
        "minor_pos": [
            "the packaging looks nice", "it arrived a day early",
            "the color is lovely", "it looks great on the shelf",
            "it comes with a handy storage pouch",
        ],
        "minor_neg": [
            "shipping took a little longer than promised",
            "the manual is poorly translated",
            "the box arrived a bit dented",
            "[listing] the color is slightly different from the photos",
            "the cord is a little short",
            "[noise] it's a bit louder than I'd like",
        ],
        "early_bad": [
            "the first few days were frustrating",
            "setup was a real headache",
            "it took me a while to get the hang of it",
        ],
        "late_good": [
            "now it works perfectly", "now I use it every single day",
            "now I honestly can't imagine going without it",
            "now it runs like a dream",
        ],
        "early_good": [
            "it worked perfectly for the first month",
            "the first week was great",
            "it seemed fine out of the box",
        ],
        "late_bad": [
            "now it won't even turn on", "now it barely works",
            "now it's collecting dust because it keeps failing",
            "now it cuts out every few minutes",
        ],
        "nouns": ["the build quality", "the performance", "the design",
                  "the durability"],
        "negatable": ["disappointing", "flimsy", "overpriced",
                      "a waste of money"],
        "flaw": ["cheap", "flimsy"],
        "revisit": ["buy it again", "order another one", "buy this again"],
        "try": "buy", "trying": "buying",
        "goals": ["something that will last",
                  "a reliable everyday gadget"],
        "money": ["the money", "the price"],
        "superlative": ["the {sup} purchase I've made this year",
                        "the {sup} thing I've bought in ages"],
        "has_price": True,
    },
    {
        "name": "movie",
        "be": "was", "be_not": "wasn't",
        "pron": "it", "pron_was_not": "it wasn't",
        "subjects": [
            "this movie", "the film", "the sequel", "this documentary",
            "the new thriller", "this animated feature", "the remake",
            "this horror film", "the period drama", "this romantic comedy",
            "the sci-fi epic", "this indie film",
        ],
        "contexts": [
            "Watched this with my partner on Friday.",
            "Saw it at a late showing.", "Streamed it last weekend.",
            "Went in knowing nothing about it.", "Watched it with the kids.",
            "Caught it on a long flight.", "Saw it on opening night.",
        ],
        "pos": [
            "[acting] the acting was superb across the board",
            "[plot] the plot kept me guessing until the end",
            "[sound] the soundtrack was beautiful",
            "[ending] the ending landed perfectly",
            "[dialogue] the dialogue felt sharp and natural",
            "[pacing] the pacing never dragged",
            "the visuals were stunning",
            "[characters] the characters felt like real people",
            "[humor] it made me laugh and cry",
            "[pacing,plot] every scene earned its place",
        ],
        "neg": [
            "[plot] the plot made no sense",
            "[acting] the acting was wooden",
            "[pacing] it dragged on for far too long",
            "[ending] the ending was a cheap cop-out",
            "[humor] the jokes fell completely flat",
            "[dialogue] the dialogue was painfully clumsy",
            "[characters] the characters were paper thin",
            "[plot] the twist was obvious from the first scene",
            "[sound,dialogue] the sound mix made half the lines inaudible",
            "[pacing] I checked my phone every ten minutes",
        ],
        "minor_pos": [
            "the poster is gorgeous", "the costumes were nice",
            "the opening credits looked slick",
            "one song in the middle was catchy",
            "the first shot was pretty",
        ],
        "minor_neg": [
            "[pacing] it runs a little long", "[pacing] the opening is slow",
            "[humor] a couple of jokes miss",
            "[plot] the trailer gave away too much",
            "[plot] one subplot goes nowhere",
        ],
        "early_bad": [
            "the first half hour was slow",
            "the opening was confusing",
            "it took a while to get going",
        ],
        "late_good": [
            "the second half was absolutely gripping",
            "once it found its feet it was brilliant",
            "the last hour was incredible",
        ],
        "early_good": [
            "the first act was promising",
            "the opening scene was great",
            "it started off strong",
        ],
        "late_bad": [
            "the second half fell apart completely",
            "the last hour was a mess",
            "it lost the plot entirely by the midpoint",
        ],
        "nouns": ["the acting", "the script", "the pacing",
                  "the soundtrack", "the ending"],
        "negatable": ["boring", "disappointing", "predictable",
                      "a letdown"],
        "flaw": ["rushed", "forced"],
        "revisit": ["watch it again", "sit through it again",
                    "see it a second time"],
        "try": "watch", "trying": "watching",
        "goals": ["a fun night in", "something that makes you think"],
        "money": ["the ticket price", "two hours of my time"],
        "superlative": ["the {sup} thing I've watched this year",
                        "the {sup} night at the movies I've had in years"],
        "has_price": False,
    },
    {
        "name": "restaurant",
        "be": "was", "be_not": "wasn't",
        "pron": "it", "pron_was_not": "it wasn't",
        "subjects": [
            "this place", "the restaurant", "this little bistro",
            "the new taco spot", "this pizzeria", "the sushi bar",
            "this cafe", "the noodle shop", "the steakhouse",
            "this brunch spot", "the seafood restaurant", "this family diner",
        ],
        "contexts": [
            "Came here for a birthday dinner.",
            "We stopped in for lunch on a Tuesday.",
            "Ordered takeout on a rainy evening.",
            "Went with a group of six.", "First visit after it reopened.",
            "Tried it for brunch last Sunday.", "Booked a table for two.",
        ],
        "pos": [
            "[food,speed] the food came out hot and fresh",
            "[portions] the portions were generous",
            "[staff] our server was attentive and friendly",
            "[food] every dish was cooked perfectly",
            "the desserts were incredible",
            "[price] the prices were very fair for the quality",
            "[food] everything on the plate was full of flavor",
            "[staff] the staff went out of their way to make us welcome",
            "the bread was clearly baked that morning",
            "[staff] our drinks were refilled without asking",
        ],
        "neg": [
            "[food] the food was cold and bland",
            "[speed] we waited an hour for our mains",
            "[staff] our server ignored us all night",
            "[food] the fish tasted off",
            "the table was sticky and the floor was filthy",
            "[price] the bill had items we never ordered",
            "[food] everything was drowning in salt",
            "[portions,price] the portions were tiny for the price",
            "[staff] the manager shrugged when we complained",
            "[food] I got sick that night",
        ],
        "minor_pos": [
            "the decor was charming", "parking was easy",
            "the bread basket was nice", "the music was pleasant",
            "the menu looked great",
        ],
        "minor_neg": [
            "parking was a nightmare", "it was a bit noisy",
            "the menu is small",
            "[speed] we had to wait ten minutes for a table",
            "the chairs are a little uncomfortable",
        ],
        "early_bad": [
            "the wait for a table was long",
            "the first course was slow to arrive",
            "we almost walked out when we saw the line",
        ],
        "late_good": [
            "everything after that was excellent",
            "the main course made up for it and then some",
            "by dessert we were already planning our next visit",
        ],
        "early_good": [
            "the appetizers were lovely",
            "it started well with a warm welcome",
            "the first course was promising",
        ],
        "late_bad": [
            "the main course was a disaster",
            "everything after that went downhill fast",
            "the mains arrived cold and overcooked",
        ],
        "nouns": ["the food", "the service", "the atmosphere",
                  "the drinks"],
        "negatable": ["disappointing", "overpriced", "a letdown"],
        "flaw": ["rushed", "careless"],
        "revisit": ["eat here again", "go back", "come back here"],
        "try": "try", "trying": "trying",
        "goals": ["a good meal at a fair price", "a cozy dinner spot"],
        "money": ["the price", "what we paid"],
        "superlative": ["the {sup} place to eat in this town",
                        "the {sup} dinner spot we've tried all year"],
        "has_price": True,
    },
    {
        "name": "app",
        "be": "is", "be_not": "isn't",
        "pron": "it", "pron_was_not": "it wasn't",
        "subjects": [
            "this app", "the latest version", "this budgeting app",
            "the photo editor", "this meditation app", "the workout tracker",
            "this note-taking app", "the banking app",
            "this language learning app", "the recipe app",
            "this habit tracker", "the podcast player",
        ],
        "contexts": [
            "Been using this for two months.",
            "Downloaded it after a friend suggested it.",
            "Switched to this from another app.",
            "I use it on my phone and tablet.",
            "Tried the free trial first.", "Installed it for work.",
        ],
        "pos": [
            "[works] it syncs instantly across all my devices",
            "[ui] the interface is clean and intuitive",
            "[works,battery] it runs smoothly even on my old phone",
            "the reminders are actually useful",
            "[works] it saves me time every single day",
            "[support] the developers fix bugs quickly",
            "[ads] it never nags me to upgrade",
            "[ui] everything I need is one tap away",
            "[works] it works offline without a hitch",
            "[ads] the free version is genuinely generous",
        ],
        "neg": [
            "[works] it crashes every time I open it",
            "[battery] it drains my battery in a few hours",
            "[ads] the ads are constant and intrusive",
            "[login] it logs me out every single day",
            "[ads] half the features sit behind a paywall",
            "[works] it lost a week of my data",
            "[ui] the interface is a confusing mess",
            "[support] support never answered my emails",
            "[works] it freezes whenever I try to save",
            "[works,support] the latest update broke basic features",
        ],
        "minor_pos": [
            "the icon looks nice", "the color scheme is pretty",
            "the onboarding was quick", "the logo is cute",
            "the sign-up screen is slick",
        ],
        "minor_neg": [
            "the icon is ugly", "the onboarding is a bit long",
            "dark mode is missing", "there are a few small typos",
            "[ui] the settings menu is cluttered",
        ],
        "early_bad": [
            "the first version I tried was buggy",
            "getting started was a little confusing",
            "the first week was rough",
        ],
        "late_good": [
            "now it's rock solid",
            "after a couple of updates it works flawlessly",
            "now it's the app I open most",
        ],
        "early_good": [
            "it worked perfectly for the first few months",
            "at first it was fast and simple",
            "it started out great",
        ],
        "late_bad": [
            "now it crashes constantly",
            "the last update ruined it",
            "now it's bloated and painfully slow",
        ],
        "nouns": ["the interface", "the syncing", "the performance",
                  "the support team"],
        "negatable": ["buggy", "confusing", "disappointing"],
        "flaw": ["clunky", "buggy"],
        "revisit": ["keep using it", "pay for it again",
                    "recommend it to friends"],
        "try": "download", "trying": "downloading",
        "goals": ["an app that just works",
                  "something simple and dependable"],
        "money": ["the subscription", "the price"],
        "superlative": ["the {sup} app on my phone",
                        "the {sup} download I've made in ages"],
        "has_price": True,
    },
    {
        "name": "hotel",
        "be": "was", "be_not": "wasn't",
        "pron": "it", "pron_was_not": "it wasn't",
        "subjects": [
            "the hotel", "this resort", "the guesthouse", "this hostel",
            "the beach resort", "this boutique hotel", "the airport hotel",
            "the mountain lodge", "this inn", "the seaside motel",
            "this bed and breakfast",
        ],
        "contexts": [
            "Stayed two nights for a conference.",
            "We booked a week here for our anniversary.",
            "Spent one night here on a road trip.",
            "Stayed here with two kids.", "Booked it last minute.",
            "Came for a long weekend.",
        ],
        "pos": [
            "[bed] the bed was incredibly comfortable",
            "[staff] the front desk staff were warm and helpful",
            "[clean] the room was spotless",
            "the breakfast was excellent",
            "the view from the balcony was stunning",
            "check-in took two minutes",
            "[noise] it was quiet enough to sleep with the window open",
            "[staff] the staff remembered our names",
            "[clean] housekeeping was thorough every day",
            "[shower] the shower had great pressure and plenty of hot water",
        ],
        "neg": [
            "[clean] the room smelled of stale smoke",
            "[noise] the walls were paper thin",
            "[shower] the shower was lukewarm at best",
            "[clean] the carpet was stained and sticky",
            "[staff] the front desk was rude and unhelpful",
            "the air conditioning never worked",
            "[clean] we found bugs in the bathroom",
            "[clean,bed] the sheets looked unwashed",
            "[staff] they charged us twice and took weeks to refund it",
            "[noise] the noise from the street kept us up all night",
        ],
        "minor_pos": [
            "the lobby looked impressive",
            "the location was convenient",
            "the welcome drink was a nice touch",
            "the photos online looked lovely",
            "the pool area was pretty",
        ],
        "minor_neg": [
            "the elevator was slow", "parking cost extra",
            "the lobby is a bit dated", "the room was on the small side",
            "the pool closed early",
        ],
        "early_bad": [
            "check-in was slow",
            "the first room they gave us was noisy",
            "we arrived to a mix-up with our booking",
        ],
        "late_good": [
            "they sorted it out immediately and the rest of the stay was "
            "perfect",
            "after that everything was wonderful",
            "they upgraded us and the rest of the week was fantastic",
        ],
        "early_good": [
            "the first night was lovely", "check-in was smooth",
            "it looked beautiful when we arrived",
        ],
        "late_bad": [
            "by the second day the problems were piling up",
            "the rest of the stay was miserable",
            "after that it was one problem after another",
        ],
        "nouns": ["the room", "the service", "the breakfast",
                  "the location"],
        "negatable": ["disappointing", "noisy", "overpriced", "run-down"],
        "flaw": ["run-down", "dirty"],
        "revisit": ["stay here again", "book this place again",
                    "come back"],
        "try": "book", "trying": "booking",
        "goals": ["a comfortable place to stay",
                  "a relaxing weekend away"],
        "money": ["the nightly rate", "the price"],
        "superlative": ["the {sup} place I've stayed in years",
                        "the {sup} place we've stayed on any trip"],
        "has_price": True,
    },
    {
        "name": "service",
        "be": "was", "be_not": "wasn't",
        "pron": "they", "pron_was_not": "they weren't",
        "subjects": [
            "the moving company", "this cleaning service",
            "the plumbing company", "the landscaping crew",
            "this handyman service", "the pest control company",
            "the window cleaning company", "this appliance repair service",
            "the carpet cleaning company", "this painting contractor",
        ],
        "contexts": [
            "Booked them after getting three quotes.",
            "Used them for a one-off job last month.",
            "Needed them on short notice.", "We've used them twice now.",
            "Found them through a neighbor.",
            "Hired them before we moved in.",
        ],
        "pos": [
            "[time] they showed up right on time",
            "[comm] they explained everything clearly before starting",
            "[price] the final price matched the quote exactly",
            "[quality] they fixed the problem on the first visit",
            "[manner] everyone was polite and professional",
            "[mess] they cleaned up after themselves",
            "[comm] they answered every call and message quickly",
            "[quality] the work was careful and thorough",
            "[time] they finished a day ahead of schedule",
            "[manner] they treated our home with real care",
        ],
        "neg": [
            "[time] they showed up three hours late",
            "[price] they charged far more than the quote",
            "[comm] nobody returned my calls",
            "[quality] the job had to be redone by someone else",
            "[manner] the crew was dismissive and rude",
            "[mess] they left a mess everywhere",
            "[time,comm] they cancelled twice without notice",
            "[manner,quality] they damaged a wall and denied it",
            "[quality] the work was sloppy and rushed",
            "[price] they demanded cash up front",
        ],
        "minor_pos": [
            "their website looked professional",
            "booking online was easy",
            "the person on the phone was polite",
            "the van was clean",
            "they sent a reminder text the day before",
        ],
        "minor_neg": [
            "booking online was a bit clunky",
            "[comm] their phone line is often busy",
            "[comm] the quote took a couple of days",
            "their website is outdated",
            "[price] the invoice was a little confusing",
        ],
        "early_bad": [
            "scheduling was a hassle",
            "the first visit got off to a rocky start",
            "they were a bit late on day one",
        ],
        "late_good": [
            "the actual work was flawless",
            "they more than made up for it with excellent work",
            "the end result was perfect",
        ],
        "early_good": [
            "the first visit went smoothly",
            "they seemed professional at first",
            "the quote process was easy",
        ],
        "late_bad": [
            "everything went downhill after that",
            "the actual work was a disaster",
            "they vanished halfway through the job",
        ],
        "nouns": ["the work", "the communication", "the cleanup",
                  "the pricing"],
        "negatable": ["unreliable", "disappointing", "overpriced"],
        "flaw": ["rushed", "careless"],
        "revisit": ["hire them again", "use them again",
                    "call them again"],
        "try": "hire", "trying": "hiring",
        "goals": ["a crew you can trust", "honest, reliable work"],
        "money": ["what they charged", "the price"],
        "superlative": ["the {sup} company I've ever hired",
                        "the {sup} money I've spent on the house"],
        "has_price": True,
    },
]

# Slots shared by all domains.
POS_ADJ = ["excellent", "fantastic", "wonderful", "superb", "outstanding",
           "impressive", "brilliant", "terrific", "great"]
NEG_ADJ = ["terrible", "awful", "disappointing", "dreadful", "mediocre",
           "poor", "frustrating", "lousy", "subpar"]
INTENSIFIERS = ["", "really", "absolutely", "genuinely", "honestly",
                "truly"]
# Adjectives that read naturally after "anything but" / "by any stretch".
SOFT_POS_ADJ = ["impressive", "enjoyable", "pleasant", "good value",
                "special", "memorable"]
STRONG_POS_ADJ = ["amazing", "spectacular", "excellent", "brilliant",
                  "wonderful", "superb"]
LIKE_VERBS = ["like", "enjoy", "love"]
LIKED_VERBS = ["liked", "enjoyed", "loved"]
CONCESSIONS = ["Sure", "Yes", "Granted", "Admittedly", "Okay"]
EXCLAIM_POS = ["Wow", "What a pleasant surprise", "Loved it",
               "So impressed", "What a find"]
EXCLAIM_NEG = ["Ugh", "What a letdown", "Awful experience",
               "So disappointed", "What a mess"]
STARS_POS = ["Five stars", "Five stars, easily", "Ten out of ten",
             "Full marks"]
STARS_NEG = ["One star", "One star, and that's generous",
             "Zero stars if I could", "Half a star at most"]
CLOSERS_NEUTRAL = ["Just my honest opinion.", "That's my two cents.",
                   "Hope this helps someone deciding.",
                   "Just sharing my experience.",
                   "Writing this so others know what to expect."]
CLOSERS_POS = ["Highly recommended.", "Would recommend.",
               "Very happy customer here.", "Money well spent.",
               "Thumbs up from me."]
CLOSERS_NEG = ["Avoid.", "Save your money.", "Very disappointed.",
               "Thumbs down from me.", "Stay away."]
VERDICTS_POS = ["I would {revisit} without a second thought",
                "I'd happily recommend {subj} to friends",
                "I'm really glad I gave {subj} a chance"]
VERDICTS_NEG = ["I won't {revisit}",
                "I'd steer my friends away from {subj}",
                "I'm sorry I gave {subj} a chance"]


# ---------------------------------------------------------------------------
# Small text helpers.
# ---------------------------------------------------------------------------

def cap(text):
    """Capitalise the first letter only (str.capitalize lowers the rest)."""
    return text[:1].upper() + text[1:]


def sentence(text):
    """Capitalise and make sure the sentence ends with punctuation."""
    text = cap(text.strip())
    return text if text[-1] in ".!?" else text + "."


def join(*sentences):
    """Join already-finished sentences, skipping empty optional slots."""
    return " ".join(s for s in sentences if s)


def words(text):
    return re.findall(r"[a-z']+", text.lower())


def sentence_count(text):
    # "Ugh!" and "Absolutely." count as sentences of their own.
    return len(re.findall(r"[.!?](?=\s|$)", text))


def fits_length(text):
    return (MIN_WORDS <= len(text.split()) <= MAX_WORDS
            and 1 <= sentence_count(text) <= MAX_SENTENCES)


# ---------------------------------------------------------------------------
# Template families.  Each takes (rng, domain, positive) and returns
# (text, kind).  Most families exist in matched positive/negative versions
# that share vocabulary, so the label is carried by structure, not keywords.
# ---------------------------------------------------------------------------

def _subj(rng, d):
    return rng.choice(d["subjects"])


def parse_tagged(item):
    """Split "[topic,topic] clause" into (clause, topics).

    Clauses that could contradict each other share a topic tag ("they
    showed up late" / "they showed up on time" are both [time]); an
    untagged clause is its own topic.
    """
    if item.startswith("["):
        tags, text = item[1:].split("] ", 1)
        return text, frozenset(tags.split(","))
    return item, frozenset([item])


def _pick_tagged(rng, items, avoid=frozenset()):
    """Pick (clause, topics) whose topics do not overlap ``avoid``."""
    options = [parse_tagged(item) for item in items]
    return rng.choice([o for o in options if not o[1] & avoid])


def _aspect_tagged(rng, d, positive, avoid=frozenset()):
    return _pick_tagged(rng, d["pos"] if positive else d["neg"], avoid)


def _aspect(rng, d, positive, avoid=frozenset()):
    return _aspect_tagged(rng, d, positive, avoid)[0]


def _minor_tagged(rng, d, positive):
    """A small point *against* the overall verdict (opposite polarity)."""
    return _pick_tagged(rng, d["minor_neg"] if positive else d["minor_pos"])


def _minor(rng, d, positive):
    return _minor_tagged(rng, d, positive)[0]


def _two_aspects(rng, d, positive):
    first, second = rng.sample(d["pos"] if positive else d["neg"], 2)
    return parse_tagged(first)[0], parse_tagged(second)[0]


def _revisit(rng, d):
    return rng.choice(d["revisit"])


def _intensified(rng, adj):
    return " ".join(w for w in (rng.choice(INTENSIFIERS), adj) if w)


def plain_adjective(rng, d, positive):
    adj = rng.choice(POS_ADJ if positive else NEG_ADJ)
    return join(
        sentence(f"{_subj(rng, d)} {d['be']} {_intensified(rng, adj)}"),
        sentence(_aspect(rng, d, positive)),
    ), PLAIN


def plain_two_aspects(rng, d, positive):
    first, second = _two_aspects(rng, d, positive)
    return sentence(f"{first}, and {second}"), PLAIN


def plain_verdict(rng, d, positive):
    verdict = rng.choice(VERDICTS_POS if positive else VERDICTS_NEG)
    verdict = verdict.format(revisit=_revisit(rng, d), subj=_subj(rng, d))
    return join(sentence(_aspect(rng, d, positive)), sentence(verdict)), PLAIN


def plain_superlative(rng, d, positive):
    phrase = rng.choice(d["superlative"]).format(
        sup="best" if positive else "worst")
    return join(
        sentence(f"{_subj(rng, d)} {d['be']} easily {phrase}"),
        sentence(_aspect(rng, d, positive)),
    ), PLAIN


def plain_exclamation(rng, d, positive):
    first, second = _two_aspects(rng, d, positive)
    excl = rng.choice(EXCLAIM_POS if positive else EXCLAIM_NEG)
    return join(f"{excl}!", sentence(f"{first}, and {second}")), PLAIN


def plain_stars(rng, d, positive):
    stars = rng.choice(STARS_POS if positive else STARS_NEG)
    return join(sentence(stars), sentence(_aspect(rng, d, positive))), PLAIN


def both_or_neither(rng, d, positive):
    n1, n2 = rng.sample(d["nouns"], 2)
    if positive:
        adj = rng.choice(["excellent", "spot on", "great", "first-rate"])
        return sentence(f"both {n1} and {n2} were {adj}"), PLAIN
    # "Neither ... any good" puts a positive word inside a negative review.
    verb = "were" if n2.endswith("s") else "was"  # agrees with nearer noun
    return sentence(f"neither {n1} nor {n2} {verb} any good"), NEGATION


def would_again(rng, d, positive):
    # The bare answer word ("Absolutely" vs "Absolutely not") is all that
    # separates the classes; sometimes prefix a concession of the opposite
    # polarity so that the surface clue points the wrong way.
    question = f"would I {_revisit(rng, d)}?"
    if positive:
        answer = rng.choice(["Absolutely.", "Definitely.",
                             "Without a doubt.", "In a heartbeat."])
    else:
        answer = rng.choice(["Absolutely not.", "Definitely not.",
                             "Not a chance.", "Not in a million years."])
    if rng.random() < 0.5:
        minor = _minor(rng, d, positive)
        return join(sentence(f"{minor}, but {question}"), answer), CONTRAST
    kind = PLAIN if positive else NEGATION
    return join(rng.choice(d["contexts"]), cap(question), answer), kind


def problems(rng, d, positive):
    subj = _subj(rng, d)
    if positive:
        text = rng.choice([
            f"I've never had a single problem with {subj}",
            f"not a single thing went wrong with {subj}",
            f"no complaints about {subj} whatsoever",
        ])
    else:
        text = rng.choice([
            f"I've had nothing but problems with {subj}",
            f"not a single thing went right with {subj}",
            f"nothing but complaints about {subj}",
        ])
    return sentence(text), NEGATION


def negated_adjective(rng, d, positive):
    subj = _subj(rng, d)
    if positive:
        adj = rng.choice(d["negatable"])
        text = rng.choice([
            f"{subj} {d['be_not']} {adj} at all",
            f"{subj} {d['be']} far from {adj}",
            f"{subj} {d['be']} not {adj} in the slightest",
        ])
    else:
        text = rng.choice([
            f"{subj} {d['be_not']} {rng.choice(SOFT_POS_ADJ)} "
            f"by any stretch",
            f"{subj} {d['be']} anything but {rng.choice(SOFT_POS_ADJ)}",
            f"{subj} {d['be']} not {rng.choice(POS_ADJ)} in the slightest",
        ])
    return sentence(text), NEGATION


def nothing_short_of(rng, d, positive):
    subj = _subj(rng, d)
    if positive:
        text = f"{subj} {d['be']} nothing short of " \
               f"{rng.choice(STRONG_POS_ADJ)}"
    else:
        text = f"{subj} {d['be']} nowhere near as " \
               f"{rng.choice(['good', 'fun', 'impressive'])} as people say"
    return sentence(text), NEGATION


def expected(rng, d, positive):
    subj = _subj(rng, d)
    if positive:
        lead = rng.choice([f"I expected to hate {subj}",
                           f"I went in expecting the worst from {subj}",
                           f"I had low hopes for {subj}"])
    else:
        lead = rng.choice([f"I expected to love {subj}",
                           f"I went in expecting great things from {subj}",
                           f"I had high hopes for {subj}"])
    return sentence(f"{lead}, but {_aspect(rng, d, positive)}"), CONTRAST


def worried_hoping(rng, d, positive):
    pron, was_not = d["pron"], d["pron_was_not"]
    if positive:
        adj = rng.choice(d["negatable"])
        text = rng.choice([
            f"I was worried {pron} would be {adj}, but {was_not} at all",
            f"I was told {pron} would be {adj}. Honestly, {was_not}",
        ])
    else:
        adj = rng.choice(["great", "worth the money", "something special",
                          "good"])
        text = rng.choice([
            f"I was hoping {pron} would be {adj}, but {was_not}",
            f"I was told {pron} would be {adj}. Honestly, {was_not}",
        ])
    text = ". ".join(cap(part) for part in text.split(". "))
    return join(rng.choice(d["contexts"]), sentence(text)), NEGATION


def temporal(rng, d, positive):
    # Same vocabulary in both classes; only the order of good and bad decides.
    if positive:
        early, late = rng.choice(d["early_bad"]), rng.choice(d["late_good"])
    else:
        early, late = rng.choice(d["early_good"]), rng.choice(d["late_bad"])
    return sentence(f"{early}, but {late}"), ORDER


def concession(rng, d, positive):
    # "Sure, <small thing>, but <big thing>": the clause after "but" decides.
    minor, topics = _minor_tagged(rng, d, positive)
    text = f"{rng.choice(CONCESSIONS)}, {minor}, but " \
           f"{_aspect(rng, d, positive, avoid=topics)}"
    if rng.random() < 0.4:
        text += rng.choice([", and that's what matters",
                            ", and that's what counts"])
    return sentence(text), CONTRAST


def major_contrast(rng, d, positive):
    # "<good>, but <bad>, which ruined it": a strong positive clause sits in
    # a negative review.  The positive direction starts from a small flaw,
    # because a serious one (food poisoning, a damaged wall) cannot
    # credibly be "made up for" and would leave the label in doubt.
    if positive:
        first, topics = _minor_tagged(rng, d, True)
        tail = "which more than made up for it"
    else:
        first, topics = _aspect_tagged(rng, d, True)
        tail = "which ruined it for me"
    second = _aspect(rng, d, positive, avoid=topics)
    return sentence(f"{first}, but {second}, {tail}"), CONTRAST


def not_that(rng, d, positive):
    subj = _subj(rng, d)
    if positive:
        text = f"{subj} {d['be_not']} perfect, but " \
               f"{_aspect(rng, d, True)}, and that's enough for me"
        return sentence(text), CONTRAST
    if rng.random() < 0.5:
        minor, topics = _minor_tagged(rng, d, True)
        text = join(sentence(f"it's not that {minor}"),
                    sentence(f"the real problem is that "
                             f"{_aspect(rng, d, False, avoid=topics)}"))
        return text, NEGATION
    text = f"{subj} {d['be_not']} terrible, but {_aspect(rng, d, False)}, " \
           f"so I won't {_revisit(rng, d)}"
    return sentence(text), CONTRAST


def look_further(rng, d, positive):
    goal = rng.choice(d["goals"])
    if positive:
        text, kind = f"if you're looking for {goal}, look no further", \
            NEGATION
    else:
        text, kind = f"if you're looking for {goal}, look elsewhere", PLAIN
    # The goal phrase never names the subject, so lead with a context line.
    return join(rng.choice(d["contexts"]), sentence(text)), kind


def nothing_everything(rng, d, positive):
    flaw = rng.choice(d["flaw"])
    subj = _subj(rng, d)
    if positive:
        return sentence(f"nothing about {subj} felt {flaw}"), NEGATION
    return sentence(f"everything about {subj} felt {flaw}"), PLAIN


def more_less_than(rng, d, positive):
    feeling = rng.choice(["happy", "impressed", "satisfied"])
    amount = "more" if positive else "less"
    text = sentence(f"I was {amount} than {feeling} with {_subj(rng, d)}")
    return join(rng.choice(d["contexts"]), text), \
        PLAIN if positive else NEGATION


def close_far(rng, d, positive):
    subj = _subj(rng, d)
    if positive:
        text, kind = f"{subj} {d['be']} close to perfect", PLAIN
    else:
        text, kind = f"{subj} {d['be']} far from perfect", NEGATION
    return join(rng.choice(d["contexts"]), sentence(text)), kind


def cant_recommend(rng, d, positive):
    subj = _subj(rng, d)
    if positive:
        text = rng.choice([f"I can't recommend {subj} enough",
                           f"I can't say enough good things about {subj}"])
    else:
        text = rng.choice([f"I can't recommend {subj}",
                           f"I can't say anything good about {subj}"])
    return join(rng.choice(d["contexts"]), sentence(text)), NEGATION


def worth(rng, d, positive):
    money = rng.choice(d["money"])
    subj = _subj(rng, d)
    if positive:
        text, kind = f"{subj} {d['be']} well worth {money}", PLAIN
    else:
        text, kind = rng.choice([
            f"{subj} {d['be']} hardly worth {money}",
            f"{subj} {d['be_not']} worth {money}, not even close",
        ]), NEGATION
    return join(rng.choice(d["contexts"]), sentence(text)), kind


def wouldnt_call(rng, d, positive):
    subj = _subj(rng, d)
    if positive:
        text = f"I wouldn't change a thing about {subj}"
    else:
        text = f"I wouldn't call {subj} {rng.choice(POS_ADJ)} by any means"
    return join(rng.choice(d["contexts"]), sentence(text)), NEGATION


def regret(rng, d, positive):
    subj = _subj(rng, d)
    if positive:
        return sentence(f"my only regret is not {d['trying']} {subj} "
                        f"sooner"), NEGATION
    return join(rng.choice(d["contexts"]),
                sentence(f"I regret {d['trying']} {subj}")), PLAIN


def thought_right_wrong(rng, d, positive):
    # Four-way pattern: expectation (thought / didn't think) times outcome
    # (right / wrong).  The words are identical across classes.
    subj = _subj(rng, d)
    expected_good = rng.random() < 0.5
    was_right = expected_good == positive
    # "I didn't think I'd love it, and I was right" only says it was not
    # loved; with "like"/"enjoy" it clearly says it was disliked.
    like = rng.choice(LIKE_VERBS if positive or expected_good
                      else ["like", "enjoy"])
    belief = "I thought I'd" if expected_good else "I didn't think I'd"
    outcome = "right" if was_right else "wrong"
    return sentence(f"{belief} {like} {subj}, and I was {outcome}"), ORDER


def be_lying(rng, d, positive):
    subj = _subj(rng, d)
    if positive:
        text = f"I'd be lying if I said I didn't {rng.choice(LIKE_VERBS)} " \
               f"{subj}"
    else:
        text = f"I'd be lying if I said I {rng.choice(LIKED_VERBS)} {subj}"
    return join(rng.choice(d["contexts"]), sentence(text)), NEGATION


def could_be_better(rng, d, positive):
    noun = rng.choice(d["nouns"])
    if positive:
        text, kind = rng.choice([f"{noun} could not have been better",
                                 f"{noun} couldn't have been better"]), \
            NEGATION
    else:
        text, kind = rng.choice([f"{noun} could have been a lot better",
                                 f"{noun} could have been much better"]), \
            PLAIN
    return join(rng.choice(d["contexts"]), sentence(text)), kind


def dont_hesitate(rng, d, positive):
    subj = _subj(rng, d)
    if positive:
        text, kind = f"don't hesitate to {d['try']} {subj}", NEGATION
    else:
        text, kind = rng.choice([f"don't bother with {subj}",
                                 f"don't waste your time on {subj}"]), PLAIN
    return join(sentence(text), sentence(_aspect(rng, d, positive))), kind


def other_reviews(rng, d, positive):
    # The review complains about the *other* reviews, so "bad" appears in
    # the positive class and "good" in the negative one.
    which = "bad" if positive else "good"
    text = f"I don't understand the {which} reviews for {_subj(rng, d)}; " \
           f"{_aspect(rng, d, positive)}"
    return sentence(text), CONTRAST


def only_gripe(rng, d, positive):
    if positive:
        text = f"my only gripe is that {_minor(rng, d, True)}"
        extra = rng.choice(["Otherwise, no complaints.",
                            "Everything else was spot on.", ""])
        return join(sentence(text), extra), CONTRAST
    text = f"the only good thing was that {_minor(rng, d, False)}"
    return join(rng.choice(d["contexts"]), sentence(text)), CONTRAST


def cheap(rng, d, positive):
    if not d["has_price"]:
        return None
    subj = _subj(rng, d)
    if positive:
        text = f"{subj} {d['be_not']} cheap, but {_aspect(rng, d, True)}"
        return join(sentence(text), rng.choice(["Worth every penny.", ""])), \
            CONTRAST
    text = f"{subj} {d['be']} cheap, and it shows"
    return join(sentence(text), sentence(_aspect(rng, d, False))), PLAIN


def not_bad_at_all(rng, d, positive):
    if positive:
        text = f"not bad at all; I'd {_revisit(rng, d)}"
    else:
        text = f"not good at all; I wouldn't {_revisit(rng, d)}"
    return join(rng.choice(d["contexts"]), sentence(text)), NEGATION


def never_fails(rng, d, positive):
    verb = "impress" if positive else "disappoint"
    return join(sentence(f"{_subj(rng, d)} never fails to {verb}"),
                sentence(_aspect(rng, d, positive))), NEGATION


# (function, weight).  Plain families are weighted up a little so that the
# dataset still reads like ordinary reviews and is learnable.
FAMILIES = [
    (plain_adjective, 3), (plain_two_aspects, 3), (plain_verdict, 3),
    (plain_superlative, 2), (plain_exclamation, 2), (plain_stars, 2),
    (both_or_neither, 1), (would_again, 2), (problems, 1),
    (negated_adjective, 2), (nothing_short_of, 1), (expected, 2),
    (worried_hoping, 2), (temporal, 2), (concession, 3),
    (major_contrast, 2), (not_that, 2), (look_further, 1),
    (nothing_everything, 1), (more_less_than, 1), (close_far, 1),
    (cant_recommend, 1), (worth, 1), (wouldnt_call, 1), (regret, 1),
    (thought_right_wrong, 2), (be_lying, 1), (could_be_better, 1),
    (dont_hesitate, 1), (other_reviews, 1), (only_gripe, 1), (cheap, 1),
    (not_bad_at_all, 1), (never_fails, 1),
]


# ---------------------------------------------------------------------------
# Optional framing around the core review.  Neutral context sentences add
# variety without touching the label; label-matching closers are only used
# on plain reviews so the hard families keep their difficulty.
# ---------------------------------------------------------------------------

def decorate(rng, d, text, positive, kind):
    if rng.random() < 0.25 and not text.startswith(tuple(d["contexts"])):
        text = join(rng.choice(d["contexts"]), text)
    roll = rng.random()
    if roll < 0.12:
        text = join(text, rng.choice(CLOSERS_NEUTRAL))
    elif roll < 0.30 and kind == PLAIN:
        text = join(text, rng.choice(CLOSERS_POS if positive
                                     else CLOSERS_NEG))
    return text


def make_review(rng, positive):
    family = rng.choices([f for f, _ in FAMILIES],
                         weights=[w for _, w in FAMILIES])[0]
    d = rng.choice(DOMAINS)
    made = family(rng, d, positive)
    if made is None:          # family does not apply to this domain
        return None
    core, kind = made
    return decorate(rng, d, core, positive, kind), core, kind


# ---------------------------------------------------------------------------
# Generation, splitting and writing.
# ---------------------------------------------------------------------------

def is_near_duplicate(tokens, accepted):
    return any(len(tokens & other) / len(tokens | other)
               >= NEAR_DUPLICATE_JACCARD for other in accepted)


def generate_class(rng, positive, count, seen):
    """Draw unique, non-near-duplicate reviews of one class.

    Duplicates are judged on the core review, before the optional context
    and closer sentences are added, so that "X." and "X. Just my two
    cents." cannot both get in.  ``seen`` holds the cores of both classes.
    """
    rows, token_sets = [], []
    attempts = 0
    while len(rows) < count:
        attempts += 1
        if attempts > 200 * count:
            raise RuntimeError("slot lists too small for the requested size")
        made = make_review(rng, positive)
        if made is None:
            continue
        text, core, kind = made
        if not fits_length(text) or core in seen:
            continue
        tokens = set(words(core))
        if is_near_duplicate(tokens, token_sets):
            continue
        seen.add(core)
        token_sets.append(tokens)
        rows.append((text, "positive" if positive else "negative", kind))
    return rows


def split_rows(rows):
    """Cut one class's rows into the splits, in PER_CLASS order."""
    out, start = {}, 0
    for name, n in PER_CLASS.items():
        out[name] = rows[start:start + n]
        start += n
    return out


def check(splits):
    """Fail loudly rather than write a dataset that breaks its promises."""
    all_texts = [t for rows in splits.values() for t, _, _ in rows]
    assert len(all_texts) == len(set(all_texts)), "duplicate text"
    names = list(splits)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            texts_a = {t for t, _, _ in splits[a]}
            shared = texts_a & {t for t, _, _ in splits[b]}
            assert not shared, f"text shared between {a} and {b}"
    for rows in splits.values():
        for text, label, _ in rows:
            assert label in ("positive", "negative")
            assert fits_length(text), text
            assert "@" not in text and not re.search(r"\d{3}", text), text
            assert '"' not in text, text  # keeps quoting trivial to sniff


def to_csv(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["text", "label"])
    writer.writerows((text, label) for text, label, _ in rows)
    text = buffer.getvalue()
    # tunekit's CSV reader sniffs the delimiter from the first 8 KB; some
    # reviews contain ";", so make sure the comma still wins.
    sniffed = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    assert sniffed.delimiter == ",", "CSV sniffer would misread the file"
    return text


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(to_csv(rows))


def main():
    rng = random.Random(SEED)
    total = sum(PER_CLASS.values())
    seen = set()
    pos = generate_class(rng, True, total, seen)
    neg = generate_class(rng, False, total, seen)
    # Generation order follows the family weights; shuffle before cutting so
    # every split gets the same mix of families.
    rng.shuffle(pos)
    rng.shuffle(neg)
    pos_splits, neg_splits = split_rows(pos), split_rows(neg)
    splits = {}
    for name in PER_CLASS:
        rows = pos_splits[name] + neg_splits[name]
        rng.shuffle(rows)
        splits[name] = rows
    check(splits)
    for name, rows in splits.items():
        write_csv(os.path.join(HERE, f"{name}.csv"), rows)
        n_pos = sum(1 for _, label, _ in rows if label == "positive")
        hard = sum(1 for _, _, kind in rows if kind != PLAIN)
        print(f"{name:<10} {len(rows):4d} rows  positive={n_pos:<4d} "
              f"negative={len(rows) - n_pos:<4d} "
              f"negation/contrast/order={hard / len(rows):.0%}")


if __name__ == "__main__":
    main()
