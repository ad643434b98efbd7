"""Reference data for the demo company: names, places, products, feedback texts."""

from __future__ import annotations

GERMAN_MALE = (
    "Thomas", "Michael", "Andreas", "Stefan", "Christian", "Markus", "Alexander", "Daniel",
    "Johannes", "Matthias", "Sebastian", "Tobias", "Florian", "Jan", "Lukas", "Maximilian",
    "Felix", "Jonas", "Paul", "Leon", "Wolfgang", "Jürgen", "Klaus", "Günter", "Dieter",
    "Uwe", "Bernd", "Frank", "Ralf", "Jörg", "Hans", "Peter", "Georg", "Friedrich", "Ludwig",
)  # fmt: skip
GERMAN_FEMALE = (
    "Anna", "Maria", "Katharina", "Julia", "Laura", "Sarah", "Lisa", "Lena", "Sophie", "Hannah",
    "Sabine", "Claudia", "Susanne", "Petra", "Andrea", "Stefanie", "Nicole", "Christina",
    "Elisabeth", "Margarete", "Ursula", "Renate", "Brigitte", "Monika", "Jutta", "Käthe",
    "Franziska", "Johanna", "Theresa", "Barbara", "Gabriele", "Birgit", "Heike", "Anja",
)  # fmt: skip
ENGLISH_MALE = (
    "James", "John", "Robert", "David", "William", "Richard", "Joseph", "Charles", "Thomas",
    "Christopher", "Daniel", "Matthew", "Oliver", "Harry", "George", "Jack", "Edward",
)  # fmt: skip
ENGLISH_FEMALE = (
    "Mary", "Patricia", "Jennifer", "Elizabeth", "Susan", "Jessica", "Sarah", "Emily",
    "Olivia", "Amelia", "Charlotte", "Sophia", "Grace", "Victoria", "Rebecca", "Katherine",
)  # fmt: skip
GERMAN_SURNAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
    "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt",
    "Werner", "Schmitz", "Krause", "Meier", "Lehmann", "Schmid", "Schulze", "Maier", "Köhler",
    "Herrmann", "König", "Walter", "Mayer", "Huber", "Kaiser", "Fuchs", "Peters", "Lang",
    "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Schubert", "Vogel", "Friedrich", "Keller",
    "Günther", "Frank", "Berger", "Winkler", "Roth", "Beck", "Lorenz", "Baumann", "Franke",
    "Albrecht", "Schuster", "Simon", "Ludwig", "Böhm", "Winter", "Kraus", "Martin", "Schumacher",
    "Krämer", "Vogt", "Stein", "Jäger", "Otto", "Sommer", "Groß", "Seidel", "Heinrich", "Brandt",
    "Haas", "Schreiber", "Graf", "Schulte", "Dietrich", "Ziegler", "Kuhn", "Kühn", "Pohl",
    "Engel", "Horn", "Busch", "Bergmann", "Thomas", "Voigt", "Sauer", "Arnold", "Wolff", "Pfeiffer",
    "Gruber", "Hofer", "Steiner", "Moser", "Mayr", "Egger", "Bachmann", "Brunner", "Baumgartner",
)  # fmt: skip
NOBLE_SURNAMES = ("von Bülow", "von der Heyde", "zu Guttenberg", "von Weizsäcker", "van Dijk")
ENGLISH_SURNAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Taylor", "Davies", "Evans", "Wilson",
    "Thompson", "Robinson", "Wright", "Walker", "White", "Hughes", "Edwards", "Green", "Hall",
)  # fmt: skip
NICKNAMES = {
    "Johannes": "Hans", "Katharina": "Kathi", "Elisabeth": "Lisa", "Margarete": "Grete",
    "Maximilian": "Max", "Alexander": "Alex", "Christian": "Chris", "Stefanie": "Steffi",
    "Franziska": "Franzi", "Theresa": "Resi", "Tobias": "Tobi", "Sebastian": "Basti",
    "Friedrich": "Fritz", "Ludwig": "Lutz", "Gabriele": "Gabi", "Barbara": "Babsi",
    "William": "Bill", "Robert": "Bob", "Richard": "Dick", "Elizabeth": "Liz",
    "Katherine": "Kate", "Christopher": "Chris", "Matthew": "Matt", "Rebecca": "Becky",
    "Susanne": "Susi", "Andreas": "Andi", "Michael": "Michi", "Daniel": "Dani",
}  # fmt: skip
TITLES = ("Dr.", "Prof.", "Prof. Dr.", "Dipl.-Ing.")

# country -> list of (postcode, city, phone prefix) and street names
PLACES: dict[str, list[tuple[str, str, str]]] = {
    "DE": [
        ("10115", "Berlin", "30"), ("10437", "Berlin", "30"), ("20095", "Hamburg", "40"),
        ("22767", "Hamburg", "40"), ("80331", "München", "89"), ("81667", "München", "89"),
        ("50667", "Köln", "221"), ("60311", "Frankfurt am Main", "69"),
        ("70173", "Stuttgart", "711"),
        ("40213", "Düsseldorf", "211"), ("04109", "Leipzig", "341"), ("01067", "Dresden", "351"),
        ("30159", "Hannover", "511"), ("90402", "Nürnberg", "911"), ("28195", "Bremen", "421"),
        ("79098", "Freiburg im Breisgau", "761"), ("69117", "Heidelberg", "6221"),
        ("48143", "Münster", "251"), ("93047", "Regensburg", "941"), ("24103", "Kiel", "431"),
    ],
    "AT": [
        ("1010", "Wien", "1"), ("1070", "Wien", "1"), ("8010", "Graz", "316"),
        ("4020", "Linz", "732"), ("5020", "Salzburg", "662"), ("6020", "Innsbruck", "512"),
    ],
    "CH": [
        ("8001", "Zürich", "44"), ("8004", "Zürich", "44"), ("3011", "Bern", "31"),
        ("4051", "Basel", "61"), ("6003", "Luzern", "41"), ("9000", "St. Gallen", "71"),
    ],
    "NL": [("1012 AB", "Amsterdam", "20"), ("3011 AA", "Rotterdam", "10")],
    "FR": [("75001", "Paris", "1"), ("67000", "Strasbourg", "3")],
    "GB": [("SW1A 1AA", "London", "20"), ("M1 1AE", "Manchester", "161")],
    "IT": [("00184", "Roma", "06"), ("20121", "Milano", "02")],
    "US": [("10001", "New York", "212"), ("94105", "San Francisco", "415")],
}  # fmt: skip
COUNTRY_WEIGHTS = {"DE": 70, "AT": 12, "CH": 10, "NL": 2, "FR": 2, "GB": 2, "IT": 1, "US": 1}
COUNTRY_CALLING = {
    "DE": "49",
    "AT": "43",
    "CH": "41",
    "NL": "31",
    "FR": "33",
    "GB": "44",
    "IT": "39",
    "US": "1",
}
STREETS_DE = (
    "Hauptstraße", "Schulstraße", "Gartenstraße", "Bahnhofstraße", "Dorfstraße", "Bergstraße",
    "Birkenweg", "Lindenstraße", "Kirchstraße", "Waldstraße", "Ringstraße", "Goethestraße",
    "Schillerstraße", "Mozartstraße", "Am Marktplatz", "Friedrichstraße", "Königsallee",
    "Maximilianstraße", "Mühlenweg", "Rosenstraße", "Wiener Straße", "Sonnenallee",
)  # fmt: skip
STREETS_INT = (
    "Main Street",
    "High Street",
    "Rue de la Paix",
    "Via Roma",
    "Keizersgracht",
    "Church Road",
    "Market Street",
    "Station Road",
)
EMAIL_DOMAINS = (
    "gmail.com",
    "web.de",
    "gmx.de",
    "t-online.de",
    "outlook.com",
    "gmx.at",
    "bluewin.ch",
    "yahoo.de",
    "icloud.com",
    "posteo.de",
    "hotmail.com",
)

ACCOUNT_TYPES = {
    "manufacturer": ("{} Maschinenbau", "{} Werke", "{} Elektrotechnik", "{} Metallbau"),
    "reseller": ("{} Handelsgesellschaft", "{} Großhandel", "{} Bürobedarf", "{} Fachhandel"),
    "public_authority": ("Stadtverwaltung {city}", "Landratsamt {city}", "Finanzamt {city}",
                         "Bezirksamt {city}"),
    "institution": ("Universität {city}", "Klinikum {city}", "Gymnasium {city}",
                    "Stadtbibliothek {city}"),
}  # fmt: skip
LEGAL_FORMS = ("GmbH", "AG", "GmbH & Co. KG", "e.K.", "KG", "OHG", "Ltd", "SE")

PRODUCTS = (
    ("P-1001", "Kaffeevollautomat Barista Pro", "kitchen", 649.00),
    ("P-1002", "Espressotassen 6er-Set", "kitchen", 29.90),
    ("P-1003", "Wasserkocher Edelstahl", "kitchen", 39.95),
    ("P-2001", "Laufschuhe Trail X", "sports", 119.00),
    ("P-2002", "Yogamatte Natur", "sports", 34.50),
    ("P-2003", "Fahrradhelm City", "sports", 59.00),
    ("P-3001", "Bluetooth-Kopfhörer NoiseFree", "electronics", 179.00),
    ("P-3002", "USB-C Ladegerät 65W", "electronics", 24.99),
    ("P-3003", "E-Book-Reader Lumen", "electronics", 129.00),
    ("P-4001", "Daunendecke Winter", "home", 149.00),
    ("P-4002", "Bettwäsche Satin", "home", 59.90),
    ("P-4003", "Stehlampe Loft", "home", 89.00),
    ("P-5001", "Bürostuhl Ergo 3000", "office", 399.00),
    ("P-5002", "Kopierpapier A4 (5x500)", "office", 24.50),
    ("P-5003", "Schreibtisch höhenverstellbar", "office", 549.00),
)  # fmt: skip
STORES = (
    "Berlin Mitte",
    "Hamburg Altona",
    "München Zentrum",
    "Wien Neubau",
    "Zürich HB",
    "Köln Dom",
    "Frankfurt Zeil",
)

NPS_COMMENTS = {
    "de": {
        "promoter": ("Super schnelle Lieferung, gerne wieder!", "Toller Service im Laden.",
                     "Sehr kompetente Beratung am Telefon.", "Alles bestens, danke!"),
        "passive": ("Ganz okay, Lieferung hat etwas gedauert.", "Produkt gut, Preis hoch.",
                    "Die Website ist etwas unübersichtlich."),
        "detractor": ("Ich musste dreimal anrufen und alles neu erklären.",
                      "Lieferung kam zu spät und war beschädigt.",
                      "Lange Wartezeit in der Hotline, niemand konnte helfen.",
                      "Rücksendung sehr kompliziert, Erstattung dauert ewig."),
    },
    "en": {
        "promoter": ("Fast delivery, great quality!", "The staff in the store were lovely.",
                     "Support solved my problem in minutes."),
        "passive": ("Fine, but shipping took a while.", "Good product, a bit pricey."),
        "detractor": ("I had to repeat my issue to three different agents.",
                      "Waited 40 minutes on hold.", "The parcel arrived damaged and late."),
    },
}  # fmt: skip
