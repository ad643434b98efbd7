"""Journeys of the demo company's customers, as Segment-spec events.

Each person walks Awareness -> Consideration -> Conversion -> Retention -> Advocacy with the
deviations real journeys have: abandoned carts, repeat support contacts, chat-then-phone
channel switches, long waits, forms asking for data already known, returns, churn, reviews,
referrals, and survey answers (NPS, CSAT, CES) with German or English comments.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import orjson

from journeyhub.demo import data
from journeyhub.demo.people import Person

# what an account spends a year on our category, anywhere (EUR; a sales estimate)
WALLET_BASE = {
    "manufacturer": 600_000,
    "reseller": 450_000,
    "public_authority": 250_000,
    "institution": 200_000,
}


def wallet_estimate(account_id: str, kind: str) -> int:
    """The account's share-of-wallet base: by kind, spread 0.5x-2x by its id (no random draw,
    so adding it left every other generated value as it was)."""
    spread = 0.5 + 1.5 * (zlib.crc32(account_id.encode()) % 1000) / 999
    return int(round(WALLET_BASE.get(kind, 10_000) * spread, -2))


END = datetime(2026, 11, 20, tzinfo=UTC)
EventRow = tuple  # messageId, type, event, name, userId, anonymousId, groupId, ts, channel,
#                   properties, traits, context
CYCLES = {"loyal": (3, 9), "occasional": (1, 3), "bargain_hunter": (1, 5), "one_and_done": (1, 1)}


class Journey:
    """Emits one person's events in time order."""

    def __init__(
        self,
        rng: random.Random,
        person: Person,
        seed: int,
        emit: Callable[[EventRow], None],
        intensity: float = 1.0,
    ) -> None:
        self.rng, self.p, self.emit, self.intensity = rng, person, emit, intensity
        self.t = person.created
        self.seq = 0
        self.prefix = f"{seed:x}-{person.pid:x}-"
        self.anon_web = f"anon-{rng.getrandbits(48):012x}"
        self.anon_app = f"anon-{rng.getrandbits(48):012x}" if rng.random() < 0.4 else None
        self.known = False  # identified (userId known on the device)
        self.satisfaction = 0.0

    # -- helpers ---------------------------------------------------------------------------

    def wait(self, minutes: float = 0, days: float = 0) -> None:
        self.t += timedelta(minutes=minutes, days=days)

    def send(
        self,
        typ: str,
        channel: str,
        *,
        event: str | None = None,
        name: str | None = None,
        props: dict | None = None,
        traits: dict | None = None,
        anon: str | None = None,
        user: bool | None = None,
        group: str | None = None,
    ) -> None:
        if self.t >= END:
            return
        self.seq += 1
        known = self.known if user is None else user
        anonymous = (
            anon
            if anon is not None
            else (
                self.anon_web if channel == "web" else self.anon_app if channel == "app" else None
            )
        )
        user_id = self.p.user_id if known or anonymous is None else None
        context = {"channel": channel, "locale": "de-DE" if self.p.lang == "de" else "en-GB"}
        self.emit(
            (
                self.prefix + f"{self.seq:x}",
                typ,
                event,
                name,
                user_id,
                anonymous,
                group,
                self.t,
                channel,
                orjson.dumps(props).decode() if props else None,
                orjson.dumps(traits).decode() if traits else None,
                orjson.dumps(context).decode(),
            )
        )

    def identify(self, channel: str) -> None:
        self.known = True
        p = self.p
        traits = {
            "email": p.email,
            "firstName": p.given,
            "lastName": p.family,
            "phone": p.phone,
            "city": p.address.city,
            "country": p.address.country,
        }
        self.send("identify", channel, traits=traits)
        if self.anon_app and self.rng.random() < 0.7:
            self.send("identify", "app", traits={"email": p.email})

    # -- phases ----------------------------------------------------------------------------

    def run(self) -> None:
        rng, p = self.rng, self.p
        self.awareness()
        self.consideration()
        if p.account is not None:
            self.send(
                "group",
                "web",
                group=p.account.account_id,
                user=True,
                traits={
                    "name": p.account.name,
                    "type": p.account.kind,
                    "country": p.account.address.country,
                    "wallet_estimate": wallet_estimate(p.account.account_id, p.account.kind),
                },
            )
        low, high = CYCLES[p.persona]
        cycles = max(1, round(rng.randint(low, high) * self.intensity))
        for i in range(cycles):
            if self.t >= END:
                break
            if p.account is not None:
                self.b2b_purchase()
            else:
                self.purchase(first=i == 0)
            self.wait(days=rng.expovariate(1 / 45))
        self.advocacy_or_churn()

    def awareness(self) -> None:
        rng = self.rng
        source = rng.choice(("social", "search", "email", "display", "referral"))
        if source == "social":
            self.send(
                "track",
                "social",
                event="Social Ad Clicked",
                props={"network": rng.choice(("instagram", "facebook", "linkedin"))},
                anon=self.anon_web,
            )
        elif source == "display":
            self.send("track", "web", event="Ad Clicked", props={"campaign": "winter-sale"})
        self.wait(minutes=1)
        self.send("page", "web", name="Home", props={"path": "/", "referrer": source})
        for _ in range(rng.randint(0, 3)):
            self.wait(minutes=rng.uniform(0.2, 3))
            self.send(
                "page", "web", name="Category", props={"path": "/c/" + rng.choice(data.PRODUCTS)[2]}
            )

    def consideration(self) -> None:
        rng = self.rng
        for _ in range(rng.randint(1, 4)):
            product = rng.choice(data.PRODUCTS)
            self.wait(minutes=rng.uniform(0.5, 5))
            self.send(
                "track",
                "web",
                event="Product Viewed",
                props={
                    "product_id": product[0],
                    "name": product[1],
                    "category": product[2],
                    "price": product[3],
                },
            )
        if self.anon_app:
            self.wait(days=rng.uniform(0, 3))
            self.send(
                "screen",
                "app",
                name="Product Detail",
                props={"product_id": rng.choice(data.PRODUCTS)[0]},
            )
        if rng.random() < 0.35:
            self.send(
                "track",
                "web",
                event="Newsletter Subscribed",
                props={"list": "weekly"},
                traits={"email": self.p.email},
            )
            self.wait(days=rng.uniform(1, 7))
            self.send(
                "track", "email", event="Email Opened", props={"campaign": "welcome"}, user=True
            )
        if rng.random() < 0.15:
            self.wait(days=rng.uniform(1, 10))
            self.send(
                "track",
                "store",
                event="Store Visited",
                props={"store": rng.choice(data.STORES)},
                user=False,
                anon=self.anon_web,
            )

    def purchase(self, first: bool) -> None:
        rng = self.rng
        in_store = rng.random() < 0.3
        products = rng.sample(data.PRODUCTS, rng.randint(1, 3))
        revenue = round(sum(pr[3] * rng.randint(1, 2) for pr in products), 2)
        if in_store:
            self.wait(days=rng.uniform(0, 5))
            self.send(
                "track",
                "store",
                event="Store Visited",
                props={"store": rng.choice(data.STORES)},
                user=True,
            )
            self.wait(minutes=rng.uniform(5, 40))
            self.order("store", products, revenue)
            return
        for pr in products:
            self.wait(minutes=rng.uniform(0.5, 4))
            self.send(
                "track",
                "web",
                event="Product Added",
                props={"product_id": pr[0], "price": pr[3], "quantity": 1},
            )
        if rng.random() < 0.25:  # abandoned cart
            self.wait(minutes=rng.uniform(1, 10))
            self.send(
                "track",
                "web",
                event="Cart Abandoned",
                props={"cart_value": revenue, "items": len(products)},
            )
            if rng.random() < 0.5:
                self.wait(days=1)
                self.send(
                    "track",
                    "email",
                    event="Cart Reminder Sent",
                    user=True,
                    props={"cart_value": revenue},
                )
            if rng.random() < 0.6:
                return
            self.wait(days=rng.uniform(1, 3))
        self.wait(minutes=rng.uniform(1, 5))
        self.send("track", "web", event="Checkout Started", props={"cart_value": revenue})
        if first and not self.known:
            self.identify("web")
        elif rng.random() < 0.12:  # the form that asks again for what we know
            self.send(
                "track",
                "web",
                event="Form Submitted",
                props={
                    "form": "checkout_address",
                    "fields": ["email", "street", "postcode", "city"],
                    "prefilled": False,
                },
            )
        self.wait(minutes=rng.uniform(1, 6))
        self.order("web", products, revenue)

    def order(self, channel: str, products: list, revenue: float, group: str | None = None) -> None:
        rng, p = self.rng, self.p
        order_id = f"O-{p.pid}-{self.seq}"
        self.send(
            "track",
            channel,
            event="Order Completed",
            user=True,
            group=group,
            props={
                "order_id": order_id,
                "revenue": revenue,
                "currency": "EUR",
                "products": [{"product_id": pr[0], "price": pr[3]} for pr in products],
            },
        )
        if channel == "web":
            self.wait(days=rng.uniform(0.5, 2))
            self.send(
                "track", "email", event="Order Shipped", user=True, props={"order_id": order_id}
            )
            late = rng.random() < 0.15
            self.wait(days=rng.uniform(1, 3) + (rng.uniform(3, 8) if late else 0))
            self.send(
                "track",
                "sms",
                event="Order Delivered",
                user=True,
                props={"order_id": order_id, "late": late},
            )
            self.satisfaction -= 1.5 if late else 0
        if rng.random() < 0.22:
            self.service(order_id)
        if rng.random() < 0.1:
            self.wait(days=rng.uniform(2, 10))
            self.send(
                "track",
                "web",
                event="Return Requested",
                user=True,
                props={
                    "order_id": order_id,
                    "reason": rng.choice(("size", "damaged", "not as described", "changed mind")),
                },
            )
            self.wait(days=rng.uniform(3, 12))
            self.send(
                "track",
                "email",
                event="Refund Issued",
                user=True,
                props={"order_id": order_id, "amount": revenue, "currency": "EUR"},
            )
            self.satisfaction -= 0.5
        if rng.random() < 0.35:
            self.wait(days=rng.uniform(1, 5))
            self.survey(rng.choice(("nps", "csat")), "post_purchase", order_id)

    def service(self, order_id: str) -> None:
        rng = self.rng
        self.wait(days=rng.uniform(1, 6))
        topic = rng.choice(("delivery", "invoice", "product defect", "return"))
        first = rng.choice(("chat", "email", "phone"))
        ticket = f"T-{self.p.pid}-{self.seq}"
        self.send(
            "track",
            first,
            event="Support Ticket Created",
            user=True,
            props={"ticket_id": ticket, "topic": topic, "order_id": order_id},
        )
        contacts = 1
        while rng.random() < 0.35 and contacts < 4:  # not solved: contacts again
            contacts += 1
            self.wait(days=rng.uniform(0.5, 4))
            channel = "phone" if rng.random() < 0.6 else rng.choice(("chat", "email"))
            wait = int(rng.expovariate(1 / 240)) + (900 if rng.random() < 0.2 else 0)
            self.send(
                "track",
                channel,
                event="Support Contacted",
                user=True,
                props={
                    "ticket_id": ticket,
                    "topic": topic,
                    "contact_no": contacts,
                    "wait_seconds": wait,
                    "repeated_issue": True,
                },
            )
            self.satisfaction -= 1
        self.wait(days=rng.uniform(0.1, 3))
        self.send(
            "track",
            "email",
            event="Support Ticket Resolved",
            user=True,
            props={"ticket_id": ticket, "contacts": contacts},
        )
        self.survey("ces", "post_support", ticket)

    def survey(self, kind: str, touchpoint: str, ref: str) -> None:
        rng, lang = self.rng, self.p.lang
        mood = self.satisfaction + rng.gauss(0.8, 1.5)
        if kind == "nps":
            score = max(0, min(10, round(7 + mood)))
            band = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
        elif kind == "csat":
            score = max(1, min(5, round(3.8 + mood / 2)))
            band = "promoter" if score >= 4 else "passive" if score == 3 else "detractor"
        else:
            score = max(1, min(7, round(3 - mood)))  # effort: low is good
            band = "promoter" if score <= 2 else "passive" if score <= 4 else "detractor"
        props = {
            "survey": kind,
            "score": score,
            "touchpoint": touchpoint,
            "ref": ref,
            "language": lang,
        }
        if rng.random() < 0.6:
            props["comment"] = rng.choice(data.NPS_COMMENTS[lang][band])
        self.send(
            "track", rng.choice(("email", "web")), event="Survey Answered", user=True, props=props
        )
        self.satisfaction += 0.5 if band == "promoter" else -0.5 if band == "detractor" else 0

    def b2b_purchase(self) -> None:
        rng, account = self.rng, self.p.account
        assert account is not None
        products = rng.sample(data.PRODUCTS[-6:], rng.randint(1, 3))
        quantity = rng.randint(5, 200)
        revenue = round(sum(pr[3] for pr in products) * quantity, 2)
        group = account.account_id
        self.send(
            "track",
            "web",
            event="Quote Requested",
            user=True,
            group=group,
            props={"products": [pr[0] for pr in products], "quantity": quantity},
        )
        self.wait(days=rng.uniform(0.5, 3))
        self.send(
            "track",
            "phone",
            event="Sales Call",
            user=True,
            group=group,
            props={"duration_minutes": rng.randint(5, 45)},
        )
        self.send(
            "track",
            "email",
            event="Quote Sent",
            user=True,
            group=group,
            props={"amount": revenue, "currency": "EUR"},
        )
        if rng.random() < 0.3:
            self.send(
                "track",
                "email",
                event="Quote Lost",
                user=True,
                group=group,
                props={"reason": rng.choice(("price", "delivery time", "competitor"))},
            )
            self.survey("nps", "win_loss", group)
            return
        self.wait(days=rng.uniform(2, 14))
        self.order("web", products, revenue, group)
        self.wait(days=rng.uniform(10, 30))
        self.send(
            "track",
            "email",
            event="Invoice Paid",
            user=True,
            group=group,
            props={"amount": revenue, "currency": "EUR"},
        )

    def advocacy_or_churn(self) -> None:
        rng = self.rng
        self.wait(days=rng.uniform(3, 40))
        if self.satisfaction >= 0 and rng.random() < 0.3:
            self.send(
                "track",
                "web",
                event="Review Submitted",
                user=True,
                props={"rating": rng.choice((4, 5, 5)), "product_id": rng.choice(data.PRODUCTS)[0]},
            )
            if rng.random() < 0.4:
                self.send(
                    "track",
                    "social",
                    event="Referral Sent",
                    user=True,
                    props={"channel": rng.choice(("whatsapp", "email", "instagram"))},
                )
        elif self.satisfaction < -1 and rng.random() < 0.5:
            self.send("track", "email", event="Newsletter Unsubscribed", user=True)
            self.survey("nps", "churn", "account")
            if rng.random() < 0.4:
                self.send(
                    "track", "web", event="Account Closed", user=True, props={"reason": "unhappy"}
                )
        elif self.p.persona == "one_and_done" and rng.random() < 0.3:
            self.send(
                "track",
                "web",
                event="Review Submitted",
                user=True,
                props={"rating": rng.choice((1, 2, 3)), "product_id": rng.choice(data.PRODUCTS)[0]},
            )
